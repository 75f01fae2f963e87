"""Video wall: low-bitrate tiles of the watched (pinned) feeds, cycling through pages by itself."""
from __future__ import annotations

import time

import streamlit as st

from dashboard import auth, deps
from dashboard.components import audit_hooks, purpose_gate, relay_access
from dashboard.components.wall import (
    ENLARGED_KEY,
    LAYOUTS,
    page_count,
    page_of,
    render_enlarged,
    render_grid,
    watched_feeds,
)
from dashboard.i18n import _

CYCLE_CHOICES = (10, 20, 30, 60)
MANUAL_PAGE_KEY = "wall_page"


def _watched(client):
    try:
        return watched_feeds(client.list_feeds())
    except relay_access.relay_errors() as exc:
        st.error(relay_access.describe_relay_error(exc))
        return None


def _page_number(pages: int, cycle_s: int | None) -> int:
    if cycle_s:
        return int(time.time() // cycle_s) % pages
    return st.session_state.get(MANUAL_PAGE_KEY, 0) % pages


def _turn_page(step: int) -> None:
    st.session_state[MANUAL_PAGE_KEY] = st.session_state.get(MANUAL_PAGE_KEY, 0) + step


def _manual_pager() -> None:
    left, right = st.columns(2)
    left.button(_("Previous page"), key="wall_prev", on_click=_turn_page, args=(-1,))
    right.button(_("Next page"), key="wall_next", on_click=_turn_page, args=(1,))


def wall_body(side: int, cycle_s: int | None) -> None:
    client = deps.relay_client()
    feeds = _watched(client)
    if feeds is None:
        return
    if not feeds:
        st.info(_("No feed is pinned (always on). Pin feeds on the Feeds page to show them here."))
        return
    enlarged = [f for f in feeds if f.camera_code == st.session_state.get(ENLARGED_KEY)]
    if enlarged:
        render_enlarged(enlarged[0], auth.current_username())
        return
    per_page = side * side
    pages = page_count(len(feeds), per_page)
    page = _page_number(pages, cycle_s)
    st.caption(_("Page {page} of {pages} · {count} watched feeds", page=page + 1, pages=pages,
                 count=len(feeds)))
    if not cycle_s and pages > 1:
        _manual_pager()
    render_grid(page_of(feeds, page, per_page), auth.current_username(), side)


def _low_bitrate_action(client) -> None:
    if not auth.can(auth.current_user(), "relay_control"):
        return
    if not st.button(_("Use the low-bitrate profile for all watched feeds"), key="wall_low_bitrate",
                     help=_("Sets the relay's low-bitrate profile on every pinned feed.")):
        return
    feeds = _watched(client)
    if feeds is None:
        return
    try:
        profile = client.options().low_bitrate_profile
        for feed in feeds:
            if feed.profile != profile:
                client.update(feed.camera_code, profile=profile, on_behalf_of=auth.current_username())
                audit_hooks.feed_control(auth.current_username(), feed.camera_code, "profile", {"profile": profile})
    except relay_access.relay_errors() as exc:
        st.error(relay_access.describe_relay_error(exc))
        return
    st.success(_("The watched feeds now use {profile}.", profile=profile))


def render() -> None:
    auth.require_permission("wall")
    st.title(_("Video wall"))
    if purpose_gate.ask("wall") is None:       # no tile plays before the purpose is stated
        return
    purpose_gate.show_current("wall")
    left, middle, right = st.columns([2, 2, 2])
    layout = left.radio(_("Layout"), list(LAYOUTS), horizontal=True, key="wall_layout")
    cycle = middle.select_slider(_("Next page every (seconds)"), CYCLE_CHOICES, value=20, key="wall_cycle")
    paused = right.toggle(_("Pause cycling"), key="wall_paused")
    _low_bitrate_action(deps.relay_client())
    cycle_s = None if paused or st.session_state.get(ENLARGED_KEY) else cycle
    st.fragment(wall_body, run_every=cycle_s)(LAYOUTS[layout], cycle_s)


render()
