"""The map's layer builders: compact payload, correct decoding, HTML-safe tooltips, offline basemap."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import pytest
import shapely

from dashboard import state
from dashboard.components import map_layers as ml

ORIGIN = (106.64, -6.26)
XSS = "<img src=x onerror=alert(1)>"


def cameras(n: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    owners = ["government", "company", "housing", "private", None]
    return pd.DataFrame({
        "code": [f"JB-{i:06d}" for i in range(n)],
        "name": [XSS if i == 3 else f"CCTV Jl. Contoh {i}" for i in range(n)],
        "address": [f"Jl. Contoh {i}" for i in range(n)],
        "lon": 106.70 + rng.random(n) * 0.1, "lat": -6.20 + rng.random(n) * 0.1,
        "owner_class": [owners[i % 5] for i in range(n)],
        "connection": ["connected" if i < 5 else "registered" for i in range(n)],
        "consent": ["live" if i < 5 else "on_request" for i in range(n)],
        "kecamatan_code": ["K1" if i % 2 else "K2" for i in range(n)],
        "district_code": ["K1.1" if i % 2 else "K2.1" for i in range(n)],
        "kind": ["fixed"] * n, "bearing_deg": [90.0] * n, "fov_deg": [90.0] * n, "range_m": [30.0] * n})


def layer_data(spec: str, layer_id: str) -> list[dict]:
    return next(layer["data"] for layer in json.loads(spec)["layers"] if layer["id"] == layer_id)


def deck_for(points, basemap_url=None) -> str:
    rows = np.arange(len(points))
    layered = ml.registered_camera_layers(points, rows[~points.connected])
    layered.append(ml.connected_camera_layer(points, rows[points.connected], {"JB-000000": "healthy"}, {}))
    return ml.SplicedDeck(layered, pdk.ViewState(longitude=106.75, latitude=-6.15, zoom=11),
                          basemap_url=basemap_url).to_json()


def test_registered_layers_split_by_owner_and_decode_to_the_original_positions():
    frame = cameras()
    points = ml.build_camera_points(frame, ORIGIN)
    spec = json.loads(deck_for(points))
    registered = [layer for layer in spec["layers"] if layer["id"].startswith(ml.CAMERA_LAYER_REGISTERED)]
    assert {layer["id"].rsplit("-", 1)[1] for layer in registered} == {"government", "company", "housing",
                                                                       "private", "unknown"}
    by_code = frame.set_index("code")
    total = 0
    for layer in registered:
        owner = layer["id"].rsplit("-", 1)[1]
        assert layer["getFillColor"][:3] == list(ml.OWNER_COLOURS[ml.OWNER_ORDER.index(owner)])
        for row in layer["data"]:
            original = by_code.loc[row["t"]]
            assert (original["owner_class"] if isinstance(original["owner_class"], str) else "unknown") == owner
            assert abs(ORIGIN[0] + row["x"] / ml.SCALE - original["lon"]) <= 0.5e-5 + 1e-12
            assert abs(ORIGIN[1] + row["y"] / ml.SCALE - original["lat"]) <= 0.5e-5 + 1e-12
            total += 1
    assert total == 45  # the 5 connected cameras are in their own layer


def test_connected_layer_encodes_health_and_unknown_feeds_count_as_not_started():
    points = ml.build_camera_points(cameras(), ORIGIN)
    data = layer_data(deck_for(points), ml.CAMERA_LAYER_CONNECTED)
    widths = {row["t"]: row["w"] for row in data}
    healthy, not_started = ml.HEALTH_STYLE["healthy"][2], ml.HEALTH_STYLE["not_started"][2]
    assert widths == {"JB-000000": healthy, "JB-000001": not_started, "JB-000002": not_started,
                      "JB-000003": not_started, "JB-000004": not_started}
    hollow = [row for row in data if row["t"] != "JB-000000"]
    assert all(row["f"][:3] == [255, 255, 255] for row in hollow)


def test_tooltips_are_text_mode_and_names_travel_raw():
    """deck.gl's text tooltip sets innerText: markup in a camera name is shown, never parsed."""
    points = ml.build_camera_points(cameras(), ORIGIN)
    deck = ml.SplicedDeck(ml.registered_camera_layers(points, np.arange(len(points))),
                          pdk.ViewState(longitude=106.75, latitude=-6.15, zoom=11))
    assert "html" not in deck._tooltip and deck._tooltip["text"] == "{t}\n{d}"
    spec = deck.to_json()
    names = [row["d"] for layer in json.loads(spec)["layers"] for row in layer["data"]]
    assert XSS in names
    assert "<img" not in spec.replace(json.dumps(XSS)[1:-1], "")  # the only markup is inside that JSON string


def test_no_basemap_mode_requests_nothing_and_a_tile_url_becomes_a_raster_style():
    points = ml.build_camera_points(cameras(), ORIGIN)
    bare = deck_for(points)
    assert json.loads(bare)["mapStyle"] == "__MAP_STYLE__"   # Streamlit then draws no basemap at all
    assert "cartocdn" not in bare and "mapbox" not in bare and "http" not in bare
    tiles = "http://tiles.local:8080/{z}/{x}/{y}.png"
    style = json.loads(deck_for(points, tiles))["mapStyle"]
    assert style[0]["sources"]["basemap"]["tiles"] == [tiles]
    assert style[0]["layers"][0]["type"] == "raster"


def test_no_placeholder_or_private_attribute_leaks_into_the_spec():
    points = ml.build_camera_points(cameras(), ORIGIN)
    spec = deck_for(points, "http://tiles.local/{z}/{x}/{y}.png")
    assert "@@data:" not in spec and "_spliced" not in spec and "_basemap_url" not in spec


def test_payload_is_small_per_camera():
    frame = cameras(2000)
    points = ml.build_camera_points(frame, ORIGIN)
    spec = deck_for(points)
    naive = pdk.Deck(layers=[pdk.Layer("ScatterplotLayer", data=frame.to_dict("records"),
                                       get_position=["lon", "lat"])]).to_json()
    assert len(spec) / len(frame) < 80
    assert len(spec) < len(naive) / 3


def test_district_layer_rounds_and_keeps_every_part_of_a_multipolygon():
    parts = shapely.MultiPolygon([shapely.box(106.7, -6.2, 106.71, -6.19), shapely.box(106.72, -6.2, 106.73, -6.19)])
    districts = gpd.GeoDataFrame({"code": ["K1"], "name": [XSS]}, geometry=[parts], crs="EPSG:4326")
    _layer, data = ml.district_layer(districts, {"K1": "12 cameras"}, "b", True, 2)
    rows = json.loads(data)
    assert len(rows) == 2 and rows[0]["t"] == XSS and rows[0]["d"] == "12 cameras"
    assert all(len(str(v).split(".")[-1]) <= 5 for ring in rows for pt in ring["p"] for v in pt)


@pytest.mark.parametrize(("connection", "mode", "feed_state", "expected"), [
    ("registered", None, None, state.REGISTERED_ONLY),
    ("connected", None, None, state.NOT_STARTED),                   # no feed configured
    ("connected", "on_demand", "stopped", state.NOT_STARTED),       # never started: no claim of health
    ("connected", "on_demand", "running", state.HEALTHY),
    ("connected", "always_on", "stopped", state.NOT_STARTED),
    ("connected", "always_on", "backoff", "camera_unreachable"),
    ("connected", "on_demand", "stalled", "camera_unreachable"),
    ("connected", "off", "stopped", state.NOT_STARTED),
])
def test_health_classes(connection, mode, feed_state, expected):
    assert state.health_class(connection, mode, feed_state) == expected


def test_each_health_class_has_its_own_marker_and_words():
    styles = {(fill, ring, width) for fill, ring, width in ml.HEALTH_STYLE.values()}
    assert len(styles) == len(ml.HEALTH_STYLE) == len(state.HEALTH_CLASSES) - 1     # all but registered-only
    points = ml.build_camera_points(cameras(), ORIGIN)
    connected = np.flatnonzero(points.connected)
    classes = list(ml.HEALTH_STYLE)
    health = {points.code[i]: classes[n % len(classes)] for n, i in enumerate(connected.tolist())}
    labels = {h: f"label-{h}" for h in classes}
    _layer, data = ml.connected_camera_layer(points, connected, health, labels)
    for row in json.loads(data):
        fill, ring, width = ml.HEALTH_STYLE[health[row["t"]]]
        assert row["w"] == width and row["d"].endswith(f"label-{health[row['t']]}")
        if fill is not None:
            assert row["f"][:3] == list(fill)
        if ring is not None:
            assert row["l"][:3] == list(ring)


def test_filter_mask_combines_every_filter():
    points = ml.build_camera_points(cameras(), ORIGIN)
    health = state.health_array(points, {"JB-000000": "healthy"})
    everything = state.filter_mask(points, state.CameraFilter(), health)
    assert everything.all()
    k1 = state.filter_mask(points, state.CameraFilter(kecamatan=("K1",)), health)
    assert k1.sum() == 25
    gov = state.filter_mask(points, state.CameraFilter(owner_class=("government",)), health)
    assert set(points.owner[gov]) == {0}
    live = state.filter_mask(points, state.CameraFilter(connection=("connected",)), health)
    assert live.sum() == 5
    faults = state.filter_mask(points, state.CameraFilter(health=("not_started",)), health)
    assert faults.sum() == 4
    text = state.filter_mask(points, state.CameraFilter(text="IMG SRC"), health)
    assert list(points.code[text]) == ["JB-000003"]
    both = state.filter_mask(points, state.CameraFilter(kecamatan=("K1",), connection=("registered",)), health)
    assert both.sum() == 23 and not points.connected[both].any()


def test_literal_props_are_not_turned_into_expressions():
    """pydeck turns plain strings into accessor expressions; units must stay literal strings."""
    points = ml.build_camera_points(cameras(), ORIGIN)
    spec = json.loads(deck_for(points))
    for layer in spec["layers"]:
        for prop in ("radiusUnits", "lineWidthUnits"):
            if prop in layer:
                assert layer[prop] in ("pixels", "meters"), (layer["id"], prop, layer[prop])


def test_accessor_expressions_avoid_member_access_on_array_literals():
    """deck.gl's JSON expression parser rejects `[...][i]`, which blanked the whole chart once."""
    points = ml.build_camera_points(cameras(), ORIGIN)
    for layer in json.loads(deck_for(points))["layers"]:
        for value in layer.values():
            if isinstance(value, str) and value.startswith("@@="):
                assert "][" not in value, (layer["id"], value)


def test_the_incident_map_asks_no_tile_server_on_the_internet():
    """Issue 10, defect 4: the incidents page's small map was a plain pdk.Deck, whose default provider
    made Streamlit fetch basemaps.cartocdn.com. It draws over the product's basemap (or none) now."""
    import json
    from types import SimpleNamespace

    import pandas as pd

    from dashboard.components.incident_map import incident_deck

    incident = SimpleNamespace(code="INC-1", lon=106.75, lat=-6.17)
    seeing = pd.DataFrame({"lon": [106.7501], "lat": [-6.1701], "code": ["CAM-1"]})
    posts = [{"lon": 106.751, "lat": -6.171, "name": "Polsek Tambora"}]
    spec = json.loads(incident_deck(incident, seeing, posts, basemap_url=None).to_json())
    # Like the main map's: no provider, and no style URL (Streamlit then draws no basemap at all).
    assert spec.get("mapProvider") is None and "http" not in json.dumps(spec.get("mapStyle"))
    assert "carto" not in json.dumps(spec).lower()
    assert {layer["id"]: [d["label"] for d in layer["data"]] for layer in spec["layers"]} == {
        "incident": ["INC-1"], "seeing": ["CAM-1"], "posts": ["Polsek Tambora"]}
    own = json.loads(incident_deck(incident, seeing, [], basemap_url="http://tiles.local/{z}/{x}/{y}.png").to_json())
    assert "http://tiles.local/{z}/{x}/{y}.png" in json.dumps(own["mapStyle"])


def _posts_and_units() -> tuple[pd.DataFrame, pd.DataFrame]:
    posts = pd.DataFrame({"code": ["POLRES", "SEK-1", "PAM-1"], "kind": ["polres", "polsek", "security_post"],
                          "name": ["Polres Jakarta Barat", "Polsek Kembangan", "Pos Puri"],
                          "lon": [106.75, 106.74, 106.73], "lat": [-6.17, -6.18, -6.19], "personnel": [500, 120, 12]})
    units = pd.DataFrame({"callsign": ["SEK-1-01", "SEK-1-02", "NOWHERE"], "last_lon": [106.74, 106.7401, None],
                          "last_lat": [-6.18, -6.1801, None]})
    return posts, units


def test_police_layers_draw_units_first_then_posts_then_their_labels():
    """Issue 10, item 8: yellow duty units clustered on their post hid it and its personnel number."""
    posts, units = _posts_and_units()
    spec = json.loads(ml.SplicedDeck(ml.police_layers(posts, {}, units, {}),
                                     pdk.ViewState(longitude=106.75, latitude=-6.17, zoom=12)).to_json())
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert list(layers) == [ml.DUTY_UNIT_LAYER, ml.POST_LAYER, ml.POST_LABEL_LAYER]   # deck.gl draws the last on top
    assert [row["t"] for row in layers[ml.DUTY_UNIT_LAYER]["data"]] == ["SEK-1-01", "SEK-1-02"]  # NOWHERE: no position
    unit_radius = layers[ml.DUTY_UNIT_LAYER]["getRadius"]
    assert layers[ml.DUTY_UNIT_LAYER]["radiusUnits"] == "pixels"
    assert unit_radius < min(row["r"] for row in layers[ml.POST_LAYER]["data"])
    label = layers[ml.POST_LABEL_LAYER]
    assert [row["l"] for row in label["data"]] == ["500", "120", "12"]
    assert label["fontSettings"] == {"sdf": True} and label["outlineWidth"] > 0   # readable where it leaves its dot


def test_police_layers_without_units_or_posts():
    posts, units = _posts_and_units()
    assert [layer.id for layer, _data in ml.police_layers(posts, {}, units.iloc[:0], {})] == [ml.POST_LAYER,
                                                                                             ml.POST_LABEL_LAYER]
    assert [layer.id for layer, _data in ml.police_layers(posts.iloc[:0], {}, units, {})] == [ml.DUTY_UNIT_LAYER]


def test_zoom_to_fit_is_web_mercator_at_512_px():
    # 360 / 2**13 degrees of longitude is 512 px wide at zoom 13; a 512 px wide view holds it exactly
    span = 360 / 2 ** 13
    assert ml.zoom_to_fit((0.0, -1e-9, span, 1e-9), 512, 512, fill=1.0) == pytest.approx(13.0)
    assert ml.zoom_to_fit((0.0, -1e-9, span, 1e-9), 1024, 512, fill=1.0) == pytest.approx(14.0)
    assert ml.zoom_to_fit((0.0, -1e-9, span, 1e-9), 512, 512, fill=0.5) == pytest.approx(12.0)
    # the taller side decides: near the equator a degree of latitude is about a degree of longitude
    assert ml.zoom_to_fit((0.0, -span / 2, span / 4, span / 2), 512, 256, fill=1.0) == pytest.approx(12.0, abs=1e-3)
    assert ml.zoom_to_fit((106.7, -6.2, 106.7, -6.2), 500, 500) == 15.0      # a single point: the zoom cap
