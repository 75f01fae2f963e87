"""The operators' feed table: the relay's feeds as a frame, filtered and shown with translated headers.

Feeds come from the relay client (FeedRecord-like objects or plain dicts decoded from JSON); only the
fields listed in FEED_COLUMNS are read, none of which can hold a stream URL.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard.i18n import _, format_datetime

FEED_COLUMNS = ("camera_code", "camera_name", "mode", "profile", "state", "since", "fps", "bitrate_kbps",
                "codec", "restarts", "last_error", "node_url")
STATES = ("running", "starting", "stalled", "backoff", "failed", "stopped")
MODES = ("always_on", "on_demand", "off")
WATCHED_MODE = "always_on"


def feed_value(feed, name: str, default=None):
    """A field of a feed given as an object or a dict; enums become their values."""
    if isinstance(feed, dict):
        value = feed.get(name, default)
    else:
        value = getattr(feed, name, default)
    if name == "since" and value is None:
        value = feed_value(feed, "state_since")
    return getattr(value, "value", value)


def _moment(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def feeds_frame(feeds: Iterable) -> pd.DataFrame:
    rows = [{name: feed_value(feed, name) for name in FEED_COLUMNS} for feed in feeds]
    frame = pd.DataFrame(rows, columns=list(FEED_COLUMNS))
    frame["since"] = [_moment(v) for v in frame["since"]]
    frame["restarts"] = frame["restarts"].fillna(0).astype(int)
    return frame.sort_values("camera_code", kind="stable").reset_index(drop=True)


def filter_feeds(frame: pd.DataFrame, states: Iterable[str] = (), modes: Iterable[str] = (),
                 text: str = "") -> pd.DataFrame:
    """Feeds in any of ``states`` and ``modes`` (empty means all) whose code or name holds ``text``."""
    mask = pd.Series(True, index=frame.index)
    states, modes = list(states), list(modes)
    if states:
        mask &= frame["state"].isin(states)
    if modes:
        mask &= frame["mode"].isin(modes)
    needle = text.strip().lower()
    if needle:
        haystack = frame["camera_code"].fillna("").str.lower() + " " + frame["camera_name"].fillna("").str.lower()
        mask &= haystack.str.contains(needle, regex=False)
    return frame[mask].reset_index(drop=True)


def watched_feeds(frame: pd.DataFrame) -> pd.DataFrame:
    """The feeds duty officers watch on the wall: the pinned (always-on) ones, by code."""
    return frame[frame["mode"] == WATCHED_MODE].reset_index(drop=True)


def state_label(state: str | None) -> str:
    labels = {"running": _("running"), "starting": _("starting"), "stalled": _("stalled"),
              "backoff": _("backoff"), "failed": _("failed"), "stopped": _("stopped")}
    return labels.get(state or "", state or "–")


def mode_label(mode: str | None) -> str:
    labels = {"always_on": _("always on (pinned)"), "on_demand": _("on demand"), "off": _("off")}
    return labels.get(mode or "", mode or "–")


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.drop(columns=["node_url"]).copy()
    shown["state"] = shown["state"].map(state_label)
    shown["mode"] = shown["mode"].map(mode_label)
    shown["since"] = [format_datetime(v, "short") if v is not None and not pd.isna(v) else "–"
                      for v in shown["since"]]
    return shown


def render_feed_table(frame: pd.DataFrame) -> None:
    config = {
        "camera_code": st.column_config.TextColumn(_("Camera")),
        "camera_name": st.column_config.TextColumn(_("Name")),
        "mode": st.column_config.TextColumn(_("Mode")),
        "profile": st.column_config.TextColumn(_("Profile")),
        "state": st.column_config.TextColumn(_("State")),
        "since": st.column_config.TextColumn(_("Since")),
        "fps": st.column_config.NumberColumn(_("FPS"), format="%.1f"),
        "bitrate_kbps": st.column_config.NumberColumn(_("Bitrate (kbit/s)"), format="%.0f"),
        "codec": st.column_config.TextColumn(_("Codec")),
        "restarts": st.column_config.NumberColumn(_("Restarts")),
        "last_error": st.column_config.TextColumn(_("Last error"), width="large"),
    }
    st.dataframe(display_frame(frame), column_config=config, hide_index=True, width="stretch")
