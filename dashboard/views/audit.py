"""Audit log (Log audit), admins only: filter who did what and when, export it, apply the retention."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from datetime import time as dtime

import pandas as pd
import streamlit as st

from dashboard import auth
from dashboard.components import ops_data
from dashboard.components.camera_card import markdown_text
from dashboard.i18n import DISPLAY_TZ, _, format_datetime, format_number, now_local
from db.audit import (
    DEFAULT_RETENTION_DAYS,
    AuditAction,
    AuditError,
    AuditFilter,
    export_csv,
    purge_older_than,
    read_events,
)
from db.users import Actor

EXPORT_KEY = "audit_export_csv"


def _filter_form() -> AuditFilter | None:
    today = now_local().date()
    with st.form("audit_filter"):
        c1, c2 = st.columns(2)
        since = c1.date_input(_("From (date)"), value=today - timedelta(days=7), key="audit_since")
        until = c2.date_input(_("Until (date, inclusive)"), value=today, key="audit_until")
        c3, c4, c5 = st.columns(3)
        actor = c3.text_input(_("User"), key="audit_actor")
        actions = c4.multiselect(_("Actions"), [a.value for a in AuditAction], key="audit_actions",
                                 placeholder=_("All actions"), select_all=False)
        target = c5.text_input(_("Target contains (camera, case, user)"), key="audit_target")
        st.form_submit_button(_("Apply filter"))
    try:
        return AuditFilter(since=datetime.combine(since, dtime(0), tzinfo=DISPLAY_TZ),
                           until=datetime.combine(until + timedelta(days=1), dtime(0), tzinfo=DISPLAY_TZ),
                           actor=actor.strip() or None, actions=tuple(actions),
                           target_contains=target.strip() or None)
    except AuditError as exc:
        st.error(_("The filter cannot be used: {reason}", reason=markdown_text(exc)))
        return None


def _events_table(user: Actor, flt: AuditFilter) -> None:
    with ops_data.session_factory()() as session:
        rows = read_events(session, user, flt)
    st.caption(_("{count} events (newest first)", count=format_number(len(rows))))
    st.dataframe(pd.DataFrame([{_("When"): format_datetime(r.at, "short"), _("User"): r.actor, _("Action"): r.action,
                                _("Target"): r.target or "",
                                _("Detail"): json.dumps(r.detail, ensure_ascii=False) if r.detail else ""}
                               for r in rows]), hide_index=True, width="stretch")


def _export(user: Actor, flt: AuditFilter) -> None:
    if st.button(_("Prepare CSV export"), key="audit_prepare_export"):
        auth.check(user, "audit")
        with ops_data.session_factory().begin() as session:
            st.session_state[EXPORT_KEY] = export_csv(session, user, flt)
    if st.session_state.get(EXPORT_KEY):
        st.download_button(_("Download the audit log (CSV)"), st.session_state[EXPORT_KEY],
                           file_name="audit_log.csv", mime="text/csv", key="audit_download")


def _retention(user: Actor) -> None:
    with st.expander(_("Retention")):
        days = st.number_input(_("Keep events for (days)"), min_value=30, max_value=3650,
                               value=DEFAULT_RETENTION_DAYS, key="audit_retention_days")
        confirm = st.checkbox(_("I understand that older events are deleted for good"), key="audit_purge_confirm")
        if st.button(_("Delete older events"), key="audit_purge", disabled=not confirm):
            auth.check(user, "audit")
            try:
                with ops_data.session_factory().begin() as session:
                    deleted = purge_older_than(session, user, int(days))
            except AuditError as exc:
                st.error(markdown_text(exc))
                return
            st.success(_("{count} events deleted.", count=format_number(deleted)))


def render() -> None:
    user = auth.require_permission("audit")
    st.title(_("Audit log"))
    flt = _filter_form()
    if flt is None:
        return
    _events_table(user, flt)
    _export(user, flt)
    _retention(user)


render()
