"""Moving demo geometry and coordinates between WGS 84 and UTM 48S (metres)."""
from __future__ import annotations

from functools import cache

import numpy as np
import shapely
from pyproj import Transformer

from geo.demo.facts import METRIC_CRS, WGS84


@cache
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def lonlat_to_metric(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    x, y = _transformer(WGS84, METRIC_CRS).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def metric_to_lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _transformer(METRIC_CRS, WGS84).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, float), np.asarray(lat, float)


def _apply(coords: np.ndarray, forward: bool) -> np.ndarray:
    fn = lonlat_to_metric if forward else metric_to_lonlat
    a, b = fn(coords[:, 0], coords[:, 1])
    return np.column_stack([a, b])


def geometry_to_metric(geometry):
    return shapely.transform(geometry, lambda c: _apply(c, True))


def geometry_to_lonlat(geometry):
    return shapely.transform(geometry, lambda c: _apply(c, False))
