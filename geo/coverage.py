"""Coverage: the share of each district seen by at least one camera, registered and live.

Method (see docs/coverage.md): districts, the priority layer and buildings are scan-converted once
onto a metric grid (default 5 m cells, UTM); each camera's cone is rasterised by testing the cells of
its bounding window (vectorised numpy); a cell is covered when its centre is inside a cone.
*Registered* coverage uses every camera, *live* coverage only ``connection == "connected"``.

Public functions
----------------
build_coverage_grid(districts, priority=None, buildings=None, cell_m=5.0, epsg=None) -> CoverageGrid
    The expensive, camera-independent part; reuse it while districts and layers are unchanged.
analyse_coverage(cameras, districts=None, *, grid=None, priority=None, buildings=None, cell_m=5.0)
    -> CoverageResult with .table (one row per district), .region (dict, whole region), and the
    covered cell sets used by blind_spot_layer and the planners.
coverage_by_district(cameras, districts, **kw) -> DataFrame with columns
    code, name, level, area_km2, population, registered_coverage_pct, live_coverage_pct,
    priority_registered_pct, priority_live_pct, cameras, connected, cameras_per_km2,
    cameras_per_1000_residents
camera_fields(cameras, grid) -> resolved view fields (geo.fov.resolve_fields) in the grid's CRS
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

from geo.crs import metric_epsg
from geo.fov import resolve_fields
from geo.raster import (
    Grid,
    cone_cells,
    distinct_cells,
    fill_spans,
    grid_for_bounds,
    occluded,
    polygon_spans,
    span_cells,
)

DEFAULT_CELL_M = 5.0
PRIORITY_LINE_WIDTH_M = 10.0  # roads given as lines count as a 10 m wide band
TABLE_COLUMNS = ["code", "name", "level", "area_km2", "population", "registered_coverage_pct",
                 "live_coverage_pct", "priority_registered_pct", "priority_live_pct", "cameras", "connected",
                 "cameras_per_km2", "cameras_per_1000_residents"]


class CoverageInputError(ValueError):
    """Districts or layers that cannot be analysed (empty, no geometry, no CRS)."""


@dataclass
class CoverageGrid:
    grid: Grid
    districts: pd.DataFrame          # code, name, level, population, area_km2 (row i is district id i + 1)
    district_of: np.ndarray          # flat grid: district id (0 = outside every district)
    district_cells: np.ndarray       # cells per district
    spans: np.ndarray                # scanline runs of district cells: row, col0, col1 (excl.), district index
    priority: np.ndarray | None = None         # flat grid bool: priority cell
    priority_cells: np.ndarray | None = None   # priority cells per district
    buildings: np.ndarray | None = None        # flat grid bool: building cell (occlusion)

    @property
    def epsg(self) -> int:
        return self.grid.epsg


@dataclass
class CoverageResult:
    grid: CoverageGrid
    table: pd.DataFrame
    region: dict
    registered_cells: np.ndarray = field(repr=False)  # distinct covered cells, all cameras
    live_cells: np.ndarray = field(repr=False)        # distinct covered cells, connected cameras


def _metric(frame: gpd.GeoDataFrame, epsg: int, what: str) -> np.ndarray:
    if frame.crs is None:
        raise CoverageInputError(f"the {what} layer has no CRS; set it (e.g. EPSG:4326) before analysing")
    return frame.to_crs(epsg).geometry.to_numpy()


def _district_table(districts: gpd.GeoDataFrame, metric_geoms: np.ndarray) -> pd.DataFrame:
    n = len(districts)
    table = pd.DataFrame({
        "code": districts["code"].astype(str).to_numpy() if "code" in districts else np.arange(n).astype(str),
        "name": districts["name"].to_numpy() if "name" in districts else None,
        "level": districts["level"].to_numpy() if "level" in districts else None,
        "population": (pd.to_numeric(districts["population"], errors="coerce").to_numpy()
                       if "population" in districts else np.full(n, np.nan)),
    })
    area = (pd.to_numeric(districts["area_km2"], errors="coerce").to_numpy()
            if "area_km2" in districts else np.full(n, np.nan))
    table["area_km2"] = np.where(np.isfinite(area), area, shapely.area(metric_geoms) / 1e6)
    return table


def _priority_geoms(priority: gpd.GeoDataFrame, epsg: int) -> np.ndarray:
    geoms = _metric(priority, epsg, "priority")
    lines = np.isin(shapely.get_type_id(geoms), [1, 2, 5])
    geoms = geoms.copy()
    geoms[lines] = shapely.buffer(geoms[lines], PRIORITY_LINE_WIDTH_M / 2)
    points = np.isin(shapely.get_type_id(geoms), [0, 4])
    geoms[points] = shapely.buffer(geoms[points], PRIORITY_LINE_WIDTH_M / 2)
    return geoms


def _layer_mask(layer: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    geoms = _metric(layer, grid.epsg, "buildings")
    spans = polygon_spans(geoms, grid)
    return fill_spans(spans, grid, np.ones(len(geoms), bool), dtype=bool)


def build_coverage_grid(districts: gpd.GeoDataFrame, priority: gpd.GeoDataFrame | None = None,
                        buildings: gpd.GeoDataFrame | None = None, cell_m: float = DEFAULT_CELL_M,
                        epsg: int | None = None) -> CoverageGrid:
    if districts is None or not len(districts):
        raise CoverageInputError("no districts to analyse: import district boundaries (or the demo) first")
    if epsg is None:
        minx, miny, maxx, maxy = districts.to_crs(4326).total_bounds
        epsg = metric_epsg([minx, maxx], [miny, maxy])
    geoms = _metric(districts, epsg, "district")
    grid = grid_for_bounds(shapely.total_bounds(geoms), cell_m, epsg, margin_m=cell_m)
    spans = polygon_spans(geoms, grid)
    ids = np.arange(1, len(geoms) + 1, dtype=np.int32)
    district_of = fill_spans(spans, grid, ids, dtype=np.int32)
    cells = np.bincount(spans[:, 3], weights=spans[:, 2] - spans[:, 1], minlength=len(geoms)).astype(np.int64)
    cg = CoverageGrid(grid, _district_table(districts, geoms), district_of, cells, spans)
    if priority is not None and len(priority):
        pgeoms = _priority_geoms(priority, epsg)
        # One merged shape, so overlapping priority features never count a cell twice.
        merged = np.array([shapely.union_all(pgeoms)], dtype=object)
        pspans = polygon_spans(merged, grid)
        cg.priority = fill_spans(pspans, grid, np.ones(1, bool), dtype=bool)
        cg.priority_cells = _count_by_district(cg, span_cells(pspans, grid)[0])
    if buildings is not None and len(buildings):
        cg.buildings = _layer_mask(buildings, grid)
    return cg


def _count_by_district(cg: CoverageGrid, cells: np.ndarray) -> np.ndarray:
    ids = cg.district_of[cells]
    return np.bincount(ids, minlength=len(cg.districts) + 1)[1:].astype(np.int64)


def camera_fields(cameras: pd.DataFrame, cg: CoverageGrid) -> pd.DataFrame:
    return resolve_fields(cameras, cg.epsg)


def covered_cells(cg: CoverageGrid, fields: pd.DataFrame) -> np.ndarray:
    """Distinct cells seen by the cameras in ``fields`` (occlusion applied when buildings exist)."""
    if not len(fields):
        return np.zeros(0, np.int64)
    x, y = fields["x"].to_numpy(), fields["y"].to_numpy()
    cells, cams = cone_cells(cg.grid, x, y, fields["bearing_deg"], fields["fov_deg"], fields["range_m"])
    if cg.buildings is not None:
        keep = ~occluded(cg.grid, cells, cams, x, y, cg.buildings)
        cells = cells[keep]
    return distinct_cells(cells, cg.grid)


def _pct(part: ArrayLike, whole: ArrayLike) -> np.ndarray:
    part, whole = np.asarray(part, float), np.asarray(whole, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, 100.0 * part / whole, np.nan)


def _live_mask(cameras: pd.DataFrame) -> np.ndarray:
    if "connection" not in cameras:
        return np.zeros(len(cameras), bool)
    return cameras["connection"].astype(str).to_numpy() == "connected"  # StrEnum members print as values


def analyse_coverage(cameras: pd.DataFrame, districts: gpd.GeoDataFrame | None = None, *,
                     grid: CoverageGrid | None = None, priority: gpd.GeoDataFrame | None = None,
                     buildings: gpd.GeoDataFrame | None = None, cell_m: float = DEFAULT_CELL_M,
                     fields: pd.DataFrame | None = None, reuse: CoverageResult | None = None) -> CoverageResult:
    """``reuse``: a result for the same cameras on another district level; when both grids have the
    same cells and buildings, its covered cells are reused instead of rasterising the cones again."""
    cg = grid or build_coverage_grid(districts, priority, buildings, cell_m)
    fields = camera_fields(cameras, cg) if fields is None else fields
    live = _live_mask(cameras)
    if reuse is not None and reuse.grid.grid == cg.grid and reuse.grid.buildings is cg.buildings:
        registered_cells, live_cells = reuse.registered_cells, reuse.live_cells
    else:
        registered_cells = covered_cells(cg, fields)
        live_cells = covered_cells(cg, fields[live])
    table = _table(cg, cameras, fields, live, registered_cells, live_cells)
    return CoverageResult(cg, table, _region(cg, table, registered_cells, live_cells), registered_cells, live_cells)


def _table(cg: CoverageGrid, cameras, fields, live, registered_cells, live_cells) -> pd.DataFrame:
    table = cg.districts.copy()
    table["registered_coverage_pct"] = _pct(_count_by_district(cg, registered_cells), cg.district_cells)
    table["live_coverage_pct"] = _pct(_count_by_district(cg, live_cells), cg.district_cells)
    if cg.priority is not None and cg.priority_cells is not None:   # set together
        table["priority_registered_pct"] = _pct(
            _count_by_district(cg, registered_cells[cg.priority[registered_cells]]), cg.priority_cells)
        table["priority_live_pct"] = _pct(
            _count_by_district(cg, live_cells[cg.priority[live_cells]]), cg.priority_cells)
    else:
        table["priority_registered_pct"] = np.nan
        table["priority_live_pct"] = np.nan
    home = np.zeros(len(fields), np.int64)
    cell = cg.grid.cell_of(fields["x"].to_numpy(), fields["y"].to_numpy())
    home[cell >= 0] = cg.district_of[cell[cell >= 0]]
    n = len(table)
    table["cameras"] = np.bincount(home, minlength=n + 1)[1:]
    table["connected"] = np.bincount(home[live], minlength=n + 1)[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["cameras_per_km2"] = table["cameras"] / table["area_km2"]
        table["cameras_per_1000_residents"] = np.where(table["population"] > 0,
                                                       1000.0 * table["cameras"] / table["population"], np.nan)
    return table[TABLE_COLUMNS]


def _region(cg: CoverageGrid, table: pd.DataFrame, registered_cells, live_cells) -> dict:
    inside = cg.district_cells.sum()
    reg_in = registered_cells[cg.district_of[registered_cells] > 0]
    live_in = live_cells[cg.district_of[live_cells] > 0]
    region: dict[str, Any] = {
              "code": "region", "name": None, "level": "region", "area_km2": float(table["area_km2"].sum()),
              "population": float(table["population"].sum(min_count=1)),
              "registered_coverage_pct": float(_pct(len(reg_in), inside)),
              "live_coverage_pct": float(_pct(len(live_in), inside)),
              "cameras": int(table["cameras"].sum()), "connected": int(table["connected"].sum())}
    if cg.priority is not None and cg.priority_cells is not None:
        total = cg.priority_cells.sum()
        region["priority_registered_pct"] = float(_pct(cg.priority[reg_in].sum(), total))
        region["priority_live_pct"] = float(_pct(cg.priority[live_in].sum(), total))
    else:
        region["priority_registered_pct"] = region["priority_live_pct"] = float("nan")
    region["cameras_per_km2"] = region["cameras"] / region["area_km2"] if region["area_km2"] else float("nan")
    pop = region["population"]
    region["cameras_per_1000_residents"] = 1000.0 * region["cameras"] / pop if pop and pop > 0 else float("nan")
    return region


def coverage_by_district(cameras: pd.DataFrame, districts: gpd.GeoDataFrame, **kwargs) -> pd.DataFrame:
    return analyse_coverage(cameras, districts, **kwargs).table
