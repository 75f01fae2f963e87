"""Make the demo's shipped West Jakarta files (geo/demo/data/) from the reference data in ../shared/data.

Run by hand when the reference data changes:
    .venv/bin/python scripts/build_demo_geography.py [SOURCE_DIR [OUT_DIR]]
(defaults: ../shared/data and geo/demo/data; tests/integration/test_demo_geography.py checks that it
reproduces the shipped files).

What it does, in UTM 48S (EPSG:32748):
1. reads the 57 kelurahan features and repairs the one invalid polygon (a self-intersection in Kali Anyar);
2. merges the BPS statistical unit "Prepedan" (code 3174080888, official_kelurahan=false) into Tegal Alur,
   the official kelurahan the source names beside it that shares the longest boundary with it (2.4 km; Kamal
   shares 0.6 km), so the demo has the 56 legal kelurahan and still covers all of Kalideres;
3. simplifies all kelurahan together with shapely's coverage_simplify (each shared edge once, so neighbours
   keep sharing their edges: no gaps or overlaps appear) at TOLERANCE_M;
4. dissolves the simplified kelurahan into the 8 kecamatan, so kecamatan and kelurahan edges coincide;
5. writes lon/lat GeoJSON with 6 decimals (about 10 cm), and copies the police points with the fields the
   demo reads.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

TOLERANCE_M = 5.0
METRIC_CRS = "EPSG:32748"
DECIMALS = 6
MIN_PART_M2 = 1.0
MERGED_UNIT, MERGED_INTO = "3174080888", "3174080004"   # Prepedan into Tegal Alur
OUT = Path(__file__).resolve().parent.parent / "geo" / "demo" / "data"
POLICE_FIELDS = ("name", "type", "address", "kecamatan", "coord_quality")
OUTPUTS = ("jakbar_kecamatan.geojson", "jakbar_kelurahan.geojson", "jakbar_polisi.geojson")


def kelurahan_metric(source: Path) -> gpd.GeoDataFrame:
    frame = gpd.read_file(source / "jakbar_kelurahan.geojson").to_crs(METRIC_CRS)
    frame["geometry"] = [_polygonal(g) for g in shapely.make_valid(frame.geometry.values)]
    merged = frame.loc[frame["kode_bps_kel"].isin([MERGED_UNIT, MERGED_INTO])].geometry
    keep = frame.loc[frame["kode_bps_kel"] != MERGED_UNIT].reset_index(drop=True)
    into = keep.index[keep["kode_bps_kel"] == MERGED_INTO][0]
    keep.loc[into, "geometry"] = _polygonal(shapely.union_all(merged.values))
    keep.loc[into, "merged_units"] = "Prepedan (BPS 3174080888, not a legal kelurahan)"
    return keep


def _polygonal(geometry):
    """The polygons of a geometry, without the specks (under 1 m²) a repair or simplification can leave."""
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, shapely.Polygon) and p.area >= MIN_PART_M2]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def simplified(kelurahan: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = kelurahan.copy()
    out["geometry"] = [_polygonal(g) for g in shapely.coverage_simplify(kelurahan.geometry.values, TOLERANCE_M)]
    return out


def kelurahan_output(kelurahan: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({"code": kelurahan["kode_bps_kel"], "name": kelurahan["kelurahan"],
                          "kecamatan_code": kelurahan["kode_bps_kec"],
                          "merged_units": kelurahan.get("merged_units")})
    return _lonlat(gpd.GeoDataFrame(frame, geometry=kelurahan.geometry.values, crs=METRIC_CRS)
                   .sort_values("code").reset_index(drop=True))


def kecamatan_output(kelurahan: gpd.GeoDataFrame, source: Path) -> gpd.GeoDataFrame:
    facts = pd.DataFrame(gpd.read_file(source / "jakbar_kecamatan.geojson").drop(columns="geometry"))
    shapes = {code: shapely.union_all(group.geometry.values)
              for code, group in kelurahan.groupby("kode_bps_kec")}
    frame = pd.DataFrame({"code": facts["kode_bps_kec"], "name": facts["kecamatan"],
                          "population": facts["pop_bps_est_2019"].astype(int),
                          "area_km2_bps": facts["area_km2_bps"]})
    geometry = [_polygonal(shapes[c]) for c in frame["code"]]
    return _lonlat(gpd.GeoDataFrame(frame, geometry=geometry, crs=METRIC_CRS)
                   .sort_values("code").reset_index(drop=True))


def _lonlat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = frame.to_crs("EPSG:4326")
    frame["geometry"] = shapely.transform(frame.geometry.values, lambda c: np.round(c, DECIMALS))
    if not shapely.is_valid(frame.geometry.values).all():
        raise SystemExit("rounding made a polygon invalid; raise DECIMALS")
    return frame


def police(source: Path) -> dict:
    data = json.loads((source / "jakbar_polisi.geojson").read_text(encoding="utf-8"))
    features = [{"type": "Feature", "properties": {k: f["properties"][k] for k in POLICE_FIELDS},
                 "geometry": f["geometry"]} for f in data["features"]]
    return {"type": "FeatureCollection", "features": features}


def write(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Compact GeoJSON, one feature per line (diffable, and a third smaller than the GDAL driver's)."""
    data = json.loads(frame.to_json(drop_id=True, na="null"))
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in data["features"]]
    path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n",
                            encoding="utf-8")


def build(source: Path, out: Path) -> list[Path]:
    kelurahan = simplified(kelurahan_metric(source))
    out.mkdir(parents=True, exist_ok=True)
    write(kelurahan_output(kelurahan), out / "jakbar_kelurahan.geojson")
    write(kecamatan_output(kelurahan, source), out / "jakbar_kecamatan.geojson")
    (out / "jakbar_polisi.geojson").write_text(json.dumps(police(source), ensure_ascii=False, indent=1) + "\n",
                                               encoding="utf-8")
    return [out / name for name in OUTPUTS]


def main(argv: list[str]) -> None:
    source = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    out = Path(argv[2]) if len(argv) > 2 else OUT
    for path in build(source, out):
        print(f"{path.name}: {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main(sys.argv)
