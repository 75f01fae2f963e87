"""The operators' feed table: the relay's feeds as a frame, filtered and shown with translated headers.

Feeds come from the relay client as relay/api_models.FeedView; only the fields listed in FEED_COLUMNS
are read, none of which can hold a stream URL.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from dashboard.i18n import _, format_datetime, format_number
from geo.feed_health import FeedHealth, feed_health
from geo.vocabulary import Connection, FeedMode, FeedState
from relay.api_models import FeedView

FEED_COLUMNS = ("camera_code", "camera_name", "mode", "profile", "state", "since", "fps", "bitrate_kbps",
                "codec", "restarts", "last_error", "node_url")
STATES = tuple(s.value for s in (FeedState.RUNNING, FeedState.STARTING, FeedState.STALLED, FeedState.BACKOFF,
                                 FeedState.FAILED, FeedState.STOPPED))
MODES = tuple(m.value for m in FeedMode)


def _row(feed: FeedView) -> dict:
    return {"camera_code": feed.camera_code, "camera_name": feed.camera_name, "mode": feed.mode.value,
            "profile": feed.profile, "state": feed.state.value, "since": feed.state_since, "fps": feed.fps,
            "bitrate_kbps": feed.bitrate_kbps, "codec": feed.codec, "restarts": feed.restarts,
            "last_error": feed.last_error, "node_url": feed.node_url}


def feeds_frame(feeds: Iterable[FeedView]) -> pd.DataFrame:
    """The feeds as a table for filtering and display (strings for the enums, one row per feed)."""
    frame = pd.DataFrame([_row(feed) for feed in feeds], columns=list(FEED_COLUMNS))
    frame["since"] = frame["since"].astype(object).where(frame["since"].notna(), None)
    frame["restarts"] = frame["restarts"].fillna(0).astype(int)
    return frame.sort_values("camera_code", kind="stable").reset_index(drop=True)


def failing_count(frame: pd.DataFrame) -> tuple[int, int]:
    """(feeds that should be running, how many of them fail), by geo.feed_health's rule."""
    health = [feed_health(Connection.CONNECTED, mode, state) for mode, state in zip(frame["mode"], frame["state"],
                                                                                     strict=True)]
    active = [h for h in health if h not in (FeedHealth.OFF, FeedHealth.IDLE)]
    return len(active), sum(1 for h in active if h in (FeedHealth.FAILING, FeedHealth.NOT_RUNNING))


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
    # numbers in the reader's format (25,0 in Indonesian) and a dash, never "None", where nothing is known
    shown["fps"] = [format_number(None if pd.isna(v) else v, 1) for v in shown["fps"]]
    shown["bitrate_kbps"] = [format_number(None if pd.isna(v) else v, 0) for v in shown["bitrate_kbps"]]
    for column in ("codec", "last_error"):
        shown[column] = shown[column].fillna("–")
    return shown


def render_feed_table(frame: pd.DataFrame) -> None:
    config = {
        "camera_code": st.column_config.TextColumn(_("Camera")),
        "camera_name": st.column_config.TextColumn(_("Name")),
        "mode": st.column_config.TextColumn(_("Mode")),
        "profile": st.column_config.TextColumn(_("Profile")),
        "state": st.column_config.TextColumn(_("State")),
        "since": st.column_config.TextColumn(_("Since")),
        "fps": st.column_config.TextColumn(_("FPS")),
        "bitrate_kbps": st.column_config.TextColumn(_("Bitrate (kbit/s)")),
        "codec": st.column_config.TextColumn(_("Codec")),
        "restarts": st.column_config.NumberColumn(_("Restarts")),
        "last_error": st.column_config.TextColumn(_("Last error"), width="large"),
    }
    st.dataframe(display_frame(frame), column_config=config, hide_index=True, width="stretch")
