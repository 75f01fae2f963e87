"""Spatial join of points to the finest district that contains them.

Pure: takes coordinates and district polygons, returns district codes. The finest level wins
(kelurahan over kecamatan); a point a finer layer does not cover falls back to the coarser one.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

# Lower rank = finer. Levels not listed rank after these.
LEVEL_RANK = {"kelurahan": 0, "kecamatan": 1}


def assign_points(lon: np.ndarray, lat: np.ndarray, districts: gpd.GeoDataFrame) -> np.ndarray:
    """The code of the finest district containing each point (None where no district does).

    ``districts`` needs columns ``code``, ``level`` and a geometry in the points' CRS. Points on a
    shared border go to the district with the smallest code, so the answer is deterministic.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    result = np.full(len(lon), None, dtype=object)
    if len(lon) == 0 or len(districts) == 0:
        return result
    order = _finest_first(districts)
    geoms = np.asarray(districts.geometry.values)[order]
    codes = districts["code"].to_numpy(dtype=object)[order]
    points = shapely.points(lon, lat)
    # Index the points and query with the (few, prepared) polygons: much faster than the other way round.
    shapely.prepare(geoms)
    district_idx, point_idx = shapely.STRtree(points).query(geoms, predicate="intersects")
    if len(point_idx) == 0:
        return result
    # district_idx indexes the finest-first order, so the smallest index per point is the answer.
    pairs = np.lexsort((district_idx, point_idx))
    point_idx, district_idx = point_idx[pairs], district_idx[pairs]
    first = np.concatenate(([True], point_idx[1:] != point_idx[:-1]))
    result[point_idx[first]] = codes[district_idx[first]]
    return result


def _finest_first(districts: gpd.GeoDataFrame) -> np.ndarray:
    rank = districts["level"].map(lambda v: LEVEL_RANK.get(str(getattr(v, "value", v)), len(LEVEL_RANK)))
    return np.lexsort((districts["code"].astype(str).to_numpy(), rank.to_numpy()))
