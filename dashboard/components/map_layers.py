"""pydeck layers for the map and briefing pages, built to stay small on the wire.

The whole registry (tens of thousands of cameras) is drawn, so the camera layers are not handed to
pydeck as DataFrames (every column, long keys, 15-digit floats). Instead each registered camera is
pre-serialised once per data version as a tiny JSON object: integer-coded position offsets
(1e-5 degree, about 1 m), an owner class index and the code and name for the tooltip. Colours are
looked up in the browser by deck.gl accessor expressions. Filtering picks rows out of that cached
array of fragments, so a rerun joins bytes instead of serialising objects.

Tooltips use deck.gl's *text* mode (innerText), so a camera called ``<img onerror=...>`` is shown as
those characters and never parsed as HTML. Every pickable row carries ``t`` (title) and ``d``
(detail) for the one tooltip template.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pydeck as pdk

from dashboard.components.basemap_layers import VectorBasemap, vector_basemap_layer
from geo.vocabulary import OwnerClass

SCALE = 100_000  # position offsets in 1e-5 degree
OWNER_ORDER = (OwnerClass.GOVERNMENT.value, OwnerClass.COMPANY.value, OwnerClass.HOUSING.value,
               OwnerClass.PRIVATE.value, "unknown")
# Okabe-Ito (colour-blind safe): blue, orange, bluish green, reddish purple; grey for unknown owners.
OWNER_COLOURS = ((0, 114, 178), (230, 159, 0), (0, 158, 115), (204, 121, 167), (120, 120, 120))
POST_COLOUR = (25, 25, 60)
DUTY_UNIT_COLOUR = (240, 228, 66)      # Okabe-Ito yellow
# Connected cameras by health (geo/feed_health.MapHealth): (fill, ring, ring px); None = the owner's colour.
# Healthy keeps the owner's colour; what needs a person's attention is vermillion or dark, whatever the owner.
VERMILLION, DARK, WHITE = (213, 94, 0), (20, 20, 20), (255, 255, 255)
HEALTH_STYLE: dict[str, tuple[tuple[int, int, int] | None, tuple[int, int, int] | None, int]] = {
    "healthy": (None, DARK, 2),
    "not_started": (WHITE, None, 3),                  # hollow, ring in the owner's colour
    "camera_unreachable": (VERMILLION, DARK, 2),
    "relay_unreachable": (DARK, VERMILLION, 3),
    "consent_missing": ((150, 150, 150), WHITE, 3),
}
# pydeck reads a plain string prop as an accessor expression: literal strings must be wrapped.
PIXELS, METERS = pdk.types.String("pixels"), pdk.types.String("meters")
TOOLTIP = {"text": "{t}\n{d}", "style": {"whiteSpace": "pre-line", "fontSize": "14px",
                                           "backgroundColor": "#1f2430", "color": "#f4f4f4"}}
CAMERA_LAYER_REGISTERED = "cameras-registered"
CAMERA_LAYER_CONNECTED = "cameras-connected"
BOUNDARY_LAYER = "boundaries-{level}"     # level: kecamatan or kelurahan
CONE_LAYER, BLIND_SPOT_LAYER = "view-cones", "blind-spots"
POST_LAYER, POST_LABEL_LAYER, DUTY_UNIT_LAYER = "posts", "post-labels", "duty-units"
# Police markers in screen pixels. A duty unit is smaller than the smallest post, so a cluster of units
# around their post never covers it (police_layers also draws the posts above the units).
POST_RADIUS_PX = {"polres": 16, "polsek": 12, "security_post": 8}
DUTY_UNIT_RADIUS_PX = 5
FOV_COLUMNS = ("kind", "bearing_deg", "fov_deg", "range_m")


@dataclass(frozen=True)
class CameraPoints:
    """The registry reduced to what the map and its filters use, one entry per camera."""

    origin: tuple[float, float]
    code: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    owner: np.ndarray          # index into OWNER_ORDER
    connected: np.ndarray      # bool
    consent: np.ndarray        # consent level values
    kecamatan: np.ndarray      # kecamatan code (or "")
    text: np.ndarray           # lower-case "code name address" for search
    fragment: np.ndarray       # bytes: the registered-layer JSON object for each camera
    name: np.ndarray           # display name
    district: np.ndarray       # the camera's own district code (kelurahan when known)
    fov: pd.DataFrame = field(repr=False)  # kind, bearing_deg, fov_deg, range_m for view cones

    def __len__(self) -> int:
        return len(self.code)


def _offsets(values: np.ndarray, origin: float) -> np.ndarray:
    return np.rint((values - origin) * SCALE).astype(np.int64)


def build_camera_points(cameras: pd.DataFrame, origin: tuple[float, float]) -> CameraPoints:
    """Reduce a cameras frame (db.repositories.cameras_frame) to CameraPoints (done once per version)."""
    n = len(cameras)
    lon = cameras["lon"].to_numpy(float) if n else np.array([], float)
    lat = cameras["lat"].to_numpy(float) if n else np.array([], float)
    owner_lookup = {v: i for i, v in enumerate(OWNER_ORDER)}
    owner = np.array([owner_lookup.get(v, 4) for v in cameras.get("owner_class", pd.Series([], dtype=object))],
                     dtype=np.int8)
    code = cameras["code"].astype(str).to_numpy(object) if n else np.array([], object)
    name = cameras["name"].fillna("").astype(str).to_numpy(object) if n else np.array([], object)
    address = cameras["address"].fillna("").astype(str).to_numpy(object) if n else np.array([], object)
    xs, ys = _offsets(lon, origin[0]), _offsets(lat, origin[1])
    fragment = np.array([
        f'{{"x":{x},"y":{y},"t":{json.dumps(c)},"d":{json.dumps(nm)}}}'.encode()
        for x, y, c, nm in zip(xs.tolist(), ys.tolist(), code, name, strict=True)], dtype=object)
    kecamatan = (cameras["kecamatan_code"].fillna("").astype(str).to_numpy(object) if n
                 else np.array([], object))
    text = np.array([f"{c} {nm} {a}".lower() for c, nm, a in zip(code, name, address, strict=True)], dtype=object)
    return CameraPoints(origin=origin, code=code, lon=lon, lat=lat, owner=owner,
                        connected=(cameras["connection"].to_numpy(object) == "connected") if n
                        else np.array([], bool),
                        consent=cameras["consent"].astype(str).to_numpy(object) if n else np.array([], object),
                        kecamatan=kecamatan, text=text, fragment=fragment, name=name,
                        district=cameras["district_code"].fillna("").astype(str).to_numpy(object) if n
                        else np.array([], object),
                        fov=pd.DataFrame({c: cameras[c].to_numpy() if n else [] for c in FOV_COLUMNS}))


def _position_expr(origin: tuple[float, float]) -> str:
    return f"[{origin[0]!r} + x / {SCALE}, {origin[1]!r} + y / {SCALE}]"


def registered_camera_layers(points: CameraPoints, rows: np.ndarray) -> list[tuple[pdk.Layer, str]]:
    """Registered-only cameras: small dots, one layer per owner class (its colour is a constant)."""
    layered = []
    for index, owner_class in enumerate(OWNER_ORDER):
        chosen = rows[points.owner[rows] == index]
        if index == len(OWNER_ORDER) - 1 and not len(chosen):
            continue
        layer_id = f"{CAMERA_LAYER_REGISTERED}-{owner_class}"
        data = b"[" + b",".join(points.fragment[chosen].tolist()) + b"]"
        layer = pdk.Layer("ScatterplotLayer", id=layer_id, data=f"@@data:{layer_id}",
                          get_position=_position_expr(points.origin), get_fill_color=[*OWNER_COLOURS[index], 190],
                          get_radius=6, radius_units=METERS, radius_min_pixels=2, radius_max_pixels=6,
                          stroked=False, pickable=True, auto_highlight=True)
        layered.append((layer, data.decode()))
    return layered


def is_camera_layer(layer_id: str) -> bool:
    return layer_id.startswith(CAMERA_LAYER_REGISTERED) or layer_id == CAMERA_LAYER_CONNECTED


def connected_camera_layer(points: CameraPoints, rows: np.ndarray, health: dict[str, str],
                           labels: dict[str, str], words: dict[str, str] | None = None) -> tuple[pdk.Layer, str]:
    """Connected cameras: large markers styled by health (HEALTH_STYLE; the legend draws the same).

    There are only a few hundred of them, so each row carries its own fill ("f") and line ("l") colour.
    ``words`` replaces a class's label for single cameras (consent withdrawn / consent expired).
    """
    records = []
    for i in rows.tolist():
        code = points.code[i]
        state = health.get(code, "not_started")
        owner = OWNER_COLOURS[int(points.owner[i])]
        fill, ring, width = HEALTH_STYLE.get(state, HEALTH_STYLE["not_started"])
        records.append({"x": round((points.lon[i] - points.origin[0]) * SCALE),
                        "y": round((points.lat[i] - points.origin[1]) * SCALE),
                        "w": width, "f": [*(fill or owner), 255], "l": [*(ring or owner), 255], "t": code,
                        "d": f"{points.name[i]}\n{(words or {}).get(code) or labels.get(state, state)}"})
    layer = pdk.Layer("ScatterplotLayer", id=CAMERA_LAYER_CONNECTED, data=f"@@data:{CAMERA_LAYER_CONNECTED}",
                      get_position=_position_expr(points.origin), get_fill_color="f", get_line_color="l",
                      get_line_width="w", line_width_units=PIXELS, stroked=True,
                      get_radius=12, radius_units=METERS, radius_min_pixels=6, radius_max_pixels=14,
                      pickable=True, auto_highlight=True)
    return layer, json.dumps(records, separators=(",", ":"))


def _rounded_rings(geometry) -> list[list[list[float]]]:
    """Exterior rings of a (multi)polygon, coordinates rounded to ~1 m, as PolygonLayer paths."""
    parts = getattr(geometry, "geoms", [geometry])
    return [[[round(x, 5), round(y, 5)] for x, y in part.exterior.coords] for part in parts
            if part is not None and not part.is_empty and hasattr(part, "exterior")]


def district_layer(districts: pd.DataFrame, details: dict[str, str], layer_id: str, pickable: bool,
                   line_px: float, tolerance: float = 0.00005) -> tuple[pdk.Layer, str]:
    """Boundaries as outlines; when pickable, a faint fill carries the district tooltip."""
    records = []
    for code, name, geometry in zip(districts["code"], districts["name"], districts.geometry, strict=True):
        if geometry is None:
            continue
        for ring in _rounded_rings(geometry.simplify(tolerance, preserve_topology=True)):
            records.append({"p": ring, "t": str(name), "d": details.get(code, "")})
    layer = pdk.Layer("PolygonLayer", id=layer_id, data=f"@@data:{layer_id}", get_polygon="p",
                      filled=pickable, get_fill_color=[60, 60, 90, 18], stroked=True,
                      get_line_color=[60, 60, 80, 220], line_width_units=PIXELS, get_line_width=line_px,
                      pickable=pickable, auto_highlight=pickable, highlight_color=[0, 114, 178, 40])
    return layer, json.dumps(records, separators=(",", ":"))


def cone_layer(cones: pd.DataFrame, owner: np.ndarray) -> tuple[pdk.Layer, str]:
    """View cones (sector polygons from geo.fov) in the owner colour, not pickable."""
    records = [{"p": ring, "f": [*OWNER_COLOURS[int(o)], 60]} for geometry, o in zip(cones.geometry, owner, strict=True)
               for ring in _rounded_rings(geometry)]
    layer = pdk.Layer("PolygonLayer", id=CONE_LAYER, data=f"@@data:{CONE_LAYER}", get_polygon="p",
                      get_fill_color="f", stroked=False, pickable=False)
    return layer, json.dumps(records, separators=(",", ":"))


def blind_spot_layer(blocks: pd.DataFrame, origin: tuple[float, float], block_m: float) -> tuple[pdk.Layer, str]:
    """Mostly-unseen blocks as flat grid cells, darker where more of the block is blind."""
    xs, ys = _offsets(blocks["lon"].to_numpy(float), origin[0]), _offsets(blocks["lat"].to_numpy(float), origin[1])
    share = np.rint(blocks["blind_share"].to_numpy(float) * 100).astype(int)
    data = "[" + ",".join(f'{{"x":{x},"y":{y},"b":{b}}}' for x, y, b in zip(xs.tolist(), ys.tolist(),
                                                                           share.tolist(), strict=True)) + "]"
    layer = pdk.Layer("GridCellLayer", id=BLIND_SPOT_LAYER, data=f"@@data:{BLIND_SPOT_LAYER}",
                      get_position=_position_expr(origin), cell_size=block_m, extruded=False,
                      get_fill_color="[213, 94, 0, 40 + b]", pickable=False)
    return layer, data


def post_layers(posts: pd.DataFrame, details: dict[str, str]) -> list[tuple[pdk.Layer, str]]:
    """Polres, Polsek and security posts: dark markers sized by kind, labelled with personnel.

    The label (white, with a dark outline so it stays readable where it spills off its marker) is the
    second layer: put it above everything else on the map (police_layers does).
    """
    records = [{"lon": round(float(r.lon), 5), "lat": round(float(r.lat), 5), "r": POST_RADIUS_PX.get(r.kind, 8),
                "t": str(r.name), "d": details.get(r.code, ""), "l": f"{r.personnel}"}
               for r in posts.itertuples()]
    data = json.dumps(records, separators=(",", ":"))
    dots = pdk.Layer("ScatterplotLayer", id=POST_LAYER, data=f"@@data:{POST_LAYER}", get_position="[lon, lat]",
                     get_fill_color=[*POST_COLOUR, 235], get_line_color=[255, 255, 255, 255], stroked=True,
                     line_width_min_pixels=2, get_radius="r", radius_units=PIXELS, pickable=True)
    text = pdk.Layer("TextLayer", id=POST_LABEL_LAYER, data=f"@@data:{POST_LABEL_LAYER}",
                     get_position="[lon, lat]", get_text="l", get_size=13, get_color=[255, 255, 255, 255],
                     get_pixel_offset=[0, 0], font_weight=700, font_settings={"sdf": True},
                     outline_width=3, outline_color=[*POST_COLOUR, 255], pickable=False)
    return [(dots, data), (text, data)]


def duty_unit_layer(units: pd.DataFrame, details: dict[str, str]) -> tuple[pdk.Layer, str]:
    """Duty units at their last known position (units without a position are left out).

    Small yellow dots with a thin dark ring (legible on a light and on a dark basemap), smaller than
    any post marker.
    """
    known = units[units["last_lon"].notna() & units["last_lat"].notna()] if len(units) else units
    records = [{"lon": round(float(r.last_lon), 5), "lat": round(float(r.last_lat), 5), "t": str(r.callsign),
                "d": details.get(r.callsign, "")} for r in known.itertuples()]
    layer = pdk.Layer("ScatterplotLayer", id=DUTY_UNIT_LAYER, data=f"@@data:{DUTY_UNIT_LAYER}",
                      get_position="[lon, lat]", get_fill_color=[*DUTY_UNIT_COLOUR, 255],
                      get_line_color=[20, 20, 20, 255], stroked=True, line_width_units=PIXELS, get_line_width=1.5,
                      get_radius=DUTY_UNIT_RADIUS_PX, radius_units=PIXELS, pickable=True)
    return layer, json.dumps(records, separators=(",", ":"))


def police_layers(posts: pd.DataFrame, post_details: dict[str, str], units: pd.DataFrame,
                  unit_details: dict[str, str]) -> list[tuple[pdk.Layer, str]]:
    """Duty units, then posts, then the posts' personnel labels: deck.gl draws later layers on top.

    Posts are the fixed reference points a command centre reads every position against ("two units
    north of Polsek Kembangan"), and there are few of them; units are many and cluster around their
    post. So the posts and their labels stay on top and a unit standing at its post is shown by the post
    (hovering there gives the post; the Posts and duty page lists every unit).
    Draw these after every camera layer.
    """
    layered = [duty_unit_layer(units, unit_details)] if len(units) else []
    if len(posts):
        layered += post_layers(posts, post_details)
    return layered


def zoom_to_fit(bounds: tuple[float, float, float, float], width_px: float, height_px: float,
                fill: float = 0.92, max_zoom: float = 15.0) -> float:
    """The deck.gl zoom at which lon/lat ``bounds`` take at most ``fill`` of a width x height px view.

    Web Mercator as deck.gl draws it: the world is 512 px wide at zoom 0 and doubles per zoom level.
    """
    min_lon, min_lat, max_lon, max_lat = bounds

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    world = 512 / (2 * math.pi)                 # px per radian at zoom 0
    spans = ((math.radians(max_lon - min_lon), width_px), (mercator_y(max_lat) - mercator_y(min_lat), height_px))
    zooms = [math.log2(fill * pixels / (world * span)) for span, pixels in spans if span > 0]
    return min([*zooms, max_zoom])


def raster_basemap_style(tile_url: str) -> dict:
    """A MapLibre/Mapbox GL style with one self-hosted XYZ raster source (no glyphs, no sprites)."""
    return {"version": 8, "sources": {"basemap": {"type": "raster", "tiles": [tile_url], "tileSize": 256}},
            "layers": [{"id": "basemap", "type": "raster", "source": "basemap"}]}


class SplicedDeck(pdk.Deck):
    """A pydeck Deck whose layer data is spliced in as pre-serialised JSON when Streamlit serialises it.

    Layers are built with ``data="@@data:<layer id>"``; ``to_json`` replaces each placeholder with
    the matching JSON array. The basemap is the product's own vector basemap (an MVTLayer under every
    other layer, in the light or dark ``style``), else a raster style pointing at the configured
    self-hosted tile server, else none: no request leaves the browser.
    """

    def __init__(self, layered: list[tuple[pdk.Layer, str]], view_state: pdk.ViewState,
                 basemap_url: str | None = None, tooltip: dict | None = None,
                 vector_basemap: VectorBasemap | None = None, style: str = "light"):
        under = [vector_basemap_layer(vector_basemap, style)] if vector_basemap is not None else []
        super().__init__(layers=under + [layer for layer, _ in layered], initial_view_state=view_state,
                         map_provider=None, tooltip=tooltip if tooltip is not None else TOOLTIP)
        if vector_basemap is not None:
            basemap_url = None
        self._spliced = {layer.id: data for layer, data in layered}
        self._basemap_url = basemap_url

    def to_json(self) -> str:
        # pydeck serialises every attribute: keep the spliced data out of its view while it runs.
        spliced, basemap = self.__dict__.pop("_spliced"), self.__dict__.pop("_basemap_url")
        try:
            text = json.dumps(json.loads(super().to_json()), separators=(",", ":"))
        finally:
            self._spliced, self._basemap_url = spliced, basemap
        for layer_id, data in spliced.items():
            text = text.replace(json.dumps(f"@@data:{layer_id}"), data, 1)
        if basemap:
            style = json.dumps([raster_basemap_style(basemap)], separators=(",", ":"))
            text = text.replace('"mapStyle":"__MAP_STYLE__"', f'"mapStyle":{style}', 1)
        return text
