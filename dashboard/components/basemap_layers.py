"""The offline vector basemap drawn by deck.gl (MVTLayer over the product's own tiles) and the district
name labels drawn when there is none.

Features carry ``kind`` (geo/basemap.py); colours, widths and text sizes are looked up by it in the
browser through accessor expressions, in one of two palettes: light for the commander's screens, dark for
the briefing screen. Names are drawn by deck.gl's text layer from its own font atlas: no glyph server,
no request beyond the tiles. Tiles are parsed by loaders.gl's worker served by the dashboard
(dashboard/basemap_tiles.py), never the CDN copy it would fetch by default.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pydeck as pdk

BASEMAP_LAYER, DISTRICT_LABEL_LAYER = "basemap", "district-labels-{level}"
ATTRIBUTION = "© OpenStreetMap contributors"
MVT_WORKER_URL = "/basemap/mvt-worker.js"          # dashboard/basemap_tiles.WORKER_PATH
METERS, TEXT, AUTO = pdk.types.String("meters"), pdk.types.String("text"), pdk.types.String("auto")


@dataclass(frozen=True)
class VectorBasemap:
    url: str            # tile URL template on the dashboard's own origin (dashboard/basemap_tiles.py)
    min_zoom: int
    max_zoom: int


ROAD_GREYS = {"light": {"motorway": 150, "trunk": 158, "primary": 168, "secondary": 182, "tertiary": 196,
                        "residential": 208, "service": 222},
              "dark": {"motorway": 112, "trunk": 104, "primary": 96, "secondary": 86, "tertiary": 76,
                       "residential": 66, "service": 56}}
PALETTES: dict[str, dict[str, Any]] = {
    "light": {"water": [172, 204, 226, 255], "green": [214, 234, 202, 255], "building": [228, 223, 216, 255],
              "building_line": [206, 198, 188, 255], "rail": [128, 128, 140, 255], "text": [70, 70, 82, 255],
              "halo": [255, 255, 255, 230]},
    "dark": {"water": [26, 48, 70, 255], "green": [26, 44, 34, 255], "building": [40, 43, 52, 255],
             "building_line": [52, 56, 66, 255], "rail": [120, 120, 135, 255], "text": [200, 206, 216, 255],
             "halo": [11, 14, 20, 230]},
}
WIDTH_M = {"motorway": 18, "trunk": 16, "primary": 14, "secondary": 12, "tertiary": 9, "residential": 6,
           "service": 4, "rail": 4, "water": 6, "building": 0.5, "green": 0, "water_area": 0}
TEXT_PX = {"city": 16, "town": 15, "suburb": 14, "borough": 14, "quarter": 12, "village": 12, "neighbourhood": 12,
           "hamlet": 11}
ROAD_TEXT_PX = 11


def by_kind(values: dict[str, Any], default: Any) -> str:
    """A deck.gl accessor expression: ``values[properties.kind]``, else ``default``."""
    expr = json.dumps(default)
    for kind, value in reversed(list(values.items())):
        expr = f"properties.kind == {json.dumps(kind)} ? {json.dumps(value)} : ({expr})"
    return expr


def _colours(style: str) -> tuple[str, str]:
    palette = PALETTES[style]
    roads = {kind: [grey, grey, grey + (6 if style == "light" else 10), 255]
             for kind, grey in ROAD_GREYS[style].items()}
    fill = by_kind({"water": palette["water"], "green": palette["green"], "building": palette["building"]},
                   palette["building"])
    line = by_kind({**roads, "rail": palette["rail"], "water": palette["water"], "green": palette["green"],
                    "building": palette["building_line"]}, palette["building_line"])
    return fill, line


def vector_basemap_layer(basemap: VectorBasemap, style: str = "light") -> pdk.Layer:
    """The basemap as one MVTLayer (style: "light" or "dark"); draw it first, under everything else."""
    fill, line = _colours(style)
    palette = PALETTES[style]
    return pdk.Layer(
        "MVTLayer", id=BASEMAP_LAYER, data=basemap.url, min_zoom=basemap.min_zoom, max_zoom=basemap.max_zoom,
        binary=False, load_options={"mvt": {"workerUrl": MVT_WORKER_URL}}, pickable=False, filled=True, stroked=True,
        get_fill_color=fill, get_line_color=line, get_line_width=by_kind(WIDTH_M, 0), line_width_units=METERS,
        line_width_min_pixels=1, line_width_max_pixels=24, point_type=TEXT, get_text="properties.name",
        get_text_size=by_kind(TEXT_PX, ROAD_TEXT_PX), get_text_color=palette["text"], text_character_set=AUTO,
        text_font_weight=600, text_font_settings={"sdf": True}, text_outline_width=3,
        text_outline_color=palette["halo"])


def district_label_layer(districts: pd.DataFrame, level: str) -> tuple[pdk.Layer, str]:
    """District names at a point inside each district: kecamatan always legible (pixels), kelurahan in
    metres, so they grow in as the map zooms in and do not crowd the whole-region view."""
    records = []
    for name, geometry in zip(districts["name"], districts.geometry, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        point = geometry.representative_point()
        records.append({"lon": round(point.x, 5), "lat": round(point.y, 5), "n": str(name)})
    layer_id = DISTRICT_LABEL_LAYER.format(level=level)
    kecamatan = level == "kecamatan"
    layer = pdk.Layer("TextLayer", id=layer_id, data=f"@@data:{layer_id}", get_position="[lon, lat]", get_text="n",
                      get_size=15 if kecamatan else 160, size_units=pdk.types.String("pixels") if kecamatan else METERS,
                      size_max_pixels=15 if kecamatan else 12, font_weight=700 if kecamatan else 500,
                      get_color=[40, 40, 60, 255] if kecamatan else [70, 70, 90, 230], character_set=AUTO,
                      font_settings={"sdf": True}, outline_width=3, outline_color=[255, 255, 255, 220],
                      pickable=False)
    return layer, json.dumps(records, separators=(",", ":"))
