"""Catalogues, locale formatting and the language switch."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from dashboard import i18n
from tests.support.dashboard import app_test, seed_database

REPO = Path(__file__).resolve().parents[2]


def _po(path: Path, lang: str, messages: dict[str, str], fuzzy: set[str] = frozenset()) -> None:
    catalogue = Catalog(locale=lang)
    for msgid, msgstr in messages.items():
        catalogue.add(msgid, msgstr, flags=("fuzzy",) if msgid in fuzzy else ())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalogue)


def test_every_po_file_of_a_language_is_read_and_fuzzy_entries_are_ignored(tmp_path):
    _po(tmp_path / "id/LC_MESSAGES/messages.po", "id", {"Map": "Peta", "Draft": "Konsep"}, fuzzy={"Draft"})
    _po(tmp_path / "id/LC_MESSAGES/operations.po", "id", {"Incidents": "Insiden"})
    catalogue = i18n.load_catalogue("id", tmp_path)
    assert catalogue == {"Map": "Peta", "Incidents": "Insiden"}


def test_translate_fills_placeholders_and_falls_back_to_the_english_msgid():
    assert i18n.translate("{days} days", "id", days=14) == "14 hari"
    assert i18n.translate("{days} days", "en", days=14) == "14 days"
    assert i18n.translate("A message nobody translated", "id") == "A message nobody translated"
    with pytest.raises(i18n.UnknownLanguage):
        i18n.catalogue("fr")


def test_numbers_percentages_and_times_follow_the_locale_in_jakarta_time():
    assert i18n.format_number(19942, lang="id") == "19.942"
    assert i18n.format_number(19942, lang="en") == "19,942"
    assert i18n.format_number(1234.5, 1, lang="id") == "1.234,5"
    assert i18n.format_percent(0.253, lang="id") == "25,3%"
    assert i18n.format_percent(0.253, lang="en") == "25.3%"
    moment = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert "17.00" in i18n.format_datetime(moment, "short", lang="id")     # UTC+7, Indonesian separators
    assert "5:00" in i18n.format_datetime(moment, "short", lang="en")
    assert i18n.format_date(date(2026, 1, 5), "long", lang="id") == "5 Januari 2026"
    with pytest.raises(ValueError, match="timezone-aware"):
        i18n.to_local(datetime(2026, 1, 1))


@pytest.mark.parametrize(("start", "switch_to", "before", "after"), [
    ("id", "en", "Peta kamera", "Camera map"),
    ("en", "id", "Camera map", "Peta kamera"),
])
def test_the_language_switch_changes_the_text(database_url, start, switch_to, before, after):
    # One switch per AppTest: AppTest drops the frame's sidebar elements from its tree after the first
    # widget interaction on a st.navigation app (the real browser test switches back and forth).
    seed_database(database_url)
    at = app_test(database_url, "commander", lang=start if start != "id" else None)
    at.run()
    assert not at.exception
    assert at.title[0].value == before
    owners_before = at.sidebar.multiselect(key="f_owner").options
    at.sidebar.radio(key="_lang_choice").set_value(switch_to)
    at.run()
    assert not at.exception
    assert at.title[0].value == after
    assert at.sidebar.multiselect(key="f_owner").options != owners_before
    assert at.session_state["lang"] == switch_to


def test_a_lang_query_parameter_picks_the_language(database_url):
    seed_database(database_url)
    at = app_test(database_url, "commander", query={"lang": "en"})
    at.run()
    assert at.title[0].value == "Camera map"
