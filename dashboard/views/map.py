"""Peta: every registered camera on one map, with filters, counts, boundaries, posts and a camera card."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st

from dashboard import auth, deps, state
from dashboard.components import map_layers as ml
from dashboard.components import value_labels as vl
from dashboard.components.basemap_layers import district_label_layer
from dashboard.components.camera_card import health_label, render_camera_card
from dashboard.components.legend import camera_counts, map_note, owner_label, render_legend
from dashboard.i18n import _, format_number, format_percent
from geo.fov import cone_polygons

MAP_KEY = "camera_map"
CONE_LIMIT = 1_500          # draw view cones when the filtered set is at most this many cameras
NEARBY_DEG = 0.004          # ... and around the selected camera (about 400 m)
BLIND_BLOCK_M = 200.0       # blind-spot blocks drawn as 200 m squares


def _on_map_select() -> None:
    event = st.session_state.get(MAP_KEY)
    objects = (event or {}).get("selection", {}).get("objects", {})
    if not any(objects.values()):      # the selection was cleared: close the card
        st.session_state.pop(state.SELECTED_CAMERA, None)
        return
    for layer_id, chosen in objects.items():
        if ml.is_camera_layer(layer_id) and chosen:
            st.session_state[state.SELECTED_CAMERA] = chosen[0].get("t")
            return


def _request_footage(code: str) -> None:
    st.session_state[state.FOOTAGE_REQUEST_FOR] = code


def _fly_to(points: ml.CameraPoints) -> None:
    code = st.session_state.get("fly_to_choice")
    hits = np.flatnonzero(points.code == code) if code else []
    if len(hits):
        i = int(hits[0])
        st.session_state[state.FLY_TO] = (float(points.lon[i]), float(points.lat[i]), 17.0)
        st.session_state[state.SELECTED_CAMERA] = code


def _choice(side, label: str, labels: dict[str, str], key: str, placeholder: str) -> list[str]:
    # format_func is a plain dict lookup: labels are translated once, in this run's language.
    # No "Select all" entry (Streamlit writes it in English): an empty filter already means all.
    return side.multiselect(label, list(labels), format_func=labels.__getitem__, key=key, placeholder=placeholder,
                            select_all=False)


def sidebar_filters(points: ml.CameraPoints) -> state.CameraFilter:
    side = st.sidebar
    side.subheader(_("Filters"))
    kecamatan = state.districts_frame("kecamatan")
    districts = _choice(side, _("District (kecamatan)"), dict(zip(kecamatan["code"], kecamatan["name"], strict=True)),
                        "f_district", _("All districts"))
    owners = _choice(side, _("Owner class"), {o: owner_label(o) for o in ml.OWNER_ORDER[:4]}, "f_owner",
                     _("All owners"))
    connection = _choice(side, _("Connection"), {"connected": _("Connected"), "registered": _("Registered only")},
                         "f_connection", _("Any"))
    consent = _choice(side, _("Consent"), {"registry_only": _("Registry only"), "on_request": _("Footage on request"),
                                           "live": _("Live viewing allowed")}, "f_consent", _("Any"))
    health = _choice(side, _("Health"), {h: health_label(h) for h in state.HEALTH_CLASSES}, "f_health", _("Any"))
    text = side.text_input(_("Search code, name or address"), key="f_text")
    return state.CameraFilter(tuple(districts), tuple(owners), tuple(connection), tuple(consent), tuple(health), text)


def _fly_to_box(points: ml.CameraPoints, mask: np.ndarray) -> None:
    matches = np.flatnonzero(mask)
    if not st.session_state.get("f_text") or len(matches) == 0 or len(matches) > 200:
        return
    options = [str(points.code[i]) for i in matches.tolist()]
    labels = {str(points.code[i]): f"{points.code[i]} · {points.name[i]}" for i in matches.tolist()}
    st.sidebar.selectbox(_("Fly to camera"), options, index=None, format_func=labels.get, key="fly_to_choice",
                         on_change=_fly_to, args=(points,), placeholder=_("Choose a camera"))


def _metrics(total: int, shown: int, status: dict) -> None:
    cols = st.columns(5)
    cols[0].metric(_("Cameras shown"), format_number(shown), help=_("of {total} registered",
                                                                    total=format_number(total)))
    cols[1].metric(_("Live, healthy"), format_number(status.get("healthy", 0)))
    cols[2].metric(_("Live, not started"), format_number(status.get("not_started", 0)),
                   help=_("nobody watched it lately; opening it starts it"))
    cols[3].metric(_("Live, with a fault"), format_number(sum(status.get(h, 0) for h in state.FAULT_CLASSES)),
                   help=_("camera or relay unreachable, or no live consent; the legend splits them"))
    cols[4].metric(_("Registered only"), format_number(status.get("registered", 0)))


def _district_details(level: str) -> dict[str, str]:
    figures = state.district_figures(level)
    details = {}
    for row in figures.itertuples():
        ratio = (_("1 officer per {n} residents", n=format_number(round(row.population / row.personnel)))
                 if row.personnel and row.population else _("no personnel recorded"))
        cover = format_percent(row.live_coverage) if pd.notna(row.live_coverage) else "–"
        details[row.code] = "\n".join([
            _("{cameras} cameras, {live} live", cameras=format_number(row.cameras), live=format_number(row.connected)),
            _("Live coverage: {pct}", pct=cover),
            _("Personnel: {n} ({duty} on duty)", n=format_number(row.personnel), duty=format_number(row.on_duty)),
            ratio])
    return details


def _cones(points: ml.CameraPoints, rows: np.ndarray) -> tuple[pdk.Layer, str] | None:
    if not len(rows):
        return None
    frame = points.fov.iloc[rows].assign(lon=points.lon[rows], lat=points.lat[rows]).reset_index(drop=True)
    cones = cone_polygons(frame, arc_segments=8)
    return ml.cone_layer(cones, points.owner[rows])


def _cone_rows(points: ml.CameraPoints, mask: np.ndarray) -> np.ndarray:
    chosen = mask & points.connected
    if mask.sum() <= CONE_LIMIT:
        chosen = mask.copy()
    selected = st.session_state.get(state.SELECTED_CAMERA)
    hit = np.flatnonzero(points.code == selected) if selected else []
    if len(hit):
        i = int(hit[0])
        near = (np.abs(points.lon - points.lon[i]) < NEARBY_DEG) & (np.abs(points.lat - points.lat[i]) < NEARBY_DEG)
        chosen |= near & mask
    return np.flatnonzero(chosen)


def _view_state(points: ml.CameraPoints) -> pdk.ViewState:
    fly = st.session_state.get(state.FLY_TO)
    if fly:
        return pdk.ViewState(longitude=fly[0], latitude=fly[1], zoom=fly[2])
    bbox = deps.settings().region_bbox
    return pdk.ViewState(longitude=(bbox[0] + bbox[2]) / 2, latitude=(bbox[1] + bbox[3]) / 2, zoom=11.3)


def consent_words(feeds) -> dict[str, str]:
    """Tooltip words for connected cameras without live consent: withdrawn (or lowered) or expired."""
    said = {"not_given": _("Consent withdrawn"), "expired": _("Consent expired")}
    return {code: said[consent] for code, consent in zip(feeds["code"], feeds["consent"], strict=True)
            if consent in said}


def build_layers(points, mask, health_by_code, level, words=None, labels_districts=True) -> list[tuple[pdk.Layer, str]]:
    """The map's layers, bottom to top; ``labels_districts``: name the districts (when no basemap names places)."""
    layered = []
    for lvl, width in (("kecamatan", 2.5), ("kelurahan", 0.8)):
        districts = state.districts_frame(lvl)
        if len(districts):
            details = _district_details(lvl) if lvl == level else {}
            layered.append(ml.district_layer(districts, details, ml.BOUNDARY_LAYER.format(level=lvl), lvl == level,
                                             width))
    if st.session_state.get("show_cones", True):
        cones = _cones(points, _cone_rows(points, mask))
        if cones:
            layered.append(cones)
    if st.session_state.get("show_blind_spots"):
        layered.append(ml.blind_spot_layer(state.blind_spots(block_m=BLIND_BLOCK_M), points.origin, BLIND_BLOCK_M))
    layered += ml.registered_camera_layers(points, np.flatnonzero(mask & ~points.connected))
    labels = {h: health_label(h) for h in state.HEALTH_CLASSES}
    layered.append(ml.connected_camera_layer(points, np.flatnonzero(mask & points.connected), health_by_code, labels,
                                             words))
    if labels_districts:
        layered += [district_label_layer(state.districts_frame(lvl), lvl) for lvl in ("kelurahan", "kecamatan")
                    if len(state.districts_frame(lvl))]
    posts, units = state.posts_frame(), state.duty_units_frame()
    if len(posts):
        posts = posts.assign(name=posts["name"].map(vl.post_name))
    unit_details = {r.callsign: _("{n} personnel · {post}", n=r.headcount, post=vl.post_name(r.post_name))
                    for r in units.itertuples()}
    layered += ml.police_layers(posts, _post_details(posts) if len(posts) else {}, units, unit_details)
    return layered


def _post_details(posts: pd.DataFrame) -> dict[str, str]:
    kinds = {"polres": _("Polres"), "polsek": _("Polsek"), "security_post": _("Security post")}
    on_duty = dict(state.personnel_on_duty().values.tolist())
    return {r.code: _("{kind} · {n} personnel, {duty} on duty", kind=kinds.get(r.kind, r.kind),
                      n=format_number(r.personnel), duty=format_number(on_duty.get(r.code, 0)))
            for r in posts.itertuples()}


def _card(points: ml.CameraPoints, health: np.ndarray) -> None:
    code = st.session_state.get(state.SELECTED_CAMERA)
    if not code:
        st.caption(_("Click a camera on the map to open its card."))
        return
    camera = state.camera_detail(code)
    if camera is None:
        st.warning(_("Camera {code} is no longer in the registry.", code=code))
        return
    hit = np.flatnonzero(points.code == code)
    render_camera_card(camera, health=str(health[hit[0]]) if len(hit) else "registered",
                       can_see_contacts=state.can_see_contacts(), user=_username(),
                       on_request_footage=_request_footage)
    if st.session_state.get(state.FOOTAGE_REQUEST_FOR) == code:
        st.info(_("Footage request for {code} noted: open Footage requests to send it to the owner.", code=code))


def _username() -> str:
    return auth.current_username()


def render() -> None:
    auth.require_permission("map")
    st.title(_("Camera map"))
    points = state.camera_points()
    if len(points) == 0:
        st.info(_("No cameras registered yet. Load the demo with `noblindspot demo` or import a file."))
        return
    feeds = state.feed_states()
    health_by_code = dict(zip(feeds["code"], feeds["health"], strict=True))
    health = state.health_array(points, health_by_code)
    wanted = sidebar_filters(points)
    mask = state.filter_mask(points, wanted, health)
    _fly_to_box(points, mask)
    levels = {"kecamatan": _("Kecamatan"), "kelurahan": _("Kelurahan")}
    level = st.sidebar.radio(_("Boundary tooltips"), list(levels), horizontal=True, key="map_level",
                             format_func=levels.__getitem__)
    st.sidebar.toggle(_("View cones"), value=True, key="show_cones")
    st.sidebar.toggle(_("Blind spots (no registered camera sees them)"), value=False, key="show_blind_spots")
    owners, status = camera_counts(points, mask, health)
    _metrics(len(points), int(mask.sum()), status)
    map_col, side_col = st.columns([3, 1])
    basemap = deps.vector_basemap()
    layered = build_layers(points, mask, health_by_code, level, consent_words(feeds), labels_districts=basemap is None)
    deck = ml.SplicedDeck(layered, _view_state(points), basemap_url=deps.settings().basemap_url,
                          vector_basemap=basemap)
    with map_col:
        st.pydeck_chart(deck, on_select=_on_map_select, selection_mode="single-object", key=MAP_KEY, height=640,
                        alt=_("Map of registered cameras"))
        note = map_note((state.districts_frame(lvl) for lvl in ("kecamatan", "kelurahan")), basemap is not None)
        if note:
            st.caption(note)
    with side_col:
        render_legend(owners, status, [layer.id for layer, _data in layered])
        _card(points, health)


if __name__ == "__main__":
    render()
