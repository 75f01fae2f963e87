"""Which cameras can see a point, and which cameras are near it.

Build the index once per registry version (``build_camera_index``), then query in well under a
millisecond per point: an STRtree over camera positions (metric CRS) finds the cameras within the
longest range, and the exact cone test (geo.fov.in_cone) keeps those whose cone holds the point.

Occlusion (when a buildings layer is given): a camera does not see the point when the straight line
of sight crosses a building footprint. Footprints that contain the camera itself (the building it
is mounted on) or the point itself are ignored. This is a 2-D simplification: no heights, so a low
wall blocks as much as a tower.

Public functions
----------------
build_camera_index(cameras, buildings=None, epsg=None) -> CameraIndex
cameras_seeing_point(index, lon, lat) -> DataFrame ranked by distance_m, with the camera's columns
    (code, name, owner_name, owner_phone, owner_class, connection, consent, dvr_retention_days, ...)
    plus distance_m, bearing_deg, fov_deg, range_m as used.
cameras_within(index, lon, lat, radius_m) -> DataFrame ranked by distance_m (any direction)
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import metric_epsg, to_metric
from geo.fov import in_cone, resolve_fields, to_lonlat_columns

RESULT_FIRST_COLUMNS = ["code", "name", "distance_m", "connection", "consent", "owner_name", "owner_phone",
                        "owner_class", "dvr_retention_days", "kind", "bearing_deg", "fov_deg", "range_m"]


class VisibilityQueryError(ValueError):
    """A query that cannot be answered (bad coordinates, negative radius)."""


@dataclass
class CameraIndex:
    cameras: pd.DataFrame        # the input columns (geometry dropped), positional index 0..n-1
    columns: dict[str, np.ndarray]  # the same columns as plain arrays, for quick per-query rows
    x: np.ndarray
    y: np.ndarray
    bearing: np.ndarray
    fov: np.ndarray
    range_m: np.ndarray
    tree: shapely.STRtree
    max_range: float
    epsg: int
    buildings: np.ndarray | None = None
    building_tree: shapely.STRtree | None = None


def build_camera_index(cameras: pd.DataFrame, buildings: gpd.GeoDataFrame | None = None,
                       epsg: int | None = None) -> CameraIndex:
    if epsg is None:
        epsg = metric_epsg(*to_lonlat_columns(cameras)) if len(cameras) else 32748
    fields = resolve_fields(cameras, epsg) if len(cameras) else pd.DataFrame(
        {c: np.zeros(0) for c in ("x", "y", "bearing_deg", "fov_deg", "range_m")})
    data = pd.DataFrame(cameras.drop(columns=["geometry"], errors="ignore")).reset_index(drop=True)
    for col in ("kind", "bearing_deg", "fov_deg", "range_m"):
        if col in fields:
            data[col] = fields[col].to_numpy()
    x, y = fields["x"].to_numpy(float), fields["y"].to_numpy(float)
    ordered = [c for c in RESULT_FIRST_COLUMNS if c in data] + [c for c in data.columns
                                                                if c not in RESULT_FIRST_COLUMNS]
    columns = {c: data[c].to_numpy() for c in ordered}
    index = CameraIndex(data, columns, x, y, fields["bearing_deg"].to_numpy(float), fields["fov_deg"].to_numpy(float),
                        fields["range_m"].to_numpy(float), shapely.STRtree(shapely.points(x, y)),
                        float(fields["range_m"].max()) if len(fields) else 0.0, epsg)
    if buildings is not None and len(buildings):
        geoms = buildings.to_crs(epsg).geometry.to_numpy()
        index.buildings = geoms
        index.building_tree = shapely.STRtree(geoms)
        shapely.prepare(geoms)
    return index


def _point(index: CameraIndex, lon: float, lat: float) -> tuple[float, float]:
    if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise VisibilityQueryError(f"({lon}, {lat}) is not a position: give longitude then latitude in degrees")
    x, y = to_metric(lon, lat, index.epsg)
    return float(x), float(y)


def _near(index: CameraIndex, px: float, py: float, radius: float) -> tuple[np.ndarray, np.ndarray]:
    hits = index.tree.query(shapely.Point(px, py), predicate="dwithin", distance=radius)
    dist = np.hypot(index.x[hits] - px, index.y[hits] - py)
    return hits, dist


def _blocked(index: CameraIndex, hits: np.ndarray, px: float, py: float) -> np.ndarray:
    if index.building_tree is None or index.buildings is None or not len(hits):
        return np.zeros(len(hits), bool)
    sights = shapely.linestrings(np.stack([np.stack([index.x[hits], index.y[hits]], 1),
                                           np.tile([px, py], (len(hits), 1))], 1))
    line_i, building_i = index.building_tree.query(sights, predicate="intersects")
    if not len(line_i):
        return np.zeros(len(hits), bool)
    walls = index.buildings[building_i]
    own = shapely.intersects(walls, shapely.points(index.x[hits][line_i], index.y[hits][line_i]))
    target = shapely.intersects(walls, shapely.Point(px, py))
    blocked = np.zeros(len(hits), bool)
    blocked[line_i[~own & ~target]] = True
    return blocked


def _rows(index: CameraIndex, hits: np.ndarray, dist: np.ndarray) -> pd.DataFrame:
    """The answer rows, nearest first, built from plain arrays (slicing the big frame per query is slow)."""
    order = np.argsort(dist, kind="stable")
    picked = hits[order]
    data = {c: values[picked] for c, values in index.columns.items()}
    data["distance_m"] = np.round(dist[order], 1)
    first = [c for c in RESULT_FIRST_COLUMNS if c in data]
    return pd.DataFrame({c: data[c] for c in first + [c for c in data if c not in first]})


def cameras_seeing_point(index: CameraIndex, lon: float, lat: float) -> pd.DataFrame:
    px, py = _point(index, lon, lat)
    hits, dist = _near(index, px, py, index.max_range)
    sees = in_cone(px, py, index.x[hits], index.y[hits], index.bearing[hits], index.fov[hits], index.range_m[hits])
    hits, dist = hits[sees], dist[sees]
    clear = ~_blocked(index, hits, px, py)
    return _rows(index, hits[clear], dist[clear])


def cameras_within(index: CameraIndex, lon: float, lat: float, radius_m: float) -> pd.DataFrame:
    if not radius_m >= 0:
        raise VisibilityQueryError(f"radius must be zero or more metres, not {radius_m}")
    px, py = _point(index, lon, lat)
    hits, dist = _near(index, px, py, radius_m)
    return _rows(index, hits, dist)
