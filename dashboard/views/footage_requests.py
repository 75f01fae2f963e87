"""Footage requests (Permintaan rekaman): every open request, most urgent first, grouped by Polsek, with
status changes (who/when kept), the history, the printable letter and a CSV export."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth
from dashboard.components import ops_data
from dashboard.components import value_labels as vl
from dashboard.components.camera_card import markdown_text
from dashboard.components.error_notice import show_error
from dashboard.components.evidence_panel import render_evidence, signed_letter
from dashboard.i18n import _, format_datetime, format_number
from db.audit import csv_text
from db.footage import (
    FootageError,
    FootageNotFound,
    change_status,
    footage_queue,
    grouped_by_polsek,
    history,
    record_letter_printed,
    request_row,
)
from db.users import Actor
from geo.letter import render_letter_html
from geo.urgency import FOOTAGE_TRANSITIONS, FootageStatus

SELECTED = "footage_selected"
LETTER_SHOWN = "footage_letter_shown"
FROM_MAP = "footage_request_for"  # camera code handed over by the map's camera card (state.FOOTAGE_REQUEST_FOR)


def status_label(value: str) -> str:
    return {"requested": _("Requested"), "owner_contacted": _("Owner contacted"), "received": _("Received"),
            "reviewed": _("Reviewed"), "unavailable": _("Unavailable")}.get(value, value)


def time_left(row) -> str:
    u = row.urgency
    if u.unknown:
        return _("DVR retention unknown: ask now")
    if u.overdue:
        return _("Overwritten {hours} h ago (probably)", hours=format_number(-u.hours_left, 0))
    return _("{hours} h left", hours=format_number(u.hours_left, 0))


def _table(rows, contacts: bool) -> pd.DataFrame:
    records = []
    for r in rows:
        record = {_("Request"): r.id, _("Time left"): time_left(r), _("Deadline"): format_datetime(r.deadline, "short"),
                  _("Status"): status_label(r.status.value), _("Incident"): r.incident_code,
                  _("Camera"): r.camera_code, _("Owner"): vl.text(r.owner_name)}
        if contacts:
            record[_("Owner phone")] = vl.text(r.owner_phone)
        records.append(record)
    return pd.DataFrame(records)


def _filters(user: Actor):
    posts = ops_data._posts(ops_data.database_key(), ops_data.registry_version())
    polsek = posts[posts["kind"] == "polsek"] if not posts.empty else posts
    options = ["", *list(polsek["code"])] if not polsek.empty else [""]
    names = {"": _("All Polsek")} | (dict(zip(polsek["code"], polsek["name"], strict=True)) if not polsek.empty else {})
    c1, c2 = st.columns([3, 1])
    chosen = c1.selectbox(_("Polsek"), options, format_func=names.__getitem__, key="footage_polsek")
    finished = c2.toggle(_("Include finished"), key="footage_finished")
    return chosen or None, finished


def _export(rows) -> None:
    header = ["request", "hours_left", "deadline_utc", "status", "incident", "camera", "owner", "polsek"]
    body = [[r.id, "" if r.urgency.hours_left is None else round(r.urgency.hours_left, 1),
             r.deadline.isoformat() if r.deadline else "", r.status.value, r.incident_code, r.camera_code or "",
             r.owner_name or "", r.polsek_name or ""] for r in rows]
    st.download_button(_("Download CSV"), csv_text(header, body), file_name="footage_requests.csv",
                       mime="text/csv", key="footage_csv")


def _status_form(user: Actor, row) -> None:
    allowed = sorted(FOOTAGE_TRANSITIONS[row.status], key=list(FootageStatus).index)
    if not allowed or not auth.can(user, "footage.edit"):
        return
    with st.form("footage_status_form"):
        labels = {s.value: status_label(s.value) for s in allowed}
        new = st.selectbox(_("New status"), list(labels), format_func=labels.__getitem__, key="footage_new_status")
        note = st.text_input(_("Note (who you spoke to, what was handed over)"), max_chars=1000,
                             key="footage_note")
        submitted = st.form_submit_button(_("Change status"))
    if submitted:
        auth.check(user, "footage.edit")
        try:
            with ops_data.session_factory().begin() as session:
                change_status(session, user, row.id, new, note)
        except (FootageError, FootageNotFound) as exc:
            show_error(_("The status was not changed: the request may have changed in the meantime. Reload the "
                         "page and try again."), exc)
            return
        st.rerun()


def _history(user: Actor, row) -> None:
    with ops_data.session_factory()() as session:
        events = history(session, user, row.id)
    st.dataframe(pd.DataFrame([{_("When"): format_datetime(e.at, "short"), _("Who"): e.actor,
                                _("From"): status_label(e.from_status.value) if e.from_status else "",
                                _("To"): status_label(e.to_status.value), _("Note"): e.note or ""}
                               for e in events]), hide_index=True, width="stretch")


def _letter(user: Actor, row) -> None:
    if not auth.can(user, "footage.edit"):
        return
    if st.button(_("Show the request letter"), key="footage_letter_button"):
        auth.check(user, "footage.edit")
        with ops_data.session_factory().begin() as session:
            record_letter_printed(session, user, row.id)
        st.session_state[LETTER_SHOWN] = row.id
    if st.session_state.get(LETTER_SHOWN) == row.id:
        html = render_letter_html(signed_letter(user, row))
        st.download_button(_("Download the letter (HTML, print or save as PDF)"), html,
                           file_name=f"permohonan-rekaman-{row.id}.html", mime="text/html", key="letter_download")
        st.iframe(html, height=900)


def _detail(user: Actor, rows) -> None:
    ids = [r.id for r in rows]
    chosen = st.session_state.get(SELECTED)
    labels = {r.id: f"#{r.id} · {r.camera_code} · {r.incident_code}" for r in rows}
    pick = st.selectbox(_("Request"), ids, index=ids.index(chosen) if chosen in ids else 0, key="footage_pick",
                        format_func=labels.__getitem__)
    st.session_state[SELECTED] = pick
    with ops_data.session_factory()() as session:
        row = request_row(session, user, pick)
    st.subheader(_("Request #{id}", id=row.id))
    st.text(_("Window: {start} to {end}", start=format_datetime(row.window_start, "short"),
              end=format_datetime(row.window_end, "short")))
    if auth.can(user, "owner_contacts"):
        st.text(" · ".join(v for v in (row.owner_name, row.owner_phone, row.owner_email, row.owner_address) if v))
    _history(user, row)
    _status_form(user, row)
    _letter(user, row)
    render_evidence(user, row)


def render() -> None:
    user = auth.require_permission("footage")
    st.title(_("Footage requests"))
    st.caption(_("Most urgent first: hours left before the owner's recorder overwrites the event."))
    handed_over = st.session_state.get(FROM_MAP)
    if handed_over:
        st.info(_("Footage from camera {code}: record the incident first on the Incidents page (the camera is "
                  "filled in there), then request the footage from the incident.", code=markdown_text(handed_over)))
    polsek, finished = _filters(user)
    with ops_data.session_factory()() as session:
        rows = footage_queue(session, user, polsek_code=polsek, include_finished=finished)
    if not rows:
        st.info(_("No footage requests to work on."))
        return
    contacts = auth.can(user, "owner_contacts")
    for name, group in grouped_by_polsek(rows).items():
        st.markdown("**" + (markdown_text(name) if name else _("Outside any Polsek jurisdiction")) + "**")
        st.dataframe(_table(group, contacts), hide_index=True, width="stretch")
    _export(rows)
    _detail(user, rows)


render()
