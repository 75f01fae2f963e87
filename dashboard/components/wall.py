"""Video wall tiles: a grid of low-bitrate live players, each with its state and an enlarge button.

Tiles are the relay's own feed views (relay/api_models.FeedView), passed as they came from the client.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

import streamlit as st

from dashboard.components.feed_table import state_label
from dashboard.components.player import render_player
from dashboard.i18n import _
from geo.vocabulary import FeedMode, FeedState
from relay.api_models import FeedView

LAYOUTS = {"2x2": 2, "3x3": 3, "4x4": 4}
TILE_HEIGHT = {2: 300, 3: 200, 4: 150}
ENLARGED_KEY = "wall_enlarged"
T = TypeVar("T")
# Material Symbols in Streamlit's colours: drawn with the font Streamlit ships (emoji need an emoji font)
STATE_ICONS = {FeedState.RUNNING: ":green[:material/check_circle:]", FeedState.STARTING: ":blue[:material/circle:]",
               FeedState.STALLED: ":orange[:material/warning:]", FeedState.BACKOFF: ":orange[:material/warning:]",
               FeedState.FAILED: ":red[:material/error:]", FeedState.STOPPED: ":gray[:material/circle:]"}


def watched_feeds(feeds: Sequence[FeedView]) -> list[FeedView]:
    """The feeds duty officers watch on the wall: the pinned (always-on) ones, by code."""
    return sorted((f for f in feeds if f.mode == FeedMode.ALWAYS_ON), key=lambda f: f.camera_code)


def page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def page_of(items: Sequence[T], page: int, per_page: int) -> Sequence[T]:
    """The tiles of page ``page`` (wrapping around), so cycling never runs past the end."""
    pages = page_count(len(items), per_page)
    start = (page % pages) * per_page
    return items[start:start + per_page]


def _enlarge(code: str) -> None:
    st.session_state[ENLARGED_KEY] = code


def tile_caption(feed: FeedView) -> str:
    icon = STATE_ICONS.get(feed.state, ":gray[:material/circle:]")
    text = f"{icon} **{feed.camera_code}** · {state_label(feed.state)}"
    if feed.last_error and feed.state != FeedState.RUNNING:
        text += f" · {feed.last_error}"
    return text


def render_tile(feed: FeedView, user: str, side: int) -> None:
    render_player(feed.camera_code, user, height=TILE_HEIGHT[side], low_bitrate=True, feed=feed)
    left, right = st.columns([4, 1])
    left.markdown(tile_caption(feed))
    right.button("⤢", key=f"wall_enlarge_{feed.camera_code}", help=_("Enlarge"),
                 on_click=_enlarge, args=(feed.camera_code,))


def render_grid(tiles: Sequence[FeedView], user: str, side: int) -> None:
    for row_start in range(0, len(tiles), side):
        columns = st.columns(side)
        for column, feed in zip(columns, tiles[row_start:row_start + side], strict=False):
            with column.container(border=True):
                render_tile(feed, user, side)


def render_enlarged(feed: FeedView, user: str) -> None:
    st.subheader(f"{feed.camera_code} · {feed.camera_name or ''}")
    render_player(feed.camera_code, user, height=540, feed=feed)
    st.button(_("Back to the wall"), key="wall_close", on_click=_close_enlarged)


def _close_enlarged() -> None:
    st.session_state.pop(ENLARGED_KEY, None)
