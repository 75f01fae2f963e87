"""The dashboard's entry point: page config, navigation and the frame every page shares.

`streamlit run dashboard/app.py`. With ``?mode=briefing`` only the briefing screen is served, with
no sidebar or controls, for a shared screen in the command centre.
"""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

if __package__ in (None, ""):  # run as a script by `streamlit run`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import auth, deps, i18n, state
from dashboard.components import streamlit_words
from dashboard.i18n import _

# Not "pages/": Streamlit serves a folder of that name by URL (and lists it) before any st.navigation call.
PAGES_DIR = Path(__file__).resolve().parent / "views"
# page file stem -> (title msgid, icon, permission in db.users.PERMISSIONS). Navigation icons are Material
# Symbols, drawn with the font Streamlit ships (no emoji font needed on a thin client, nothing fetched); the
# favicon stays an emoji (see main()).
PAGES = {
    "map": ("Map", ":material/map:", "map"),
    "briefing": ("Briefing", ":material/tv:", "briefing"),
    "coverage": ("Coverage", ":material/radar:", "coverage"),
    "feeds": ("Feeds", ":material/videocam:", "feeds"),
    "wall": ("Video wall", ":material/grid_view:", "wall"),
    "registry": ("Registry", ":material/folder_open:", "map"),
    "incidents": ("Incidents", ":material/emergency:", "incidents"),
    "footage_requests": ("Footage requests", ":material/video_library:", "footage"),
    "posts": ("Posts and duty", ":material/local_police:", "map"),
    "audit": ("Audit log", ":material/history:", "audit"),
    "transparency": ("Transparency report", ":material/summarize:", "audit"),
    "users": ("Users", ":material/group:", "users"),
}
BRIEFING_MODE = "briefing"


def briefing_mode() -> bool:
    return st.query_params.get("mode") == BRIEFING_MODE


DEFAULT_PAGE = "map"      # where "/" leads; a role without it starts on its first page, without a notice


def _title(stem: str) -> str:
    title = PAGES[stem][0] if stem in PAGES else stem.replace("_", " ").title()
    return _(title)


def _page(stem: str) -> st.Page:
    icon = PAGES[stem][1] if stem in PAGES else None
    return st.Page(PAGES_DIR / f"{stem}.py", title=_title(stem), icon=icon, url_path=stem,
                   default=stem == DEFAULT_PAGE)


def available_pages() -> list[str]:
    """Known pages whose file exists (each area's page appears when it lands), the map first."""
    present = {p.stem for p in PAGES_DIR.glob("*.py") if not p.stem.startswith("_")}
    ordered = [stem for stem in PAGES if stem in present]
    return ordered + sorted(present - set(PAGES))


def permitted(stem: str) -> bool:
    permission = PAGES.get(stem, (None, None, "map"))[2]
    return state.allowed(permission)


def _refused_pages(instead: st.Page) -> list[st.Page]:
    """Hidden pages at the addresses of the pages this role may not open: each says so and shows ``instead``."""
    return [auth.refused_page(stem, _title(stem), instead, quiet=stem == DEFAULT_PAGE)
            for stem in available_pages() if not permitted(stem)]


def _signed_in() -> bool:
    """True when someone is signed in; otherwise every page's address shows the sign-in form.

    Handing st.navigation only sign-in pages (hidden) keeps Streamlit from falling back to listing (and
    serving by URL) every file in dashboard/views/ to a visitor who has not signed in, while a deep
    link such as /incidents keeps its address and opens that page once signed in.
    """
    if auth.current_user() is not None:
        return True
    st.navigation(auth.sign_in_pages(available_pages()), position="hidden").run()
    return False


def _sidebar_frame() -> None:
    with st.sidebar:
        st.markdown(f"**No Blindspot** · {_('Community CCTV')}")
        i18n.language_switch(st.sidebar)
        auth.user_menu(st.sidebar)


def _secret_warnings() -> list[str] | None:
    """None (after saying what to do) when the settings are invalid or the relay secrets missing,
    published or short (noblindspot/secrets_file.py); else the insecure-development warnings."""
    from pydantic import ValidationError

    from settings import describe_invalid
    from settings.secrets_file import InsecureSecret, check_secrets

    try:
        settings = deps.settings()
        return check_secrets(settings, insecure_dev=settings.insecure_dev)
    except ValidationError as exc:
        st.error(_("No Blindspot will not start: its configuration is invalid ({problems}). Ask the administrator "
                   "to correct the NOBLINDSPOT_ settings or the configuration file, then reload.")
                 .format(problems=describe_invalid(exc)))
    except InsecureSecret:
        st.error(_("No Blindspot will not start: its relay secrets are missing, published or too short, so "
                   "video tokens could be forged. Ask the administrator to run `noblindspot up` once (it draws "
                   "new secrets) or to set them as the README's configuration table says, then reload."))
    return None


def _insecure_banner(warnings: list[str]) -> None:
    """Operators and admins see that weak secrets are in use; the briefing screen and others do not."""
    if warnings and state.allowed("relay_control"):
        st.warning(_("Insecure development mode: this dashboard runs with weak secrets. Never use it like "
                     "this in a command centre."), icon="⚠️")


def main() -> None:
    # Emoji icons only: Streamlit turns a :material/...: icon into a favicon fetched from fonts.gstatic.com,
    # and a command centre may have no internet; an emoji becomes an inline data: SVG.
    st.set_page_config(page_title="No Blindspot", page_icon="📹", layout="wide",
                       initial_sidebar_state="collapsed" if briefing_mode() else "auto")
    streamlit_words.render(i18n.current_language())
    warnings = _secret_warnings()
    if warnings is None:
        return
    auth.current_user()          # resolves this run's sign-in (a reload resumes it from the cookie)
    auth.render_cookie_write()   # after a sign-in, a sign-out or an unknown cookie
    if not _signed_in():
        return
    if briefing_mode():
        st.navigation([_page("briefing")], position="hidden").run()
        return
    pages = [_page(stem) for stem in available_pages() if permitted(stem)]
    if not pages:
        st.error(_("Your role has no pages here; ask an admin."))
        return
    navigation = st.navigation(pages + _refused_pages(pages[0]))
    _sidebar_frame()
    _insecure_banner(warnings)
    auth.render_refused_notice()
    navigation.run()


main()
