"""Posts and duty (Pos dan piket): Polres, Polsek and security posts with personnel, who is on duty
now, officers per km² and residents per officer by kecamatan; admins correct personnel counts and
import the duty roster and unit positions."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, state
from dashboard.components import ops_data, roster_words
from dashboard.components import value_labels as vl
from dashboard.components.camera_card import markdown_text
from dashboard.i18n import _, format_datetime
from db.roster import (
    RosterError,
    RosterRejected,
    RosterReport,
    import_positions_csv,
    import_roster_csv,
    set_post_personnel,
)
from db.users import Actor
from geo.nearest import personnel_ratios

FLASH = "posts_flash"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _posts_table(posts: pd.DataFrame, on_duty: pd.DataFrame) -> pd.DataFrame:
    merged = posts.merge(on_duty, left_on="code", right_on="post_code", how="left")
    merged["on_duty"] = merged["on_duty"].fillna(0).astype(int)
    kinds = {"polres": "Polres", "polsek": "Polsek", "security_post": _("Security post")}
    st.dataframe(pd.DataFrame({_("Code"): merged["code"], _("Kind"): merged["kind"].map(kinds),
                               _("Name"): merged["name"].map(vl.post_name),
                               _("District"): merged["district_name"].map(vl.text),
                               _("Personnel"): merged["personnel"].map(vl.number),
                               _("On duty now"): merged["on_duty"].map(vl.number)}),
                 hide_index=True, width="stretch")
    return merged


def _ratios(merged: pd.DataFrame) -> None:
    districts = state.districts_frame("kecamatan")
    if districts.empty or merged.empty:
        return
    st.subheader(_("Personnel ratios by kecamatan"))
    registered = personnel_ratios(merged, districts)
    on_duty = personnel_ratios(merged.assign(personnel=merged["on_duty"]), districts)
    names = registered["name"].fillna(_("Whole region"))
    st.dataframe(pd.DataFrame({
        _("Kecamatan"): names, _("Personnel"): registered["officers"].map(vl.number),
        _("Officers per km²"): [vl.number(v, 2) for v in registered["officers_per_km2"]],
        _("Residents per officer"): registered["residents_per_officer"].map(vl.number),
        _("On duty now"): on_duty["officers"].map(vl.number),
        _("Residents per officer on duty"): on_duty["residents_per_officer"].map(vl.number)}),
        hide_index=True, width="stretch")


def _units() -> None:
    units = state.duty_units_frame()
    if units.empty:
        return
    st.subheader(_("Duty units"))
    st.dataframe(pd.DataFrame({
        _("Unit"): units["callsign"].map(vl.text), _("Post"): units["post_name"].map(vl.post_name),
        _("Headcount"): units["headcount"].map(vl.number),
        _("Shift start"): [format_datetime(t, "short") for t in pd.to_datetime(units["shift_start"], utc=True)],
        _("Shift end"): [format_datetime(t, "short") for t in pd.to_datetime(units["shift_end"], utc=True)],
        _("Last seen"): [format_datetime(None if pd.isna(t) else t, "short")
                         for t in pd.to_datetime(units["last_seen_at"], utc=True)]}),
        hide_index=True, width="stretch")


def _run(user: Actor, action, done: str) -> None:
    auth.check(user, "roster_edit")
    try:
        with ops_data.session_factory().begin() as session:
            outcome = action(session)
    except RosterRejected as exc:
        st.error(_("Nothing was imported. Fix these lines and upload the file again:"))
        st.code(roster_words.report_text(exc.report), language=None)
        return
    except RosterError as exc:
        st.error(_("Not saved: {reason}", reason=markdown_text(roster_words.problem_text(exc))))
        return
    detail = f" ({markdown_text(roster_words.summary_text(outcome))})" if isinstance(outcome, RosterReport) else ""
    st.session_state[FLASH] = done + detail
    st.rerun()


def _upload(label: str, key: str):
    # Streamlit draws its uploader's button and size line in English only ("Upload", "5MB per file");
    # the caption says the same in the user's language (docs/dashboard.md lists what stays English).
    megabytes = MAX_UPLOAD_BYTES // (1024 * 1024)
    file = st.file_uploader(label, type=["csv", "txt"], key=key, max_upload_size=megabytes,
                            help=_("The “Upload” button opens the file chooser; you can also drag the file onto "
                                   "the box."))
    st.caption(_("A CSV or TXT file of at most {size} MB.", size=megabytes))
    if file is not None and file.size > MAX_UPLOAD_BYTES:
        st.error(_("The file is larger than 5 MB; split it."))
        return None
    return file


def _admin(user: Actor, posts: pd.DataFrame) -> None:
    st.subheader(_("Edit (admin)"))
    with st.form("post_personnel"):
        c1, c2 = st.columns(2)
        code = c1.selectbox(_("Post"), list(posts["code"]), key="post_personnel_code")
        count = c2.number_input(_("Personnel"), min_value=0, max_value=10_000, step=1, key="post_personnel_count")
        submitted = st.form_submit_button(_("Save personnel"))
    if submitted:
        _run(user, lambda s: set_post_personnel(s, user, code, int(count)), _("Personnel saved."))
    roster = _upload(_("Duty roster CSV (unit, post, headcount, shift_start, shift_end)"), "roster_upload")
    if roster is not None and st.button(_("Import the roster"), key="roster_import"):
        _run(user, lambda s: import_roster_csv(s, user, roster.getvalue(), source=roster.name), _("Roster imported."))
    positions = _upload(_("Unit positions CSV (unit, lon, lat, at)"), "positions_upload")
    if positions is not None and st.button(_("Import the positions"), key="positions_import"):
        _run(user, lambda s: import_positions_csv(s, user, positions.getvalue(), source=positions.name,
                                                   bbox=ops_data.region_bbox()), _("Positions imported."))


def render() -> None:
    user = auth.require_permission("map")
    st.title(_("Posts and duty"))
    if st.session_state.get(FLASH):
        st.success(st.session_state.pop(FLASH))
    posts = pd.DataFrame(state.posts_frame().drop(columns="geometry"))
    if posts.empty:
        st.info(_("No posts in the registry yet."))
        return
    merged = _posts_table(posts, state.personnel_on_duty())
    _ratios(merged)
    _units()
    if auth.can(user, "roster_edit"):
        _admin(user, posts)


render()
