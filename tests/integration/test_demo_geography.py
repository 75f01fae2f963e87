"""The shipped West Jakarta (geo/demo/data) against the reference data it was made from (../shared/data)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

pytestmark = pytest.mark.realdata
REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build_demo_geography.py"
DATA_DIR = REPO / "geo" / "demo" / "data"          # what geo.demo.geography reads
METRIC_CRS = "EPSG:32748"
MAX_SHIFT_M = 20.0          # 5 m simplification, plus a 15.6 m digitising spike the source has on Kamal's edge
PREPEDAN, TEGAL_ALUR = "3174080888", "3174080004"


def _metric(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(path).to_crs(METRIC_CRS)


def test_shipped_kelurahan_stay_close_to_the_originals(shared_data):
    original = _metric(shared_data / "jakbar_kelurahan.geojson").set_index("kode_bps_kel")
    merged = shapely.union_all(original.loc[[PREPEDAN, TEGAL_ALUR]].geometry.values)
    original.loc[TEGAL_ALUR, "geometry"] = merged
    shipped = _metric(DATA_DIR / "jakbar_kelurahan.geojson").set_index("code")
    assert set(original.index) - set(shipped.index) == {PREPEDAN}
    assert not original.loc[shipped.index, "official_kelurahan"].eq(False).any()
    for code, row in shipped.iterrows():
        source = original.loc[code, "geometry"]
        assert shapely.hausdorff_distance(row.geometry, source) < MAX_SHIFT_M, code
        assert row.geometry.area == pytest.approx(source.area, rel=0.01), code
        assert row["name"] == original.loc[code, "kelurahan"]


def test_shipped_kecamatan_stay_close_to_the_originals(shared_data):
    original = _metric(shared_data / "jakbar_kecamatan.geojson").set_index("kode_bps_kec")
    shipped = _metric(DATA_DIR / "jakbar_kecamatan.geojson").set_index("code")
    assert sorted(shipped.index) == sorted(original.index)
    for code, row in shipped.iterrows():
        source = original.loc[code, "geometry"]
        assert shapely.hausdorff_distance(row.geometry, source) < MAX_SHIFT_M, code
        assert row.geometry.area == pytest.approx(source.area, rel=0.005), code
        assert row["population"] == original.loc[code, "pop_bps_est_2019"]
    union = shapely.union_all(shipped.geometry.values)
    assert shipped.area.sum() - union.area < 1.0                              # m²: no overlaps
    city = _metric(shared_data / "jakbar_kota.geojson").geometry.iloc[0]
    assert shapely.symmetric_difference(union, city).area < 0.0001 * city.area    # no gaps along the edge


def test_shipped_police_points_are_the_published_ones(shared_data):
    original = gpd.read_file(shared_data / "jakbar_polisi.geojson").to_crs(METRIC_CRS)
    shipped = gpd.read_file(DATA_DIR / "jakbar_polisi.geojson").to_crs(METRIC_CRS)
    assert list(shipped["name"]) == list(original["name"])
    assert (shipped.distance(original) < 1.0).all()
    assert list(shipped["coord_quality"]) == list(original["coord_quality"])


def test_the_build_script_reproduces_the_shipped_files(shared_data, tmp_path):
    spec = importlib.util.spec_from_file_location("build_demo_geography", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for built in module.build(shared_data, tmp_path):
        assert built.read_bytes() == (DATA_DIR / built.name).read_bytes(), built.name
