"""District boundaries and auxiliary layers from any polygon file OGR reads.

Fields are named by options or detected (BPS/HDX/Kemendagri spellings); geometries are reprojected to
WGS 84 and repaired (make_valid); area is computed in the local UTM zone when the file has none. A
kelurahan file links each row to its kecamatan by a parent field matched on code or name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from db.io import checks
from db.io.columns import normalise_header
from db.io.readers import RegistryFileError, read_spatial_frame
from db.io.validation import REPORT_COLUMNS
from geo.vocabulary import DistrictLevel

NAME_FIELDS = {
    "kecamatan": ["kecamatan", "nama_kecamatan", "nama_kec", "wadmkc", "district", "name", "nama"],
    "kelurahan": ["kelurahan", "nama_kelurahan", "nama_kel", "desa", "wadmkd", "village", "name", "nama"],
}
CODE_FIELDS = {
    "kecamatan": ["kode_bps_kec", "kode_kecamatan", "kode_kec", "kd_kec", "district_code", "code", "kode"],
    "kelurahan": ["kode_bps_kel", "kode_kelurahan", "kode_kel", "kd_kel", "village_code", "code", "kode"],
}
PARENT_FIELDS = ["kode_bps_kec", "kode_kecamatan", "kode_kec", "district_code", "parent_code", "kecamatan",
                 "nama_kecamatan", "wadmkc", "district", "parent"]
POPULATION_PREFIXES = ("population", "penduduk", "jumlah_penduduk", "pop")
AREA_PREFIXES = ("area_km2", "luas_km2", "luas")
POLYGONAL = {"Polygon", "MultiPolygon"}


@dataclass
class BoundaryOptions:
    level: str
    name_field: str | None = None
    code_field: str | None = None
    parent_field: str | None = None
    population_field: str | None = None
    layer: str | None = None


@dataclass
class PreparedBoundaries:
    districts: gpd.GeoDataFrame       # writer columns, valid rows only
    errors: pd.DataFrame              # REPORT_COLUMNS
    total: int
    fields: dict[str, str | None]     # which file field fed which column (for the summary)
    unlinked: int = 0                 # kelurahan whose parent kecamatan was not found


def find_field(columns: list[str], wanted: str | None, candidates: list[str], what: str) -> str | None:
    by_norm = {normalise_header(c): c for c in columns}
    if wanted:
        if normalise_header(wanted) not in by_norm:
            raise RegistryFileError(f"no field '{wanted}' for the {what}; the file has: {', '.join(columns)}")
        return by_norm[normalise_header(wanted)]
    return next((by_norm[c] for c in candidates if c in by_norm), None)


def _prefixed(columns: list[str], prefixes: tuple[str, ...]) -> str | None:
    return next((c for c in columns if normalise_header(c).startswith(prefixes)), None)


def prepare_boundaries(gdf: gpd.GeoDataFrame, options: BoundaryOptions, source: str,
                       kecamatan: pd.DataFrame | None = None) -> PreparedBoundaries:
    level = DistrictLevel.parse(options.level).value
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    name_field = find_field(columns, options.name_field, NAME_FIELDS[level], "name")
    code_field = find_field(columns, options.code_field, CODE_FIELDS[level], "code")
    if name_field is None or code_field is None:
        missing = "--name-field" if name_field is None else "--code-field"
        raise RegistryFileError(f"cannot tell which field holds the {level} {missing[2:6]}; name it with "
                                f"{missing} (the file has: {', '.join(columns)})")
    parent_field = None
    if level == "kelurahan":
        parent_field = find_field(columns, options.parent_field, PARENT_FIELDS, "parent")
    population_field = (find_field(columns, options.population_field, [], "population")
                        if options.population_field else _prefixed(columns, POPULATION_PREFIXES))
    area_field = _prefixed(columns, AREA_PREFIXES)
    errors: list[pd.DataFrame] = []
    lines = np.arange(1, len(gdf) + 1)
    frame = gdf.reset_index(drop=True)

    def problem(column: str, mask, values, reason) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            shown = pd.Series(values).astype(str)[mask].map(checks.neutralise).to_numpy()
            errors.append(pd.DataFrame({"line": lines[mask], "column": column, "reason": reason, "value": shown}))

    names, _ = checks.text(frame[name_field], 120)
    codes, _ = checks.text(frame[code_field].map(_code_text), 32)
    problem(name_field, names.isna() | (names.str.len() > 120).fillna(False), frame[name_field],
            "name is empty or too long")
    problem(code_field, codes.isna() | (codes.str.len() > 32).fillna(False), frame[code_field],
            "code is empty or too long")
    problem(code_field, codes.notna() & codes.duplicated(keep=False), codes, "code appears more than once")
    geometry, geom_bad = _repaired(frame.geometry)
    problem("geometry", geom_bad, frame.geometry.geom_type.fillna("empty"), "not a polygon (or empty)")
    population = pd.Series(None, index=frame.index, dtype=object)
    if population_field:
        values, reasons = checks.number(frame[population_field], 0, None, integer=True)
        problem(population_field, reasons.notna(), frame[population_field], "population is not a whole number >= 0")
        population = values.map(lambda v: None if pd.isna(v) else int(v)).astype(object)
    area = _areas(frame, geometry, area_field)
    parent_codes = pd.Series(None, index=frame.index, dtype=object)
    if parent_field is not None and kecamatan is not None and len(kecamatan):
        parent_codes = frame[parent_field].map(_parent_matcher(kecamatan))
    bad = np.zeros(len(frame), dtype=bool)
    report = pd.concat(errors, ignore_index=True)[REPORT_COLUMNS] if errors else pd.DataFrame(columns=REPORT_COLUMNS)
    if len(report):
        bad = np.isin(lines, report["line"].to_numpy())
    districts = gpd.GeoDataFrame({
        "code": codes, "name": names, "level": level, "parent_code": parent_codes, "population": population,
        "area_km2": area, "synthetic": False, "source": source[:200]}, geometry=geometry, crs="EPSG:4326")
    districts = districts[~bad].reset_index(drop=True)
    unlinked = int(districts["parent_code"].isna().sum()) if level == "kelurahan" else 0
    return PreparedBoundaries(districts, report.sort_values("line", kind="stable").reset_index(drop=True),
                              len(frame), {"name": name_field, "code": code_field, "parent": parent_field,
                                           "population": population_field, "area": area_field}, unlinked)


def _code_text(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _repaired(geoms: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(geoms.values, dtype=object)
    bad = np.array([g is None or g.is_empty or g.geom_type not in POLYGONAL for g in values], dtype=bool)
    out = values.copy()
    ok = ~bad
    if ok.any():
        out[ok] = [_polygonal(g) for g in shapely.make_valid(values[ok])]
    return out, bad


def _polygonal(geom):
    if geom.geom_type in POLYGONAL:
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in POLYGONAL]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]


def _areas(frame: pd.DataFrame, geometry: np.ndarray, area_field: str | None) -> pd.Series:
    if area_field:
        values, reasons = checks.number(frame[area_field], 0, None, low_exclusive=True)
        if reasons.isna().all() and values.notna().all():
            return values.astype(object)
    series = gpd.GeoSeries(geometry, crs="EPSG:4326")
    valid = series.notna()
    area = pd.Series(None, index=frame.index, dtype=object)
    if valid.any():
        projected = series[valid].to_crs(series[valid].estimate_utm_crs())
        area[valid] = (projected.area / 1e6).round(4).astype(object)
    return area


def _name_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def _parent_matcher(kecamatan: pd.DataFrame):
    by_code = {str(c): str(c) for c in kecamatan["code"]}
    by_digits = {re.sub(r"\D", "", str(c)): str(c) for c in kecamatan["code"] if re.sub(r"\D", "", str(c))}
    by_name = {_name_key(n): str(c) for c, n in zip(kecamatan["code"], kecamatan["name"], strict=True)}

    def match(value):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        text = _code_text(value)
        if text is None:
            return None
        digits = re.sub(r"\D", "", text)
        return by_code.get(text) or (by_digits.get(digits) if digits else None) or by_name.get(_name_key(text))
    return match


def read_boundaries(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    if not Path(path).exists():
        raise RegistryFileError(f"{path}: no such file")
    return read_spatial_frame(Path(path), layer)
