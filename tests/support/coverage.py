"""Helpers for the geo tests: tiny frames built in metres around a point in West Jakarta."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import JAKARTA_EPSG, to_lonlat

ORIGIN = (700_000.0, 9_320_000.0)  # UTM 48S, in West Jakarta


def lonlat(dx: float, dy: float) -> tuple[float, float]:
    lon, lat = to_lonlat(ORIGIN[0] + dx, ORIGIN[1] + dy, JAKARTA_EPSG)
    return float(lon), float(lat)


def cameras(rows: list[dict]) -> pd.DataFrame:
    """rows: dicts with dx, dy (metres from ORIGIN) and any camera columns."""
    out = []
    for i, row in enumerate(rows):
        row = dict(row)
        lon, lat = lonlat(row.pop("dx"), row.pop("dy"))
        out.append({"code": f"CAM-{i}", "lon": lon, "lat": lat, "connection": "registered", **row})
    return pd.DataFrame(out)


def districts(boxes: list[tuple[float, float, float, float]], **columns) -> gpd.GeoDataFrame:
    """Square districts given as (minx, miny, maxx, maxy) offsets in metres from ORIGIN."""
    geoms = [shapely.box(ORIGIN[0] + a, ORIGIN[1] + b, ORIGIN[0] + c, ORIGIN[1] + d) for a, b, c, d in boxes]
    frame = gpd.GeoDataFrame({"code": [f"D{i}" for i in range(len(boxes))],
                              "name": [f"District {i}" for i in range(len(boxes))], **columns},
                             geometry=geoms, crs=JAKARTA_EPSG)
    return frame.to_crs(4326)


def random_cameras(n: int, bounds, seed: int = 0, connected_share: float = 0.05) -> pd.DataFrame:
    """Demo-like cameras spread uniformly over a lon/lat box."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = bounds
    kind = rng.choice(["fixed", "dome", "ptz"], n, p=[0.6, 0.3, 0.1])
    return pd.DataFrame({
        "code": [f"R-{i}" for i in range(n)], "lon": rng.uniform(minx, maxx, n), "lat": rng.uniform(miny, maxy, n),
        "kind": kind, "bearing_deg": rng.uniform(0, 360, n),
        "fov_deg": np.where(kind == "fixed", rng.uniform(60, 110, n), np.nan),
        "range_m": np.where(kind == "fixed", rng.uniform(20, 40, n), np.nan),
        "connection": np.where(rng.random(n) < connected_share, "connected", "registered"),
        "consent": rng.choice(["live", "on_request", "registry_only"], n, p=[0.3, 0.5, 0.2]),
        "bearing_adjustable": rng.random(n) < 0.6,
    })


def exact_coverage_pct(cams: pd.DataFrame, district_frame: gpd.GeoDataFrame) -> np.ndarray:
    """Reference: shapely union of finely drawn cone polygons, intersected with each district."""
    from geo.fov import cone_polygons
    cones = cone_polygons(cams, epsg=JAKARTA_EPSG, arc_segments=128, to_wgs84=False)
    union = shapely.union_all(cones.geometry.to_numpy())
    geoms = district_frame.to_crs(JAKARTA_EPSG).geometry.to_numpy()
    return 100.0 * shapely.area(shapely.intersection(geoms, union)) / shapely.area(geoms)
