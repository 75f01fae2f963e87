"""The demo's priority layer: main-road corridors, markets and hotspots, public spaces.

Roads are hand-drawn centre lines buffered to a corridor (about 24 m wide); places are discs of a
radius that suits them. Weights say how much covering each matters to the coverage figures.
"""
from __future__ import annotations

import geopandas as gpd
import shapely

from geo.demo.facts import PLACES, ROAD_HALF_WIDTH_M, ROADS, WGS84
from geo.demo.projection import geometry_to_lonlat, geometry_to_metric

PLACE_WEIGHTS = {"market": 2.0, "hotspot": 2.0, "public_space": 1.5}
ROAD_WEIGHT = 1.0


def road_lines_metric(outline: shapely.Polygon) -> dict[str, shapely.LineString]:
    """Each main road's centre line in metres, cut to the city outline."""
    lines = {}
    for name, vertices in ROADS.items():
        line = shapely.intersection(geometry_to_metric(shapely.LineString(vertices)), outline)
        if not line.is_empty:
            lines[name] = line
    return lines


def build_priority(outline: shapely.Polygon) -> gpd.GeoDataFrame:
    """Road corridors and places, clipped to the outline, EPSG:4326 (columns name, weight, geometry)."""
    names, weights, geometries = [], [], []
    for name, line in road_lines_metric(outline).items():
        names.append(name)
        weights.append(ROAD_WEIGHT)
        geometries.append(shapely.buffer(line, ROAD_HALF_WIDTH_M, cap_style="flat"))
    for place in PLACES:
        centre = geometry_to_metric(shapely.Point(place.lon, place.lat))
        names.append(place.name)
        weights.append(PLACE_WEIGHTS[place.kind])
        geometries.append(shapely.buffer(centre, place.radius_m, quad_segs=8))
    clipped = [geometry_to_lonlat(shapely.intersection(g, outline)) for g in geometries]
    frame = gpd.GeoDataFrame({"name": names, "weight": weights}, geometry=clipped, crs=WGS84)
    return frame[~frame.geometry.is_empty].reset_index(drop=True)
