import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.blindspots import BlindSpotError, blind_spot_layer
from geo.coverage import (
    TABLE_COLUMNS,
    CoverageInputError,
    analyse_coverage,
    build_coverage_grid,
    coverage_by_district,
)
from geo.crs import JAKARTA_EPSG
from tests.support.coverage import ORIGIN, cameras, districts, exact_coverage_pct, random_cameras

QUARTER_30 = math.pi * 30**2 / 4
BIG = (-2000, -2000, 2000, 2000)  # a 16 km2 district around the origin


def covered_m2(cams, district_boxes=(BIG,), **kw):
    frame = districts(list(district_boxes))
    table = coverage_by_district(cams, frame, **kw)
    area = frame.to_crs(JAKARTA_EPSG).area.to_numpy()
    return table, table["registered_coverage_pct"].to_numpy() / 100 * area


def test_table_has_the_documented_columns():
    table, _ = covered_m2(cameras([{"dx": 0, "dy": 0}]))
    assert list(table.columns) == TABLE_COLUMNS
    assert table["code"].tolist() == ["D0"]


def test_single_cone_covers_a_quarter_disc_within_one_percent_at_fine_cells():
    _, m2 = covered_m2(cameras([{"dx": 0.3, "dy": 0.4, "kind": "fixed", "bearing_deg": 50, "fov_deg": 90,
                                 "range_m": 30}]), cell_m=0.25)
    assert m2[0] == pytest.approx(QUARTER_30, rel=0.01)


def test_identical_cones_cover_the_same_as_one_and_disjoint_cones_add():
    one = {"dx": 10, "dy": 10, "kind": "fixed", "bearing_deg": 30, "fov_deg": 90, "range_m": 30}
    far = {**one, "dx": 500, "dy": -300, "bearing_deg": 200}
    _, single = covered_m2(cameras([one]))
    _, twice = covered_m2(cameras([one, one]))
    _, other = covered_m2(cameras([far]))
    _, both = covered_m2(cameras([one, far]))
    assert twice[0] == pytest.approx(single[0])
    assert both[0] == pytest.approx(single[0] + other[0])
    assert single[0] == pytest.approx(QUARTER_30, rel=0.1)  # 5 m cells: ~28 cells, quantised


def test_live_coverage_counts_only_connected_cameras():
    cams = cameras([{"dx": 0, "dy": 0, "kind": "dome", "range_m": 20, "connection": "connected"},
                    {"dx": 300, "dy": 0, "kind": "dome", "range_m": 20}])
    table, _ = covered_m2(cams)
    row = table.iloc[0]
    assert row["live_coverage_pct"] == pytest.approx(row["registered_coverage_pct"] / 2, rel=0.05)
    assert (row["cameras"], row["connected"]) == (2, 1)


def test_cameras_per_km2_and_per_1000_residents():
    cams = cameras([{"dx": 100 * i, "dy": 0} for i in range(8)])
    frame = districts([(-500, -500, 500, 500), (500, -500, 1500, 500)], population=[4000, 0])
    table = coverage_by_district(cams, frame)
    assert table["cameras"].tolist() == [5, 3]  # x = 0..400 in D0, 500..700 in D1 (cell centres)
    assert table["area_km2"].tolist() == pytest.approx([1.0, 1.0], rel=1e-3)
    assert table["cameras_per_km2"].tolist() == pytest.approx([5.0, 3.0], rel=1e-3)
    assert table["cameras_per_1000_residents"].iloc[0] == pytest.approx(1.25)
    assert np.isnan(table["cameras_per_1000_residents"].iloc[1])


def test_coverage_is_split_between_districts_by_where_cells_lie():
    cams = cameras([{"dx": 0, "dy": 0, "kind": "dome", "range_m": 40}])
    frame = districts([(-500, -500, 0, 500), (0, -500, 500, 500)])
    table = coverage_by_district(cams, frame, cell_m=1.0)
    half_disc_pct = 100 * (math.pi * 1600 / 2) / 500_000
    assert table["registered_coverage_pct"].tolist() == pytest.approx([half_disc_pct] * 2, rel=0.02)


def test_raster_agrees_with_exact_union_on_synthetic_districts():
    frame = districts([(-1500, -1500, 0, 0), (0, -1500, 1500, 0), (-1500, 0, 1500, 1500)])
    cams = random_cameras(1500, frame.total_bounds, seed=11)
    table = coverage_by_district(cams, frame)
    exact = exact_coverage_pct(cams, frame)
    assert np.abs(table["registered_coverage_pct"].to_numpy() - exact).max() < 0.5
    assert table["registered_coverage_pct"].min() > 5  # the comparison is not trivially 0 vs 0


def test_region_row_sums_the_districts():
    frame = districts([(-1000, -1000, 0, 1000), (0, -1000, 1000, 1000)], population=[1000, 3000])
    result = analyse_coverage(random_cameras(400, frame.total_bounds, seed=2), frame)
    table, region = result.table, result.region
    weights = table["area_km2"] / table["area_km2"].sum()
    assert region["registered_coverage_pct"] == pytest.approx((table["registered_coverage_pct"] * weights).sum(),
                                                              rel=1e-3)
    assert region["cameras"] == table["cameras"].sum()
    assert region["population"] == 4000


def test_priority_layer_coverage_is_reported_beside_area():
    frame = districts([(-500, -500, 500, 500)])
    band = gpd.GeoDataFrame({"name": ["road"]}, geometry=[shapely.LineString(
        [(ORIGIN[0] - 500, ORIGIN[1]), (ORIGIN[0] + 500, ORIGIN[1])])], crs=JAKARTA_EPSG).to_crs(4326)
    cams = cameras([{"dx": 0, "dy": 0, "kind": "dome", "range_m": 50}])  # sits on the road
    row = coverage_by_district(cams, frame, priority=band, cell_m=1.0).iloc[0]
    # The road is a 10 m band 1 km long; the disc covers ~100 m of it.
    assert row["priority_registered_pct"] == pytest.approx(10.0, abs=0.5)
    assert row["registered_coverage_pct"] == pytest.approx(100 * math.pi * 2500 / 1e6, rel=0.02)
    assert np.isnan(coverage_by_district(cams, frame).iloc[0]["priority_registered_pct"])


def test_buildings_cut_the_cone_behind_them():
    frame = districts([(-200, -200, 200, 200)])
    wall = gpd.GeoDataFrame(geometry=[shapely.box(ORIGIN[0] - 50, ORIGIN[1] + 12, ORIGIN[0] + 50,
                                                  ORIGIN[1] + 16)], crs=JAKARTA_EPSG).to_crs(4326)
    cams = cameras([{"dx": 0.3, "dy": 0.4, "kind": "fixed", "bearing_deg": 0, "fov_deg": 90, "range_m": 30}])
    open_m2 = coverage_by_district(cams, frame, cell_m=1.0).iloc[0]["registered_coverage_pct"] * 1600
    cut_m2 = coverage_by_district(cams, frame, buildings=wall, cell_m=1.0).iloc[0]["registered_coverage_pct"] * 1600
    assert open_m2 == pytest.approx(QUARTER_30, rel=0.02)
    # Only the part of the cone before the wall (12 m) and a little of its face remain.
    assert math.pi * 12**2 / 4 * 0.9 < cut_m2 < math.pi * 17**2 / 4


def test_far_apart_districts_use_one_sparse_grid():
    """Like DKI Jakarta with the Thousand Islands: districts 100 km apart still work."""
    frame = districts([(-500, -500, 500, 500), (0, 100_000, 1000, 101_000)])
    cams = cameras([{"dx": 0, "dy": 0, "kind": "dome", "range_m": 30},
                    {"dx": 500, "dy": 100_500, "kind": "dome", "range_m": 30}])
    table = coverage_by_district(cams, frame)
    assert table["registered_coverage_pct"].tolist() == pytest.approx([100 * math.pi * 900 / 1e6] * 2, rel=0.1)


def test_reusing_a_grid_gives_the_same_answer():
    frame = districts([(-1000, -1000, 1000, 1000)])
    cams = random_cameras(300, frame.total_bounds, seed=5)
    grid = build_coverage_grid(frame)
    a = analyse_coverage(cams, grid=grid).table
    b = analyse_coverage(cams, frame).table
    assert a["registered_coverage_pct"].tolist() == b["registered_coverage_pct"].tolist()


def test_no_districts_is_a_clear_error():
    with pytest.raises(CoverageInputError, match="import district boundaries"):
        coverage_by_district(cameras([{"dx": 0, "dy": 0}]), districts([]).iloc[0:0])


def test_blind_spot_layer_accounts_for_every_uncovered_cell():
    frame = districts([(-1000, -1000, 0, 1000), (0, -1000, 1000, 1000)])
    result = analyse_coverage(random_cameras(500, frame.total_bounds, seed=4, connected_share=0.2), frame)
    for which, column in (("registered", "registered_coverage_pct"), ("live", "live_coverage_pct")):
        layer = blind_spot_layer(result, which, block_m=100)
        assert layer.crs.to_epsg() == 4326
        assert layer["blind_share"].between(0, 1).all()
        expected = ((100 - result.table[column]) / 100 * result.table["area_km2"] * 1e6).sum()
        assert layer["blind_m2"].sum() == pytest.approx(expected, rel=0.002)
        assert set(layer["district_code"]) == {"D0", "D1"}
        assert 400 <= len(layer) <= 21 * 21  # 2 km x 2 km in 100 m blocks (the grid need not align)
    assert blind_spot_layer(result, min_blind_share=0.99)["blind_share"].min() >= 0.99
    with pytest.raises(BlindSpotError):
        blind_spot_layer(result, "someday")


def test_a_second_district_level_reuses_the_covered_cells():
    coarse = districts([(-1000, -1000, 1000, 1000)])
    fine = districts([(-1000, -1000, 0, 1000), (0, -1000, 1000, 1000)])
    cams = random_cameras(400, coarse.total_bounds, seed=6, connected_share=0.3)
    first = analyse_coverage(cams, coarse)
    fine_grid = build_coverage_grid(fine)
    assert fine_grid.grid == first.grid.grid  # both snapped to the same cells
    reused = analyse_coverage(cams, grid=fine_grid, reuse=first)
    assert reused.registered_cells is first.registered_cells
    fresh = analyse_coverage(cams, grid=fine_grid)
    assert reused.table["registered_coverage_pct"].tolist() == fresh.table["registered_coverage_pct"].tolist()
    assert reused.table["live_coverage_pct"].tolist() == fresh.table["live_coverage_pct"].tolist()


def test_a_border_block_belongs_to_the_district_holding_most_of_it():
    frame = districts([(-500, -500, 30, 500), (30, -500, 500, 500)])  # blocks are aligned on whole 100 m
    result = analyse_coverage(cameras([{"dx": 0, "dy": 0}]).iloc[0:0], frame)
    layer = blind_spot_layer(result, block_m=100).to_crs(JAKARTA_EPSG)
    centres = layer.geometry.centroid

    def at(dx):
        return layer.loc[(abs(centres.x - ORIGIN[0] - dx) < 1) & (abs(centres.y - ORIGIN[1] - 50) < 1)]

    assert at(50)["district_code"].tolist() == ["D1"]   # 30 m of D0, 70 m of D1
    assert at(-50)["district_code"].tolist() == ["D0"]
    assert at(50)["district_m2"].iloc[0] == pytest.approx(10_000)
    assert layer["blind_share"].eq(1).all()
    with pytest.raises(BlindSpotError, match="at least 4 cells"):
        blind_spot_layer(result, block_m=10)
