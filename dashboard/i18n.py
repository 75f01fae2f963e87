"""User-facing text and locale formatting: Bahasa Indonesia by default, English on request.

Message ids are English. Translations live in gettext catalogues under
``dashboard/locales/<lang>/LC_MESSAGES/*.po``; every .po file there is read (so each area of the
dashboard can keep its own domain file, e.g. operations.po) on first use and kept in memory.
Times are shown in Asia/Jakarta.
"""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import streamlit as st
from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.numbers import format_percent as _babel_percent

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANGUAGE_KEY = "lang"          # session_state key and query parameter
DISPLAY_TZ = ZoneInfo("Asia/Jakarta")
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}

_catalogues: dict[str, dict[str, str]] = {}
_lock = threading.Lock()


class UnknownLanguage(ValueError):
    """A language code the dashboard has no catalogue for."""


def load_catalogue(lang: str, directory: Path = LOCALES_DIR) -> dict[str, str]:
    """Every translated, non-fuzzy message of every .po file for ``lang`` (later files win)."""
    messages: dict[str, str] = {}
    for po_path in sorted((directory / lang / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as handle:
            catalogue = read_po(handle, locale=lang)
        for message in catalogue:
            if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
                messages[message.id] = message.string
    return messages


def catalogue(lang: str) -> dict[str, str]:
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"no catalogue for '{lang}'; choose one of {', '.join(LANGUAGES)}")
    cached = _catalogues.get(lang)
    if cached is None:
        with _lock:
            cached = _catalogues.setdefault(lang, load_catalogue(lang))
    return cached


def reload_catalogues() -> None:
    """Forget the loaded catalogues (tests, or after editing .po files)."""
    with _lock:
        _catalogues.clear()


def current_language() -> str:
    """The session's language: chosen in the sidebar, else ``?lang=``, else Bahasa Indonesia."""
    lang = st.session_state.get(LANGUAGE_KEY)
    if lang in LANGUAGES:
        return lang
    requested = st.query_params.get(LANGUAGE_KEY)
    lang = requested if requested in LANGUAGES else DEFAULT_LANGUAGE
    st.session_state[LANGUAGE_KEY] = lang
    return lang


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"no catalogue for '{lang}'; choose one of {', '.join(LANGUAGES)}")
    st.session_state[LANGUAGE_KEY] = lang


def translate(msgid: str, lang: str, **kwargs: object) -> str:
    text = catalogue(lang).get(msgid, msgid)
    return text.format(**kwargs) if kwargs else text


def _(msgid: str, **kwargs: object) -> str:
    """The message in the session's language, with ``{name}`` placeholders filled from kwargs."""
    return translate(msgid, current_language(), **kwargs)


def _locale(lang: str | None) -> Locale:
    return Locale.parse(lang or current_language())


def format_number(value: float | None, decimals: int | None = None, lang: str | None = None) -> str:
    if value is None:
        return "–"
    pattern = None if decimals is None else ("#,##0" + ("." + "0" * decimals if decimals else ""))
    return format_decimal(value, format=pattern, locale=_locale(lang))


def format_percent(fraction: float | None, decimals: int = 1, lang: str | None = None) -> str:
    """0.253 -> '25,3%' (id) / '25.3%' (en)."""
    if fraction is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return _babel_percent(fraction, format=pattern, locale=_locale(lang))


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; pass a timezone-aware datetime (UTC from the database)")
    return moment.astimezone(DISPLAY_TZ)


def format_datetime(moment: datetime | None, fmt: str = "medium", lang: str | None = None) -> str:
    """A moment in Asia/Jakarta time, formatted for the locale (fmt: short/medium/long or a pattern)."""
    if moment is None:
        return "–"
    return _babel_datetime(to_local(moment), format=fmt, tzinfo=DISPLAY_TZ, locale=_locale(lang))


def format_date(day: date | None, fmt: str = "medium", lang: str | None = None) -> str:
    if day is None:
        return "–"
    return _babel_date(day, format=fmt, locale=_locale(lang))


def now_local() -> datetime:
    return datetime.now(UTC).astimezone(DISPLAY_TZ)


def streamlit_select_all() -> bool:
    """Whether a multiselect offers Streamlit's own "Select all" entry: only in English, since Streamlit
    draws it in English and has no way to translate it (pass as ``select_all=``)."""
    return current_language() == "en"


def _on_language_change() -> None:
    set_language(st.session_state["_lang_choice"])


def language_switch(container=None) -> None:
    """A sidebar control that switches the language for this session (``?lang=en`` picks it in a link).

    The radio owns its own state: it is never written through st.session_state (doing so made the
    frame's widget stop answering after the first switch); the callback copies it to LANGUAGE_KEY.
    """
    target = container if container is not None else st.sidebar
    lang = current_language()
    target.radio("Language / Bahasa", LANGUAGES, index=LANGUAGES.index(lang), key="_lang_choice",
                 horizontal=True, format_func=LANGUAGE_NAMES.__getitem__, on_change=_on_language_change)
