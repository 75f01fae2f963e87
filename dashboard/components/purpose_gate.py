"""The purpose a user states before video plays or data leaves (geo/purpose.py holds the rule).

``ask(where)`` returns the session's current purpose, or draws the question (an open incident, or a
reason from the configured list) and returns None until it is answered; callers show nothing of the
video or export until then. The answer holds for one shift (geo.purpose.PURPOSE_HOURS) and can be
changed under any player (``show_current``). Every live view, registry export and footage request
records it in the audit log.
"""
from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import deps, state
from dashboard.i18n import _
from geo.purpose import Purpose, PurposeError, PurposeKind, PurposePolicy, PurposeProhibited

PURPOSE_KEY = "_viewing_purpose"


def reason_labels() -> dict[str, str]:
    """Words for the default reasons; a reason added in configuration shows as its key, humanised."""
    return {"patrol_monitoring": _("Patrol monitoring"), "incident_response": _("Responding to an incident"),
            "investigation": _("Investigation"), "event_security": _("Event security"),
            "traffic_management": _("Traffic management"), "missing_person": _("Missing person search"),
            "briefing_screen": _("Command-centre briefing screen")}


def reason_label(key: str) -> str:
    return reason_labels().get(key, key.replace("_", " ").capitalize())


def describe(purpose: Purpose) -> str:
    if purpose.kind is PurposeKind.CASE:
        return _("incident {code}", code=purpose.value)
    return reason_label(purpose.value)


def policy() -> PurposePolicy:
    return deps.settings().purpose_policy()


def _now() -> datetime:
    return datetime.now(UTC)


def current() -> Purpose | None:
    purpose = st.session_state.get(PURPOSE_KEY)
    return purpose if isinstance(purpose, Purpose) and purpose.is_current(_now()) else None


def refusal_text(exc: PurposeError) -> str:
    if isinstance(exc, PurposeProhibited):
        return _("This purpose is prohibited: the programme's cameras may not be watched for it.")
    return _("That purpose cannot be used (the incident may have been closed). Choose an open incident or a "
             "reason from the list.")


def choose(kind: PurposeKind | str, value: str) -> Purpose | None:
    """Check and keep a purpose for this session; show why when it is refused."""
    try:
        chosen = policy().check(kind, value, _now(), state.open_incident_codes())
    except PurposeError as exc:
        st.error(refusal_text(exc))
        return None
    st.session_state[PURPOSE_KEY] = chosen
    return chosen


def ask(where: str) -> Purpose | None:
    """The current purpose, or the question (keys prefixed ``where``) and None until it is answered."""
    found = current()
    if found is not None:
        return found
    with st.container(border=True):
        st.markdown("**" + _("Why are you looking?") + "**")
        st.caption(_("State the purpose before the video starts or data leaves. It is kept in the audit log with "
                     "every camera you watch and holds for this shift."))
        codes = state.open_incident_codes()
        kind = PurposeKind.REASON            # with no open incident, a reason is the only answer: no choice shown
        if codes:
            kinds = {_("An open incident"): PurposeKind.CASE, _("A reason"): PurposeKind.REASON}
            kind = kinds[st.radio(_("Purpose"), list(kinds), horizontal=True, key=f"{where}_purpose_kind")]
        if kind is PurposeKind.CASE:
            value = st.selectbox(_("Incident"), codes, key=f"{where}_purpose_case")
        else:
            value = st.selectbox(_("Reason"), policy().choices, key=f"{where}_purpose_reason",
                                 format_func=reason_label)
        if st.button(_("Continue"), key=f"{where}_purpose_go", type="primary") and value:
            if choose(kind, value) is not None:
                st.rerun()
    return None


BRIEFING_REASON = "briefing_screen"


def briefing_purpose() -> Purpose | None:
    """The unattended briefing screen's fixed purpose, while the configuration allows it."""
    try:
        return policy().check(PurposeKind.REASON, BRIEFING_REASON, _now())
    except PurposeError:
        return None


def show_current(where: str) -> None:
    """One line under a player: the purpose in force, and a way to change it."""
    found = current()
    if found is None:
        return
    left, right = st.columns([5, 1])
    left.caption(_("Purpose: {purpose}", purpose=describe(found)))
    if right.button(_("Change"), key=f"{where}_purpose_change"):
        st.session_state.pop(PURPOSE_KEY, None)
        st.rerun()
