"""Synthetic district boundaries: kecamatan cells around the real centres, kelurahan sub-cells.

Kecamatan are cells of a power diagram (a Voronoi diagram with a weight per site) around the BPS
kecamatan centres, clipped to the hand-drawn city outline; the weights are tuned until each cell's
area is close to the BPS area (scaled to the outline). Kelurahan are Voronoi cells around a few
spread-out random points inside each kecamatan. Every polygon is labelled synthetic.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.demo.facts import CITY_OUTLINE, KECAMATAN, SYNTHETIC_SOURCE, WGS84
from geo.demo.projection import geometry_to_lonlat, geometry_to_metric, lonlat_to_metric

DISTRICT_COLUMNS = ["code", "name", "level", "parent_code", "population", "area_km2", "synthetic", "source"]
_HALF_PLANE_SIZE_M = 200_000.0
_POWER_ITERATIONS = 120
_KELURAHAN_LLOYD_STEPS = 3


class BoundaryError(RuntimeError):
    """The synthetic boundaries could not be built (a bug in the hand-made shapes)."""


def city_outline_metric() -> shapely.Polygon:
    return geometry_to_metric(shapely.Polygon(CITY_OUTLINE))


def kecamatan_cells_metric(outline: shapely.Polygon) -> list[shapely.Polygon]:
    """One polygon per entry of KECAMATAN (same order), areas close to the BPS areas."""
    sites = np.column_stack(lonlat_to_metric([k.lon for k in KECAMATAN], [k.lat for k in KECAMATAN]))
    bps = np.array([k.area_km2 for k in KECAMATAN])
    target = bps / bps.sum() * outline.area
    weights = np.zeros(len(sites))
    cells = _power_cells(sites, weights, outline)
    for _ in range(_POWER_ITERATIONS):
        areas = np.array([c.area for c in cells])
        if np.max(np.abs(areas - target) / target) < 0.01:
            break
        weights = weights + 0.5 * (target - areas)
        cells = _power_cells(sites, weights, outline)
    return [_largest_polygon(c) for c in cells]


def _power_cells(sites: np.ndarray, weights: np.ndarray, outline: shapely.Polygon) -> list:
    origin = np.asarray(outline.centroid.coords[0])
    local = sites - origin
    cells = []
    for i in range(len(local)):
        cell = shapely.affinity.translate(outline, -origin[0], -origin[1])
        for j in range(len(local)):
            if i != j:
                cell = cell.intersection(_half_plane(local[i], local[j], weights[i], weights[j]))
        cells.append(shapely.affinity.translate(cell, origin[0], origin[1]))
    return cells


def _half_plane(p_i: np.ndarray, p_j: np.ndarray, w_i: float, w_j: float) -> shapely.Polygon:
    """Points closer (in power distance) to site i than to site j."""
    normal = 2.0 * (p_j - p_i)
    offset = p_j @ p_j - p_i @ p_i - w_j + w_i
    length = np.hypot(*normal)
    unit = normal / length
    on_line = unit * (offset / length)
    along = np.array([-unit[1], unit[0]]) * _HALF_PLANE_SIZE_M
    inward = -unit * _HALF_PLANE_SIZE_M
    return shapely.Polygon([on_line + along, on_line - along, on_line - along + inward,
                            on_line + along + inward])


def _largest_polygon(geometry) -> shapely.Polygon:
    parts = [g for g in shapely.get_parts(geometry) if isinstance(g, shapely.Polygon) and not g.is_empty]
    if not parts:
        raise BoundaryError("a kecamatan cell came out empty; check the outline and the centres")
    return max(parts, key=lambda g: g.area)


def kelurahan_cells_metric(kecamatan: shapely.Polygon, count: int, rng: np.random.Generator) -> list:
    """``count`` Voronoi sub-cells of one kecamatan, seeds spread by a few Lloyd relaxation steps."""
    seeds = random_points_in(kecamatan, count, rng)
    cells: list = []
    for step in range(_KELURAHAN_LLOYD_STEPS + 1):
        diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=kecamatan, ordered=True)
        cells = [_largest_polygon(shapely.intersection(c, kecamatan)) for c in shapely.get_parts(diagram)]
        if step < _KELURAHAN_LLOYD_STEPS:
            seeds = np.array([c.centroid.coords[0] for c in cells])
    return cells


def random_points_in(polygon: shapely.Polygon, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` uniform random points inside ``polygon`` (rejection sampling on its bounds)."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    found = np.empty((0, 2))
    while len(found) < count:
        batch = rng.uniform([minx, miny], [maxx, maxy], size=(max(4 * count, 16), 2))
        inside = shapely.contains_xy(polygon, batch[:, 0], batch[:, 1])
        found = np.vstack([found, batch[inside]])
    return found[:count]


def kelurahan_count(area_km2: float) -> int:
    """A few sub-cells per kecamatan, more for the large ones (3 to 7)."""
    return int(np.clip(round(area_km2 / 4.0) + 2, 3, 7))


def split_integer(total: int, shares: np.ndarray) -> np.ndarray:
    """Split ``total`` into integers proportional to ``shares`` (largest remainder), summing exactly."""
    shares = np.asarray(shares, float)
    exact = total * shares / shares.sum()
    whole = np.floor(exact).astype(int)
    remainder = total - whole.sum()
    order = np.argsort(-(exact - whole), kind="stable")
    whole[order[:remainder]] += 1
    return whole


@dataclass(frozen=True)
class DistrictLayout:
    """The synthetic districts in metres, in KECAMATAN order, before they become a frame."""
    outline: shapely.Polygon
    kecamatan: list[shapely.Polygon]
    kelurahan: list[list[shapely.Polygon]]
    kelurahan_population: list[np.ndarray]


def build_layout(rng: np.random.Generator) -> DistrictLayout:
    outline = city_outline_metric()
    cells = kecamatan_cells_metric(outline)
    subcells, people = [], []
    for fact, cell in zip(KECAMATAN, cells, strict=True):
        parts = kelurahan_cells_metric(cell, kelurahan_count(cell.area / 1e6), rng)
        areas = np.array([c.area for c in parts])
        subcells.append(parts)
        people.append(split_integer(fact.population, areas * rng.lognormal(0.0, 0.3, len(areas))))
    return DistrictLayout(outline, cells, subcells, people)


def districts_frame(layout: DistrictLayout) -> gpd.GeoDataFrame:
    """The 8 kecamatan and their kelurahan sub-cells, EPSG:4326, all labelled synthetic."""
    rows, geoms = [], []
    for fact, cell, subcells, people in zip(KECAMATAN, layout.kecamatan, layout.kelurahan,
                                            layout.kelurahan_population, strict=True):
        rows.append(_district_row(fact.code, fact.name, "kecamatan", None, fact.population, cell))
        geoms.append(cell)
        for index, (sub, population) in enumerate(zip(subcells, people, strict=True), start=1):
            code = f"{fact.code}9{index:02d}"
            name = f"{fact.name} {_letter(index)}"
            rows.append(_district_row(code, name, "kelurahan", fact.code, int(population), sub))
            geoms.append(sub)
    lonlat = [geometry_to_lonlat(g) for g in geoms]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=DISTRICT_COLUMNS), geometry=lonlat, crs=WGS84)


def _district_row(code, name, level, parent_code, population, metric_geometry) -> list:
    area = round(metric_geometry.area / 1e6, 2)
    return [code, name, level, parent_code, population, area, True, SYNTHETIC_SOURCE]


def _letter(index: int) -> str:
    return "ABCDEFGHIJ"[index - 1]
