"""Video wall tiles: a grid of low-bitrate live players, each with its state and an enlarge button."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboard.components.feed_table import state_label
from dashboard.components.player import render_player
from dashboard.i18n import _

LAYOUTS = {"2x2": 2, "3x3": 3, "4x4": 4}
TILE_HEIGHT = {2: 300, 3: 200, 4: 150}
ENLARGED_KEY = "wall_enlarged"
STATE_ICONS = {"running": "🟢", "starting": "🔵", "stalled": "🟠", "backoff": "🟠", "failed": "🔴",
               "stopped": "⚪"}


def page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def page_of(frame: pd.DataFrame, page: int, per_page: int) -> pd.DataFrame:
    """The tiles of page ``page`` (wrapping around), so cycling never runs past the end."""
    pages = page_count(len(frame), per_page)
    start = (page % pages) * per_page
    return frame.iloc[start:start + per_page]


def _enlarge(code: str) -> None:
    st.session_state[ENLARGED_KEY] = code


def tile_caption(feed) -> str:
    state = feed["state"]
    text = f"{STATE_ICONS.get(state, '⚪')} **{feed['camera_code']}** · {state_label(state)}"
    if feed.get("last_error") and state != "running":
        text += f" · {feed['last_error']}"
    return text


def render_tile(feed, user: str, side: int) -> None:
    render_player(feed["camera_code"], user, height=TILE_HEIGHT[side], low_bitrate=True,
                  status=feed, base_url=feed.get("node_url") or None)
    left, right = st.columns([4, 1])
    left.markdown(tile_caption(feed))
    right.button("⤢", key=f"wall_enlarge_{feed['camera_code']}", help=_("Enlarge"),
                 on_click=_enlarge, args=(feed["camera_code"],))


def render_grid(tiles: pd.DataFrame, user: str, side: int) -> None:
    records = tiles.to_dict("records")
    for row_start in range(0, len(records), side):
        columns = st.columns(side)
        for column, feed in zip(columns, records[row_start:row_start + side], strict=False):
            with column.container(border=True):
                render_tile(_Feed(feed), user, side)


def render_enlarged(feed, user: str) -> None:
    st.subheader(f"{feed['camera_code']} · {feed.get('camera_name') or ''}")
    render_player(feed["camera_code"], user, height=540, status=feed, base_url=feed.get("node_url") or None)
    st.button(_("Back to the wall"), key="wall_close", on_click=_close_enlarged)


def _close_enlarged() -> None:
    st.session_state.pop(ENLARGED_KEY, None)


class _Feed(dict):
    """A row as a mapping that also answers attribute access (what render_player reads)."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None
