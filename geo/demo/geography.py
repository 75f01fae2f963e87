"""The real West Jakarta the demo stands on: BPS kecamatan and kelurahan boundaries and the police points.

The files in geo/demo/data/ are made by scripts/build_demo_geography.py from ../shared/data (BPS 2020 via
OCHA HDX, CC BY-IGO 3.0; attribution "BPS / OCHA, via HDX"): the 56 kelurahan simplified together at 5 m
so neighbours still share their edges, the BPS statistical unit "Prepedan" merged into Tegal Alur, and
the 8 kecamatan dissolved from them. Nothing is read at import; ``west_jakarta`` reads the files.

Kelurahan populations are not in the source: the districts frame leaves them empty, and placement
weighs a kecamatan's kelurahan by area instead.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.demo.boundaries import DISTRICT_COLUMNS, DistrictLayout, split_integer
from geo.demo.facts import BOUNDARY_ATTRIBUTION, KECAMATAN, WGS84
from geo.demo.projection import geometry_to_metric
from geo.vocabulary import PostKind

DATA_DIR = Path(__file__).resolve().parent / "data"
BOUNDARY_SOURCE = f"{BOUNDARY_ATTRIBUTION} (BPS 2020, CC BY-IGO 3.0), simplified for the demo"
# Coordinate qualities in jakbar_polisi.geojson that are a published position; anything else is an estimate.
PUBLISHED_QUALITY = "source_coords"


class GeographyError(RuntimeError):
    """The shipped geography files are missing or do not hold the 8 kecamatan and 56 kelurahan."""


@dataclass(frozen=True)
class PolicePoint:
    """Polres or a Polsek where the reference data puts it; ``approximate`` when it is not a published point."""
    name: str
    kind: PostKind
    address: str
    kecamatan: str
    lon: float
    lat: float
    approximate: bool


@dataclass(frozen=True)
class RealGeography:
    layout: DistrictLayout               # metres, in KECAMATAN order, as the placement needs it
    districts: gpd.GeoDataFrame          # the 8 kecamatan and 56 kelurahan, EPSG:4326, DISTRICT_COLUMNS
    police: tuple[PolicePoint, ...]      # Polres and the Polsek the reference data has


def west_jakarta(data_dir: Path = DATA_DIR) -> RealGeography:
    kecamatan = _features(data_dir / "jakbar_kecamatan.geojson")
    kelurahan = _features(data_dir / "jakbar_kelurahan.geojson")
    by_code = {props["code"]: geometry for props, geometry in kecamatan}
    if sorted(by_code) != sorted(k.code for k in KECAMATAN) or len(kelurahan) != 56:
        raise GeographyError(f"{data_dir} holds {len(by_code)} kecamatan and {len(kelurahan)} kelurahan; "
                             "expected the 8 and 56 of West Jakarta (rebuild with scripts/build_demo_geography.py)")
    rows, geometries = [], []
    cells, subcells, people = [], [], []
    for fact in KECAMATAN:
        cell = geometry_to_metric(by_code[fact.code])
        rows.append([fact.code, fact.name, "kecamatan", None, fact.population, _km2(cell), False, BOUNDARY_SOURCE])
        geometries.append(by_code[fact.code])
        parts = sorted((p for p in kelurahan if p[0]["kecamatan_code"] == fact.code), key=lambda p: p[0]["code"])
        metric = [geometry_to_metric(g) for _, g in parts]
        for (props, geometry), shape in zip(parts, metric, strict=True):
            rows.append([props["code"], props["name"], "kelurahan", fact.code, None, _km2(shape), False,
                         BOUNDARY_SOURCE])
            geometries.append(geometry)
        cells.append(cell)
        subcells.append(metric)
        people.append(split_integer(fact.population, np.array([m.area for m in metric])))
    outline = shapely.union_all(cells)
    districts = gpd.GeoDataFrame(pd.DataFrame(rows, columns=DISTRICT_COLUMNS), geometry=geometries, crs=WGS84)
    districts["population"] = pd.Series([r[4] for r in rows], dtype=object)   # None for kelurahan, not NaN
    layout = DistrictLayout(outline, cells, subcells, people)
    return RealGeography(layout, districts, police_points(data_dir))


def police_points(data_dir: Path = DATA_DIR) -> tuple[PolicePoint, ...]:
    points = []
    for props, geometry in _features(data_dir / "jakbar_polisi.geojson"):
        points.append(PolicePoint(name=props["name"].split(" (")[0], kind=PostKind(props["type"].lower()),
                                  address=props["address"], kecamatan=props["kecamatan"],
                                  lon=float(geometry.x), lat=float(geometry.y),
                                  approximate=props["coord_quality"] != PUBLISHED_QUALITY))
    return tuple(points)


def _features(path: Path) -> list[tuple[dict, shapely.Geometry]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GeographyError(f"{path} is missing; rebuild it with scripts/build_demo_geography.py") from None
    return [(f["properties"], shapely.geometry.shape(f["geometry"])) for f in data["features"]]


def _km2(metric_geometry) -> float:
    return round(metric_geometry.area / 1e6, 2)
