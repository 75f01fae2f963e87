"""OpenStreetMap features -> the basemap's vector-tile layers (pure: frames in, frames out).

A basemap is a handful of layers, each drawn from some zoom on (``LAYERS``): roads by class, railways,
water, green areas, buildings at street level, and label points for place names and street names (one
point per named street stretch, so deck.gl's own text rendering needs no glyph server). Every feature
carries ``kind``, the one property the map's styles read (dashboard/components/basemap_layers.py), and
``name`` where it has one. db/io/basemap.py reads an extract with GDAL's OSM driver, calls these and
writes the tiles.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely


@dataclass(frozen=True)
class TileLayer:
    name: str
    min_zoom: int
    max_zoom: int = 15


# Tile order is drawing order (polygons first, then lines, then labels): the writer keeps it.
LAYERS = (TileLayer("water", 8), TileLayer("green", 10), TileLayer("buildings", 14), TileLayer("waterways", 11),
          TileLayer("rail", 10), TileLayer("roads_service", 14), TileLayer("roads_minor", 12),
          TileLayer("roads_major", 8), TileLayer("places_major", 10), TileLayer("places_minor", 13),
          TileLayer("road_labels", 14))
MAX_ZOOM = max(layer.max_zoom for layer in LAYERS)
MIN_ZOOM = min(layer.min_zoom for layer in LAYERS)

ROAD_KIND = {"motorway": "motorway", "motorway_link": "motorway", "trunk": "trunk", "trunk_link": "trunk",
             "primary": "primary", "primary_link": "primary", "secondary": "secondary",
             "secondary_link": "secondary", "tertiary": "tertiary", "tertiary_link": "tertiary",
             "residential": "residential", "unclassified": "residential", "living_street": "residential",
             "service": "service", "pedestrian": "service", "track": "service"}
ROAD_LAYER = {"motorway": "roads_major", "trunk": "roads_major", "primary": "roads_major",
              "secondary": "roads_major", "tertiary": "roads_minor", "residential": "roads_minor",
              "service": "roads_service"}
RAIL = {"rail", "light_rail", "subway", "monorail", "tram", "narrow_gauge"}
WATERWAYS = {"river", "canal", "stream", "drain", "ditch"}
WATER_AREAS = {"natural": {"water", "wetland"}, "landuse": {"reservoir", "basin"}, "waterway": {"riverbank", "dock"}}
GREEN_AREAS = {"leisure": {"park", "garden", "pitch", "golf_course", "nature_reserve", "playground"},
               "landuse": {"grass", "forest", "meadow", "recreation_ground", "cemetery", "village_green",
                           "orchard", "farmland"},
               "natural": {"wood", "scrub", "grassland", "heath"}}
PLACE_MAJOR = {"city", "town", "suburb", "borough"}
PLACE_MINOR = {"quarter", "village", "neighbourhood", "hamlet"}
LABELLED_ROADS = {"motorway", "trunk", "primary", "secondary", "tertiary", "residential"}
MIN_LABEL_LENGTH_M = 120.0   # a named stretch shorter than this gets no label of its own


def _frame(rows: gpd.GeoDataFrame, kind: pd.Series) -> gpd.GeoDataFrame:
    names = rows["name"] if "name" in rows else pd.Series(None, index=rows.index, dtype=object)
    return gpd.GeoDataFrame({"kind": kind.astype(str).to_numpy(), "name": names.to_numpy(object)},
                            geometry=rows.geometry.to_numpy(), crs=rows.crs)


def _tagged(frame: gpd.GeoDataFrame, table: dict[str, set[str]]) -> pd.Series:
    """True where any of the table's tags has one of its values."""
    hit = pd.Series(False, index=frame.index)
    for tag, values in table.items():
        if tag in frame:
            hit |= frame[tag].isin(values)
    return hit


def line_layers(lines: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """OSM ``lines`` (columns highway, railway, waterway, name) -> roads by layer, rail, waterways."""
    layers: dict[str, gpd.GeoDataFrame] = {}
    road_kind = lines["highway"].map(ROAD_KIND) if "highway" in lines else pd.Series(dtype=object)
    roads = lines[road_kind.notna()]
    kinds = road_kind[road_kind.notna()]
    for layer in sorted(set(ROAD_LAYER.values())):
        chosen = kinds.map(ROAD_LAYER) == layer
        layers[layer] = _frame(roads[chosen], kinds[chosen])
    rail = lines[lines["railway"].isin(RAIL)] if "railway" in lines else lines.iloc[:0]
    layers["rail"] = _frame(rail, pd.Series("rail", index=rail.index))
    water = lines[lines["waterway"].isin(WATERWAYS)] if "waterway" in lines else lines.iloc[:0]
    layers["waterways"] = _frame(water, pd.Series("water", index=water.index))
    return layers


def area_layers(areas: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """OSM ``multipolygons`` -> water, green areas and buildings (a building is only a building)."""
    building = areas["building"].notna() & (areas["building"] != "no") if "building" in areas \
        else pd.Series(False, index=areas.index)
    water = _tagged(areas, WATER_AREAS) & ~building
    green = _tagged(areas, GREEN_AREAS) & ~building & ~water
    return {"water": _frame(areas[water], pd.Series("water", index=areas.index[water])),
            "green": _frame(areas[green], pd.Series("green", index=areas.index[green])),
            "buildings": _frame(areas[building], pd.Series("building", index=areas.index[building]))}


def place_layers(points: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """OSM ``points`` with ``place`` and a name -> the place-name label layers (kind: the place value)."""
    named = points[points["name"].notna() & points["place"].notna()] if "place" in points else points.iloc[:0]
    major, minor = named[named["place"].isin(PLACE_MAJOR)], named[named["place"].isin(PLACE_MINOR)]
    return {"places_major": _frame(major, major["place"]), "places_minor": _frame(minor, minor["place"])}


def road_label_points(roads: gpd.GeoDataFrame, metric_crs: str | int) -> gpd.GeoDataFrame:
    """One label point per named street stretch: a street's ways are merged and each stretch at least
    MIN_LABEL_LENGTH_M long is labelled at its middle (kind: the road's class)."""
    named = roads[roads["name"].notna() & roads["kind"].isin(LABELLED_ROADS)]
    if named.empty:
        return gpd.GeoDataFrame({"kind": [], "name": []}, geometry=[], crs=roads.crs)
    metric = named.to_crs(metric_crs)
    rows: list[tuple[str, str, shapely.Point]] = []
    for (name, kind), group in metric.groupby(["name", "kind"], sort=True):
        merged = shapely.line_merge(shapely.union_all(group.geometry.to_numpy()))
        for part in getattr(merged, "geoms", [merged]):
            if part.length >= MIN_LABEL_LENGTH_M:
                rows.append((str(kind), str(name), part.interpolate(0.5, normalized=True)))
    labels = gpd.GeoDataFrame({"kind": [r[0] for r in rows], "name": [r[1] for r in rows]},
                              geometry=[r[2] for r in rows], crs=metric.crs)
    return labels.to_crs(roads.crs)


def basemap_layers(points: gpd.GeoDataFrame, lines: gpd.GeoDataFrame, areas: gpd.GeoDataFrame,
                   metric_crs: str | int) -> dict[str, gpd.GeoDataFrame]:
    """Every layer of LAYERS, in its order, from the three OSM layers (empty ones included)."""
    built = {**area_layers(areas), **line_layers(lines), **place_layers(points)}
    roads = pd.concat([built[name] for name in ("roads_major", "roads_minor")], ignore_index=True)
    built["road_labels"] = road_label_points(gpd.GeoDataFrame(roads, geometry="geometry", crs=lines.crs), metric_crs)
    return {layer.name: built[layer.name] for layer in LAYERS}
