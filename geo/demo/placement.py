"""Where the demo's cameras stand: where people live, and along the main roads.

Per kecamatan the count is proportional to population (after the connected quota). Inside a
kecamatan each camera is drawn from a mixture: around population centres (the kelurahan centres,
weighted by residents, plus markets and hotspots), along the main-road corridors, or anywhere. Every
point is kept a few metres inside its kecamatan so the spatial join can never put it elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geo.demo.boundaries import split_integer
from geo.demo.facts import PLACES
from geo.demo.projection import geometry_to_lonlat, lonlat_to_metric, metric_to_lonlat

CLUSTER_SHARE = 0.55
ROAD_SHARE = 0.25          # the rest is spread uniformly over the kecamatan
ROADSIDE_SIGMA_M = 12.0
INSET_M = 3.0              # points stay this far inside their kecamatan
COORD_DECIMALS = 7         # about 1 cm
_PLACE_SHARE = 0.04        # of the cluster mass, per market or hotspot


class PlacementError(ValueError):
    """The requested number of cameras cannot be placed (for example fewer than the connected quota)."""


@dataclass(frozen=True)
class KecamatanArea:
    """What placement needs to know about one kecamatan (geometry in metres)."""
    name: str
    population: int
    cell: shapely.Polygon
    centres: np.ndarray          # (k, 2) population centres
    centre_weights: np.ndarray   # residents per centre
    centre_sigmas: np.ndarray    # spread per centre, metres
    roads: list[tuple[str, shapely.LineString]]


@dataclass(frozen=True)
class Placement:
    kecamatan_index: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    road_name: np.ndarray        # the road a roadside camera stands on, else None
    road_bearing: np.ndarray     # that road's direction there (degrees from north), else NaN


def cameras_per_kecamatan(total: int, populations: np.ndarray, minimum: int) -> np.ndarray:
    """``minimum`` per kecamatan (the connected quota), the rest split by population."""
    floor = minimum * len(populations)
    if total < floor:
        raise PlacementError(f"{total} cameras cannot hold {minimum} connected in each of "
                             f"{len(populations)} kecamatan; ask for at least {floor}")
    return minimum + split_integer(total - floor, populations)


def place_cameras(areas: list[KecamatanArea], counts: np.ndarray, rng: np.random.Generator) -> Placement:
    parts = [_place_in(area, int(n), rng) for area, n in zip(areas, counts, strict=True)]
    index = np.concatenate([np.full(int(n), i) for i, n in enumerate(counts)])
    lon, lat, roads, bearings = (np.concatenate([p[i] for p in parts]) for i in range(4))
    return Placement(index, lon, lat, roads, bearings)


def _place_in(area: KecamatanArea, count: int, rng: np.random.Generator):
    inner = geometry_to_lonlat(shapely.buffer(area.cell, -INSET_M))
    shapely.prepare(inner)
    kept: list[tuple[np.ndarray, ...]] = []
    need = count
    while need > 0:
        size = int(need * 1.3) + 16
        x, y, road, bearing = _draw(area, size, rng)
        lon, lat = metric_to_lonlat(x, y)
        lon, lat = np.round(lon, COORD_DECIMALS), np.round(lat, COORD_DECIMALS)
        keep = np.flatnonzero(shapely.contains_xy(inner, lon, lat))[:need]
        kept.append((lon[keep], lat[keep], road[keep], bearing[keep]))
        need -= len(keep)
    return tuple(np.concatenate([k[i] for k in kept]) for i in range(4))


def _draw(area: KecamatanArea, size: int, rng: np.random.Generator):
    road_share = ROAD_SHARE if area.roads else 0.0
    component = rng.choice(3, size=size, p=[CLUSTER_SHARE, road_share, 1 - CLUSTER_SHARE - road_share])
    x = np.empty(size)
    y = np.empty(size)
    road = np.full(size, None, dtype=object)
    bearing = np.full(size, np.nan)
    for kind, draw in enumerate((_around_centres, _along_roads, _anywhere)):
        where = np.flatnonzero(component == kind)
        if len(where):
            x[where], y[where], road[where], bearing[where] = draw(area, len(where), rng)
    return x, y, road, bearing


def _around_centres(area: KecamatanArea, size: int, rng: np.random.Generator):
    p = area.centre_weights / area.centre_weights.sum()
    which = rng.choice(len(p), size=size, p=p)
    offsets = rng.normal(0.0, 1.0, size=(size, 2)) * area.centre_sigmas[which, None]
    points = area.centres[which] + offsets
    return points[:, 0], points[:, 1], np.full(size, None, dtype=object), np.full(size, np.nan)


def _along_roads(area: KecamatanArea, size: int, rng: np.random.Generator):
    names, pieces = [], []
    for name, line in area.roads:
        for piece in shapely.get_parts(line):
            if not isinstance(piece, shapely.LineString):
                continue
            names.append(name)
            pieces.append(piece)
    lines = np.asarray(pieces, dtype=object)
    lengths = shapely.length(lines)
    which = rng.choice(len(lines), size=size, p=lengths / lengths.sum())
    along = rng.uniform(0.0, lengths[which])
    points = shapely.get_coordinates(shapely.line_interpolate_point(lines[which], along))
    coords = points + rng.normal(0.0, ROADSIDE_SIGMA_M, size=(size, 2))
    return coords[:, 0], coords[:, 1], np.asarray(names, dtype=object)[which], \
        _road_bearing(lines[which], along, lengths[which])


def _road_bearing(lines: np.ndarray, along: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Direction of each line at a distance along it, degrees clockwise from (grid) north."""
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(lines, np.minimum(along + 1.0, lengths)))
    behind = shapely.get_coordinates(shapely.line_interpolate_point(lines, np.maximum(along - 1.0, 0.0)))
    dx, dy = (ahead - behind).T
    return np.degrees(np.arctan2(dx, dy)) % 360.0


def _anywhere(area: KecamatanArea, size: int, rng: np.random.Generator):
    minx, miny, maxx, maxy = area.cell.bounds
    return (rng.uniform(minx, maxx, size), rng.uniform(miny, maxy, size), np.full(size, None, dtype=object),
            np.full(size, np.nan))


def kecamatan_area(name: str, population: int, cell: shapely.Polygon, kelurahan_cells: list,
                   kelurahan_population: np.ndarray, roads: dict[str, shapely.LineString]) -> KecamatanArea:
    """Population centres (kelurahan centres and the places inside) and roads of one kecamatan."""
    centres = [np.asarray(c.centroid.coords[0]) for c in kelurahan_cells]
    weights = [float(p) for p in kelurahan_population]
    sigmas = [0.4 * np.sqrt(c.area) for c in kelurahan_cells]
    for place in PLACES:
        if place.kind == "public_space":
            continue
        x, y = lonlat_to_metric([place.lon], [place.lat])
        if cell.contains(shapely.Point(x[0], y[0])):
            centres.append(np.array([x[0], y[0]]))
            weights.append(_PLACE_SHARE * population)
            sigmas.append(1.5 * place.radius_m)
    clipped = [(n, shapely.intersection(line, cell)) for n, line in roads.items()]
    clipped = [(n, g) for n, g in clipped if not g.is_empty and g.length > 0]
    return KecamatanArea(name, population, cell, np.vstack(centres), np.asarray(weights),
                         np.asarray(sigmas), clipped)

