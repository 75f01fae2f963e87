"""Coverage on the real West Jakarta and DKI Jakarta boundaries (../shared/data) and on the demo."""
from __future__ import annotations

from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pytest

from geo.blindspots import blind_spot_layer
from geo.coverage import analyse_coverage, build_coverage_grid
from geo.crs import JAKARTA_EPSG
from geo.demo import generate_demo
from tests.support.coverage import exact_coverage_pct, random_cameras

pytestmark = pytest.mark.realdata


def _kecamatan(shared_data):
    return gpd.read_file(shared_data / "jakbar_kecamatan.geojson").rename(
        columns={"kode_bps_kec": "code", "kecamatan": "name", "pop_bps_est_2019": "population"})


def _kelurahan(shared_data):
    return gpd.read_file(shared_data / "jakbar_kelurahan.geojson").rename(
        columns={"kode_bps_kel": "code", "kelurahan": "name"})


def test_district_cells_match_the_polygon_areas(shared_data):
    for frame in (_kecamatan(shared_data), _kelurahan(shared_data)):
        grid = build_coverage_grid(frame)
        polygon_m2 = frame.to_crs(JAKARTA_EPSG).area.to_numpy()
        cell_m2 = grid.district_cells * 25.0
        assert np.abs(cell_m2 / polygon_m2 - 1).max() < 0.005
        assert cell_m2.sum() / 1e6 == pytest.approx(125.49, abs=0.1)  # West Jakarta in UTM 48S


@pytest.mark.slow
@pytest.mark.parametrize("reader", [_kecamatan, _kelurahan])
def test_raster_agrees_with_exact_union_on_west_jakarta(shared_data, reader):
    frame = reader(shared_data)
    cams = random_cameras(5_000, frame.total_bounds, seed=17)
    result = analyse_coverage(cams, frame)
    exact = exact_coverage_pct(cams, frame)
    assert np.abs(result.table["registered_coverage_pct"].to_numpy() - exact).max() < 0.5
    assert result.table["cameras"].sum() < 5_000  # the bounding box reaches outside the city
    if "population" in frame:
        assert result.region["population"] == pytest.approx(frame["population"].sum())


@pytest.mark.slow
def test_raster_agrees_with_exact_union_on_the_demo():
    demo = generate_demo(now=datetime(2026, 11, 22, tzinfo=UTC))
    kecamatan = demo.districts[demo.districts["level"] == "kecamatan"]
    result = analyse_coverage(demo.cameras, kecamatan, priority=demo.priority)
    exact = exact_coverage_pct(demo.cameras, kecamatan)
    assert np.abs(result.table["registered_coverage_pct"].to_numpy() - exact).max() < 0.5
    live = demo.cameras[demo.cameras["connection"] == "connected"]
    exact_live = exact_coverage_pct(live, kecamatan)
    assert np.abs(result.table["live_coverage_pct"].to_numpy() - exact_live).max() < 0.05
    assert result.table["connected"].tolist() == [15] * 8


def test_all_of_dki_jakarta_with_the_thousand_islands(shared_data):
    frame = gpd.read_file(shared_data / "dki_jakarta_kelurahan.geojson").rename(
        columns={"village_code": "code", "village": "name"})
    grid = build_coverage_grid(frame)
    assert grid.grid.n_rows * 5 > 120_000  # the grid spans the islands, 130 km offshore
    polygon_m2 = frame.to_crs(JAKARTA_EPSG).area.to_numpy()
    assert grid.district_cells.sum() * 25 == pytest.approx(polygon_m2.sum(), rel=0.002)
    mainland = frame[frame["regency"] != "Kepulauan Seribu"]
    cams = random_cameras(20_000, mainland.total_bounds, seed=1)
    result = analyse_coverage(cams, grid=grid)
    assert result.table["registered_coverage_pct"].notna().all()
    islands = result.table[frame["regency"].to_numpy() == "Kepulauan Seribu"]
    assert (islands["registered_coverage_pct"] == 0).all() and len(islands) > 0
    layer = blind_spot_layer(result, block_m=200)
    assert layer["district_m2"].sum() == pytest.approx(grid.district_cells.sum() * 25)
    assert set(layer["district_code"]) == set(frame["code"])  # even the smallest island has a block
