"""Umpan (Feeds): the relay's feeds for operators, with start/stop/restart/pin/profile actions.

Every action goes through the relay's HTTP API (RelayClient); the relay's refusals and outages are
shown as translated sentences saying what to do.
"""
from __future__ import annotations

import streamlit as st

from dashboard import auth, deps, i18n
from dashboard.components import audit_hooks, relay_access, stack_notice
from dashboard.components.feed_table import (
    MODES,
    STATES,
    failing_count,
    feeds_frame,
    filter_feeds,
    mode_label,
    render_feed_table,
    state_label,
)
from dashboard.i18n import _

ACTIONS = ("start", "stop", "restart", "pin", "unpin")
NOTICES_KEY = "feeds_notices"
TABLE_REFRESH_S = 5


def _load_feeds(client):
    try:
        return feeds_frame(client.list_feeds())
    except relay_access.relay_errors() as exc:
        st.error(relay_access.describe_relay_error(exc))
        return None


def _filters() -> tuple[list[str], list[str], str]:
    left, middle, right = st.columns([2, 2, 3])
    state_labels = {s: state_label(s) for s in STATES}  # format_func must not read the session later
    mode_labels = {m: mode_label(m) for m in MODES}
    # No "Select all" entry (Streamlit writes it in English): an empty filter already means all.
    states = left.multiselect(_("State"), STATES, format_func=state_labels.__getitem__, key="feeds_states",
                              placeholder=_("All states"), select_all=False)
    modes = middle.multiselect(_("Mode"), MODES, format_func=mode_labels.__getitem__, key="feeds_modes",
                               placeholder=_("All modes"), select_all=False)
    text = right.text_input(_("Search code or name"), key="feeds_search")
    return states, modes, text


def live_table(client, filters: tuple[list[str], list[str], str]) -> None:
    """The feed table, re-read from the relay every TABLE_REFRESH_S seconds (a fragment) so states move."""
    frame = _load_feeds(client)
    if frame is None:
        return
    shown = filter_feeds(frame, *filters)
    active, failing = failing_count(frame)
    if active and failing == active:
        st.warning(_("All {count} feeds that should run are failing: the relay answers, but it cannot reach the "
                     "cameras. Check the network to the cameras and their stream URLs; the last error of each "
                     "feed is in the table.", count=active))
    elif failing:
        st.warning(_("{failing} of {count} feeds that should run are failing; the table shows why.",
                     failing=failing, count=active))
    st.caption(_("{shown} of {total} feeds shown", shown=len(shown), total=len(frame)))
    render_feed_table(shown)


def _call(client, action: str, code: str, profile: str | None, user: str) -> None:
    if action == "pin":
        client.update(code, mode="always_on", on_behalf_of=user)
    elif action == "unpin":
        client.update(code, mode="on_demand", on_behalf_of=user)
    elif action == "profile":
        client.update(code, profile=profile, on_behalf_of=user)
    else:
        getattr(client, action)(code, on_behalf_of=user)


def run_action(client, action: str, codes: list[str], profile: str | None = None) -> None:
    """Apply one action to each chosen feed (one refusal does not stop the others), then reload."""
    notices, done = [], 0
    user = auth.current_username()
    for code in codes:
        try:
            _call(client, action, code, profile, user)
            done += 1
            audit_hooks.feed_control(user, code, action, {"profile": profile} if profile else None)
        except relay_access.relay_errors() as exc:
            notices.append(("error", f"{code}: {relay_access.describe_relay_error(exc)}"))
    if done:
        notices.append(("success", _("{action}: done for {count} feed(s).", action=_action_label(action),
                                     count=done)))
    st.session_state[NOTICES_KEY] = notices
    st.rerun()


def _show_notices() -> None:
    for kind, text in st.session_state.pop(NOTICES_KEY, []):
        (st.error if kind == "error" else st.success)(text)


def _action_label(action: str) -> str:
    labels = {"start": _("Start"), "stop": _("Stop"), "restart": _("Restart"), "pin": _("Pin (always on)"),
              "unpin": _("Unpin (on demand)"), "profile": _("Apply profile")}
    return labels[action]


def profile_label(profile) -> str:
    """A profile as operators choose it: its name and what it does (relay/api_models.ProfileView)."""
    if not profile.transcode:
        return _("{name} · as the camera sends it (H.265 is converted)", name=profile.name)
    size = _("{lines}p", lines=profile.height) if profile.height else _("camera size")
    return _("{name} · H.264 {size}, {kbps} kbit/s", name=profile.name, size=size, kbps=profile.video_bitrate_kbps)


def _actions(client, shown) -> None:
    if not auth.can(auth.current_user(), "relay_control"):
        return
    try:
        options = client.options()
    except relay_access.relay_errors() as exc:
        st.error(relay_access.describe_relay_error(exc))
        return
    labels = {p.name: profile_label(p) for p in options.profiles}
    codes = st.multiselect(_("Feeds to act on"), list(shown["camera_code"]), key="feeds_selected",
                           placeholder=_("Choose one or more feeds"), select_all=i18n.streamlit_select_all())
    columns = st.columns(len(ACTIONS) + 2)
    for column, action in zip(columns, ACTIONS, strict=False):
        if column.button(_action_label(action), key=f"feeds_{action}", disabled=not codes):
            run_action(client, action, codes)
    profile = columns[-2].selectbox(_("Profile"), list(labels), key="feeds_profile", label_visibility="collapsed",
                                    format_func=labels.__getitem__)
    if columns[-1].button(_action_label("profile"), key="feeds_apply_profile", disabled=not codes):
        run_action(client, "profile", codes, profile)


def _relay_status(client) -> bool:
    """Show which relay node answers; False (with the reason and what to do) when it does not."""
    try:
        health = client.healthz()
    except relay_access.relay_errors() as exc:
        st.error(relay_access.describe_relay_error(exc))
        return False
    st.caption(_("Relay node {node} ({status}) · {running} of {count} feeds play here, {failing} failing · "
                 "database {database}", node=health.node_id, status=health.status, running=health.running,
                 count=health.local_feeds, failing=health.failing, database=health.database))
    return True


def _details(client, shown) -> None:
    with st.expander(_("Feed details and ffmpeg log")):
        code = st.selectbox(_("Feed"), list(shown["camera_code"]), index=None, key="feeds_detail_code")
        if code is None:
            return
        try:
            detail = client.get_feed(code)
        except relay_access.relay_errors() as exc:
            st.error(relay_access.describe_relay_error(exc))
            return
        st.caption(_("{width}×{height} · transcoding: {transcoding} · playlist age {age} s",
                     width=detail.width or "–", height=detail.height or "–",
                     transcoding=_("yes") if detail.transcoding else _("no"),
                     age=f"{detail.segment_age_s:.1f}" if detail.segment_age_s is not None else "–"))
        st.code("\n".join(detail.log_tail) or _("(no log lines yet)"), language=None)


def render() -> None:
    auth.require_permission("feeds")
    st.title(_("Feeds"))
    st.caption(_("Relay feeds: desired mode and profile, and what the relay observes."))
    _show_notices()
    stack_notice.render(deps.settings().data_dir)
    client = deps.relay_client()
    frame = _load_feeds(client) if _relay_status(client) else None
    if frame is None:
        return
    filters = _filters()
    st.fragment(live_table, run_every=TABLE_REFRESH_S)(client, filters)
    shown = filter_feeds(frame, *filters)
    _actions(client, shown)
    _details(client, shown)


render()
