"""Field of view: what ground a camera sees, as a 2-D sector ("cone") in a metric CRS.

Model
-----
A camera at (lon, lat) sees the sector of a disc centred on it: radius ``range_m``, opening
``fov_deg`` centred on ``bearing_deg`` (0 = north, clockwise, so 90 = east). ``fov_deg >= 360``
is a full disc. Height is ignored: ``range_m`` is read as the useful range on the ground, and we
do not stretch it with mounting height (a 2-D model; height is kept for the camera card).

Defaults when a field is missing (documented in docs/coverage.md):

=========  =======  =======  ==========================================
kind       fov      range    note
=========  =======  =======  ==========================================
fixed      90 deg   30 m     bullet/box camera, typical 2.8-4 mm lens
dome       360 deg  15 m     fisheye/dome over a gate or yard
ptz        360 deg  60 m     can point anywhere; counted as a disc
=========  =======  =======  ==========================================

A missing kind counts as fixed, a missing bearing as 0 (north); ``*_assumed`` columns say which
values were filled in.

Public functions
----------------
resolve_fields(cameras, epsg=None) -> DataFrame (same index): x, y (metres in ``epsg``), kind,
    bearing_deg, fov_deg, range_m, bearing_assumed, fov_assumed, range_assumed.
cone_polygons(cameras, epsg=None, arc_segments=32, to_wgs84=True) -> GeoDataFrame with the input
    columns and one sector polygon per camera (EPSG:4326 by default, or metric).
sector_vertices(x, y, bearing_deg, fov_deg, range_m, arc_segments) -> (n, arc_segments + 2, 2) array.
in_cone(px, py, x, y, bearing_deg, fov_deg, range_m) -> bool array (numpy broadcasting).
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import WGS84_EPSG, metric_epsg, to_metric
from geo.vocabulary import CameraKind, VocabularyError


class FieldOfViewError(ValueError):
    """Camera fields that cannot describe a view (negative range, fov over 360, no position)."""


@dataclass(frozen=True)
class FieldOfView:
    fov_deg: float
    range_m: float


KIND_DEFAULTS: dict[CameraKind, FieldOfView] = {
    CameraKind.FIXED: FieldOfView(90.0, 30.0),
    CameraKind.DOME: FieldOfView(360.0, 15.0),
    CameraKind.PTZ: FieldOfView(360.0, 60.0),
}
DEFAULT_BEARING_DEG = 0.0


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(float)


def _kinds(frame: pd.DataFrame) -> np.ndarray:
    if "kind" not in frame:
        return np.full(len(frame), CameraKind.FIXED.value, dtype=object)
    raw = frame["kind"]
    labels = {}
    for value in pd.unique(raw):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            labels[value] = CameraKind.FIXED.value
            continue
        try:
            labels[value] = CameraKind.parse(getattr(value, "value", value)).value
        except VocabularyError as exc:
            raise FieldOfViewError(str(exc)) from None
    return raw.map(labels).fillna(CameraKind.FIXED.value).to_numpy(object)


def _positions(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if "lon" in frame and "lat" in frame:
        return _column(frame, "lon"), _column(frame, "lat")
    if isinstance(frame, gpd.GeoDataFrame) and len(frame):
        pts = frame.geometry.to_crs(WGS84_EPSG) if frame.crs is not None else frame.geometry
        return shapely.get_x(pts.values), shapely.get_y(pts.values)
    raise FieldOfViewError("cameras need lon and lat columns (or point geometry)")


def _codes(frame: pd.DataFrame, bad: np.ndarray) -> str:
    labels = frame["code"].to_numpy(object)[bad] if "code" in frame else np.flatnonzero(bad)
    return ", ".join(str(v) for v in labels[:5]) + (" ..." if bad.sum() > 5 else "")


def _filled(values: np.ndarray, kinds: np.ndarray, attr: str) -> tuple[np.ndarray, np.ndarray]:
    missing = ~np.isfinite(values)
    out = values.copy()
    for kind, fov in KIND_DEFAULTS.items():
        out[missing & (kinds == kind.value)] = getattr(fov, attr)
    return out, missing


def resolve_fields(cameras: pd.DataFrame, epsg: int | None = None) -> pd.DataFrame:
    lon, lat = _positions(cameras)
    if not (np.isfinite(lon) & np.isfinite(lat)).all():
        raise FieldOfViewError(f"cameras without a position: {_codes(cameras, ~(np.isfinite(lon) & np.isfinite(lat)))}"
                               "; give lon/lat for every camera")
    epsg = epsg or metric_epsg(lon, lat)
    kinds = _kinds(cameras)
    fov, fov_missing = _filled(_column(cameras, "fov_deg"), kinds, "fov_deg")
    rng, range_missing = _filled(_column(cameras, "range_m"), kinds, "range_m")
    bearing = _column(cameras, "bearing_deg")
    bearing_missing = ~np.isfinite(bearing)
    bearing = np.where(bearing_missing, DEFAULT_BEARING_DEG, bearing) % 360.0
    for bad, what in ((fov <= 0, "fov_deg must be above 0"), (fov > 360, "fov_deg must be at most 360"),
                      (rng <= 0, "range_m must be above 0")):
        if bad.any():
            raise FieldOfViewError(f"{what}; fix cameras {_codes(cameras, bad)}")
    x, y = to_metric(lon, lat, epsg)
    return pd.DataFrame({"x": x, "y": y, "kind": kinds, "bearing_deg": bearing, "fov_deg": fov, "range_m": rng,
                         "bearing_assumed": bearing_missing, "fov_assumed": fov_missing,
                         "range_assumed": range_missing}, index=cameras.index)


def sector_vertices(x, y, bearing_deg, fov_deg, range_m, arc_segments: int = 32) -> np.ndarray:
    """Ring vertices of each sector, all with arc_segments + 2 vertices (so one array holds them all).

    A sector is the apex plus arc_segments + 1 points on the arc; a full disc is arc_segments + 2
    points around the circle.
    """
    x, y, bearing, fov, rng = (np.asarray(v, float)[:, None] for v in (x, y, bearing_deg, fov_deg, range_m))
    m = arc_segments + 2
    disc = fov >= 360.0
    step = np.where(disc, 360.0 / m, fov / arc_segments)
    start = np.where(disc, bearing, bearing - fov / 2.0)
    k = np.arange(m, dtype=float)[None, :]
    # Sector: vertex 0 is the apex, vertices 1..m-1 walk the arc. Disc: all m vertices on the circle.
    angle = np.radians(start + np.where(disc, k, k - 1) * step)
    radius = np.where(disc | (k > 0), rng, 0.0)
    return np.stack([x + radius * np.sin(angle), y + radius * np.cos(angle)], axis=-1)


def cone_polygons(cameras: pd.DataFrame, epsg: int | None = None, arc_segments: int = 32,
                  to_wgs84: bool = True) -> gpd.GeoDataFrame:
    fields = resolve_fields(cameras, epsg)
    epsg = epsg or metric_epsg(*to_lonlat_columns(cameras))
    coords = sector_vertices(fields["x"], fields["y"], fields["bearing_deg"], fields["fov_deg"],
                             fields["range_m"], arc_segments)
    polygons = shapely.polygons(coords) if len(fields) else np.array([], dtype=object)
    data = pd.DataFrame(cameras.drop(columns=["geometry"], errors="ignore"))
    for col in ("bearing_deg", "fov_deg", "range_m"):
        data[col] = fields[col].to_numpy()
    cones = gpd.GeoDataFrame(data, geometry=polygons, crs=epsg)
    return cones.to_crs(WGS84_EPSG) if to_wgs84 else cones


def to_lonlat_columns(cameras: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return _positions(cameras)


def in_cone(px, py, x, y, bearing_deg, fov_deg, range_m) -> np.ndarray:
    """True where point (px, py) lies in the sector (all metric; broadcasting like numpy)."""
    dx = np.asarray(px, float) - np.asarray(x, float)
    dy = np.asarray(py, float) - np.asarray(y, float)
    dist = np.hypot(dx, dy)
    b = np.radians(np.asarray(bearing_deg, float))
    half = np.radians(np.minimum(np.asarray(fov_deg, float), 360.0) / 2.0)
    # Angle test without arctan: the point is within half the opening of the bearing direction.
    return (dist <= np.asarray(range_m, float)) & (dx * np.sin(b) + dy * np.cos(b) >= dist * np.cos(half) - 1e-9)
