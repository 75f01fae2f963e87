"""Briefing: a shared screen in the command centre, readable from across the room.

No sidebar or controls; large type on a dark background; it refreshes itself and rotates through
the kecamatan, showing each one's map with posts and personnel on duty and the map's legend (large), the
headline figures, the connected cameras that are down and a strip of low-bitrate live tiles.
"""
from __future__ import annotations

import html

import numpy as np
import pydeck as pdk
import streamlit as st

from dashboard import auth, deps, state
from dashboard.components import map_layers as ml
from dashboard.components import purpose_gate
from dashboard.components.basemap_layers import BASEMAP_LAYER, district_label_layer
from dashboard.components.legend import camera_counts, map_note, render_legend
from dashboard.components.player import render_player
from dashboard.i18n import _, format_datetime, format_number, format_percent, now_local

ROTATE_SECONDS = 20
LIVE_TILES = 4
MAP_HEIGHT_PX = 620
MAP_WIDTH_PX = 660          # the map column's width on the 1920 px screen the briefing is made for
# Every text element is set to the body size first; the page's own classes are then prefixed with
# `.stApp`: a bare class selector (0,1,0) loses to that rule and to Streamlit's own Markdown rule
# (`.st-emotion-cache-... p {font-size: inherit}`, 0,1,1), which drew the 64 px title at 28 px.
BRIEFING_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stSidebarNav"] {display: none !important;}
.stApp, [data-testid="stAppViewContainer"] {background: #0b0e14; color: #f2f2f2;}
.block-container {padding-top: 1rem; max-width: 100%;}
.stApp p, .stApp li, .stApp span, .stApp div {font-size: 28px;}
.stApp .nb-brief-title {font-size: 64px; font-weight: 800; line-height: 1.1; margin: 0;}
.stApp .nb-brief-sub {font-size: 28px; color: #b8c0cc; margin: 0;}
.stApp .nb-figures {display: grid; grid-template-columns: repeat(2, 1fr); gap: 18px;}
.stApp .nb-figure {background: #161b26; border-radius: 12px; padding: 14px 20px;}
.stApp .nb-figure .v {font-size: 60px; font-weight: 800; line-height: 1.1;}
.stApp .nb-figure .l {font-size: 24px; color: #b8c0cc;}
.stApp .nb-offline, .stApp .nb-offline div {font-size: 26px; color: #f2f2f2; line-height: 1.4;}
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stCaptionContainer"] * {font-size: 18px;}
</style>"""


def rotate_seconds() -> int:
    try:
        return max(5, int(st.query_params.get("rotate", ROTATE_SECONDS)))
    except ValueError:
        return ROTATE_SECONDS


def _figure(value: str, label: str) -> str:
    from html import escape

    return f'<div class="nb-figure"><div class="v">{escape(value)}</div><div class="l">{escape(label)}</div></div>'


def _district_deck(code: str, points: ml.CameraPoints, health_by_code: dict[str, str]) -> ml.SplicedDeck:
    basemap = deps.vector_basemap()
    kecamatan = state.districts_frame("kecamatan")
    this = kecamatan[kecamatan["code"] == code]
    layered = [ml.district_layer(this, {}, ml.BOUNDARY_LAYER.format(level="kecamatan"), False, 4)]
    kelurahan = state.districts_frame("kelurahan")
    inner = kelurahan[kelurahan["parent_code"] == code] if len(kelurahan) else kelurahan
    if len(inner):
        layered.append(ml.district_layer(inner, {}, ml.BOUNDARY_LAYER.format(level="kelurahan"), False, 1))
        if basemap is None:       # the basemap names the places itself
            layered.append(district_label_layer(inner, "kelurahan"))
    inside = points.kecamatan == code
    layered += ml.registered_camera_layers(points, np.flatnonzero(inside & ~points.connected))
    layered.append(ml.connected_camera_layer(points, np.flatnonzero(inside & points.connected), health_by_code, {}))
    layered += ml.police_layers(state.posts_frame(), {}, state.duty_units_frame(), {})
    # the whole kecamatan in view (a fixed zoom cut the larger ones off); the region when it has no outline
    bounds = tuple(this.geometry.iloc[0].bounds) if len(this) else deps.settings().region_bbox
    view = pdk.ViewState(longitude=(bounds[0] + bounds[2]) / 2, latitude=(bounds[1] + bounds[3]) / 2,
                         zoom=ml.zoom_to_fit(bounds, MAP_WIDTH_PX, MAP_HEIGHT_PX))
    return ml.SplicedDeck(layered, view, basemap_url=deps.settings().basemap_url, tooltip={},
                          vector_basemap=basemap, style="dark")


def _figures(row, health: np.ndarray, inside: np.ndarray) -> str:
    ops = state.open_operations()
    live_ok = int(((health == state.HEALTHY) & inside).sum())
    cover = (format_percent(row.live_coverage) if row.live_coverage == row.live_coverage else "–")
    reg_cover = (format_percent(row.registered_coverage)
                 if row.registered_coverage == row.registered_coverage else "–")
    cells = [_figure(format_number(int(row.cameras)), _("cameras registered")),
             _figure(f"{format_number(live_ok)} / {format_number(int(row.connected))}",
                     _("connected cameras healthy")),
             _figure(f"{cover} · {reg_cover}", _("coverage: live · registered")),
             _figure(format_number(int(row.on_duty)), _("personnel on duty"))]
    if ops is not None:
        cells.append(_figure(format_number(ops["incidents"]), _("open incidents (all districts)")))
        cells.append(_figure(format_number(ops["footage"]), _("footage requests pending")))
    return '<div class="nb-figures">' + "".join(cells) + "</div>"


def _offline(points: ml.CameraPoints, health: np.ndarray, inside: np.ndarray) -> None:
    down = np.flatnonzero(inside & np.isin(health, state.OFFLINE_CLASSES))
    st.markdown(f"**{_('Connected cameras offline: {n}', n=format_number(len(down)))}**")
    if len(down):  # the theme's text colour is dark; this screen is dark, so colour the list explicitly
        rows = "".join(f"<div>{html.escape(str(points.code[i]))}&ensp;{html.escape(str(points.name[i]))}</div>"
                       for i in down[:8].tolist())
        st.markdown(f'<div class="nb-offline">{rows}</div>', unsafe_allow_html=True)


def _live_strip(points: ml.CameraPoints, health: np.ndarray, inside: np.ndarray) -> None:
    # healthy cameras first; then those not started yet (watching starts them); never one known down
    healthy = np.concatenate([np.flatnonzero(inside & (health == state.HEALTHY)),
                              np.flatnonzero(inside & (health == state.NOT_STARTED))])[:LIVE_TILES]
    if not len(healthy):
        return
    purpose = purpose_gate.briefing_purpose()
    if purpose is None:      # the configuration does not allow the briefing screen as a purpose
        st.caption(_("Live tiles are off: the purpose list does not include the briefing screen."))
        return
    user = auth.current_username()
    for col, i in zip(st.columns(LIVE_TILES), healthy.tolist(), strict=False):
        with col:
            st.caption(str(points.code[i]))
            render_player(str(points.code[i]), user, height=200, low_bitrate=True, purpose=purpose)


def briefing_slide() -> None:
    figures = state.district_figures("kecamatan")
    if figures.empty:
        st.markdown(f'<p class="nb-brief-title">{_("No districts loaded yet")}</p>', unsafe_allow_html=True)
        return
    index = st.session_state.get(state.BRIEFING_INDEX, -1) + 1
    st.session_state[state.BRIEFING_INDEX] = index
    row = figures.iloc[index % len(figures)]
    points = state.camera_points()
    feeds = state.feed_states()
    health_by_code = dict(zip(feeds["code"], feeds["health"], strict=True))
    health = state.health_array(points, health_by_code)
    inside = points.kecamatan == row.code
    from html import escape

    st.markdown(f'<p class="nb-brief-title">{escape(_("Kecamatan {name}", name=row["name"]))}</p>'
                f'<p class="nb-brief-sub">{escape(_("Updated {time}", time=format_datetime(now_local(), "short")))}'
                f" · {index % len(figures) + 1}/{len(figures)}</p>", unsafe_allow_html=True)
    map_col, legend_col, fig_col = st.columns([7, 4, 7])
    deck = _district_deck(row.code, points, health_by_code)
    with map_col:
        st.pydeck_chart(deck, height=MAP_HEIGHT_PX, alt=_("Map of kecamatan {name}", name=row["name"]))
        note = map_note((state.districts_frame(lvl) for lvl in ("kecamatan", "kelurahan")),
                        any(layer.id == BASEMAP_LAYER for layer in deck.layers))
        if note:
            st.caption(note)
    with legend_col:
        owners, status = camera_counts(points, inside, health)
        render_legend(owners, status, [layer.id for layer in deck.layers], large=True)
    with fig_col:
        st.markdown(_figures(row, health, inside), unsafe_allow_html=True)
        _offline(points, health, inside)
    _live_strip(points, health, inside)


def render() -> None:
    auth.require_permission("briefing")
    st.html(BRIEFING_CSS)
    st.fragment(run_every=rotate_seconds())(briefing_slide)()


if __name__ == "__main__":
    render()
