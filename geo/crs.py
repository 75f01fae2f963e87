"""Metric coordinate systems: which UTM zone a place is in, and lon/lat <-> metres.

Public functions
----------------
utm_epsg(lon, lat) -> int
    EPSG code of the WGS 84 / UTM zone containing the point (326xx north, 327xx south).
    Jakarta (106.8 E, 6.2 S) is zone 48 south: EPSG:32748.
metric_epsg(lon, lat) -> int
    The UTM zone of the centre of a set of points (arrays of degrees).
to_metric(lon, lat, epsg) -> (x, y)   and   to_lonlat(x, y, epsg) -> (lon, lat)
    Vectorised transforms (numpy arrays in, numpy arrays out); always lon/lat order.

Transformers are created on first use and kept (pyproj's are expensive to build).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import Transformer

WGS84_EPSG = 4326
JAKARTA_EPSG = 32748


class CoordinateError(ValueError):
    """Coordinates that cannot be placed in a UTM zone (out of range, or not numbers)."""


def utm_epsg(lon: float, lat: float) -> int:
    if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -84 <= lat <= 84):
        raise CoordinateError(f"({lon}, {lat}) is not a lon/lat position covered by UTM; "
                              "give longitude first, in degrees between -180 and 180, latitude between -84 and 84")
    zone = min(int((lon + 180) // 6) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


def metric_epsg(lon, lat) -> int:
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return JAKARTA_EPSG
    return utm_epsg(float((lon[ok].min() + lon[ok].max()) / 2), float((lat[ok].min() + lat[ok].max()) / 2))


@lru_cache(maxsize=16)
def _transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(lon, lat, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = _transformer(WGS84_EPSG, epsg).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def to_lonlat(x, y, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _transformer(epsg, WGS84_EPSG).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, float), np.asarray(lat, float)
