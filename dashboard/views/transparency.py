"""Transparency report (Laporan transparansi), admins only: the month's live views, footage requests
and consent changes per Polsek and purpose, computed from the ledger (db/transparency.py), small
numbers suppressed, sealed with the audit chain's digest; shown here and downloaded as a printable
page in Bahasa Indonesia or English. Making it is audited, as on the command line."""
from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import auth, deps
from dashboard.components import ops_data
from dashboard.components.error_notice import show_error
from dashboard.i18n import _, current_language, now_local
from db.transparency import ReportError, make_report
from db.transparency_report import LANGUAGES, render_html

REPORT_KEY = "transparency_report_html"


def _months(today: date, count: int = 12) -> list[str]:
    """The current month and the ``count - 1`` before it, newest first (``YYYY-MM``)."""
    out, year, month = [], today.year, today.month
    for _i in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


def render() -> None:
    user = auth.require_permission("audit")
    st.title(_("Transparency report"))
    st.caption(_("Counted from the audit log, never by hand: live views, cameras viewed, footage requests and "
                 "owners' consent changes per Polsek and purpose. Figures from 1 to 9 read \"<10\"."))
    c1, c2 = st.columns(2)
    month = c1.selectbox(_("Month"), _months(now_local().date()), key="transparency_month")
    languages = {"id": "Bahasa Indonesia", "en": "English"}
    lang = c2.radio(_("Language of the report"), list(LANGUAGES), format_func=languages.__getitem__,
                    index=list(LANGUAGES).index(current_language()) if current_language() in LANGUAGES else 0,
                    horizontal=True, key="transparency_lang")
    if st.button(_("Make the report"), key="transparency_make", type="primary"):
        auth.check(user, "audit")
        try:
            with ops_data.session_factory().begin() as session:
                data = make_report(session, user, month, deps.settings().timezone, lang)
        except ReportError as exc:
            show_error(_("The report was not made: choose a month from the list."), exc)
            return
        st.session_state[REPORT_KEY] = (month, lang, render_html(data, lang))
    made = st.session_state.get(REPORT_KEY)
    if not made or made[:2] != (month, lang):
        return
    st.download_button(_("Download the report (HTML, print or save as PDF)"), made[2],
                       file_name=f"laporan-transparansi-{month}-{lang}.html", mime="text/html",
                       key="transparency_download")
    st.iframe(made[2], height=900)


render()
