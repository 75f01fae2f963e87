import math

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.crs import JAKARTA_EPSG, CoordinateError, metric_epsg, to_metric, utm_epsg
from geo.fov import KIND_DEFAULTS, FieldOfViewError, cone_polygons, in_cone, resolve_fields
from geo.raster import cone_cells, distinct_cells, grid_for_bounds
from geo.vocabulary import CameraKind
from tests.support.coverage import ORIGIN, cameras, lonlat

QUARTER_30 = math.pi * 30**2 / 4


def test_utm_zone_of_jakarta_and_elsewhere():
    assert utm_epsg(106.8, -6.2) == JAKARTA_EPSG
    assert utm_epsg(-0.1, 51.5) == 32630
    assert utm_epsg(151.2, -33.9) == 32756
    assert metric_epsg([106.7, 106.9], [-6.3, -6.1]) == JAKARTA_EPSG
    with pytest.raises(CoordinateError, match="longitude first"):
        utm_epsg(-6.2, 106.8)


def test_ninety_degree_thirty_metre_cone_polygon_area():
    cone = cone_polygons(cameras([{"dx": 0, "dy": 0, "kind": "fixed", "bearing_deg": 10, "fov_deg": 90,
                                   "range_m": 30}]), epsg=JAKARTA_EPSG, to_wgs84=False)
    assert cone.crs.to_epsg() == JAKARTA_EPSG
    assert cone.geometry.area.iloc[0] == pytest.approx(QUARTER_30, rel=0.01)


def test_cone_polygons_default_to_wgs84_for_the_map():
    cone = cone_polygons(cameras([{"dx": 0, "dy": 0, "kind": "fixed", "bearing_deg": 0}]))
    assert cone.crs.to_epsg() == 4326
    assert cone.to_crs(JAKARTA_EPSG).area.iloc[0] == pytest.approx(QUARTER_30, rel=0.01)
    assert "code" in cone and cone["code"].iloc[0] == "CAM-0"


def test_ninety_degree_thirty_metre_cone_raster_area_fine_cells():
    grid = grid_for_bounds((ORIGIN[0] - 100, ORIGIN[1] - 100, ORIGIN[0] + 100, ORIGIN[1] + 100), 0.25, JAKARTA_EPSG)
    for bearing in (0, 37, 90, 200):
        cells, _ = cone_cells(grid, [ORIGIN[0] + 0.3], [ORIGIN[1] + 0.7], [bearing], [90], [30])
        assert len(distinct_cells(cells, grid)) * 0.25**2 == pytest.approx(QUARTER_30, rel=0.01)


def test_five_metre_raster_is_unbiased_over_many_cones():
    """At 5 m one cone is ~28 cells (quantised); over many placements the mean is the exact area."""
    grid = grid_for_bounds((ORIGIN[0], ORIGIN[1], ORIGIN[0] + 4000, ORIGIN[1] + 4000), 5.0, JAKARTA_EPSG)
    rng = np.random.default_rng(3)
    xs, ys = np.meshgrid(np.arange(20) * 200 + 100, np.arange(20) * 200 + 100)  # far apart: no overlap
    x = ORIGIN[0] + xs.ravel() + rng.uniform(-5, 5, 400)
    y = ORIGIN[1] + ys.ravel() + rng.uniform(-5, 5, 400)
    cells, _ = cone_cells(grid, x, y, rng.uniform(0, 360, 400), np.full(400, 90.0), np.full(400, 30.0))
    assert len(distinct_cells(cells, grid)) * 25 / 400 == pytest.approx(QUARTER_30, rel=0.01)


def test_dome_is_a_disc_in_both_paths():
    cams = cameras([{"dx": 0, "dy": 0, "kind": "dome", "range_m": 20}])
    disc = cone_polygons(cams, epsg=JAKARTA_EPSG, arc_segments=128, to_wgs84=False).geometry.iloc[0]
    assert disc.area == pytest.approx(math.pi * 400, rel=0.005)
    assert shapely.equals_exact(disc.centroid, shapely.Point(to_metric(*lonlat(0, 0), JAKARTA_EPSG)), 0.05)
    grid = grid_for_bounds((ORIGIN[0] - 50, ORIGIN[1] - 50, ORIGIN[0] + 50, ORIGIN[1] + 50), 1.0, JAKARTA_EPSG)
    cells, _ = cone_cells(grid, [ORIGIN[0]], [ORIGIN[1]], [123.0], [360.0], [20.0])
    assert len(distinct_cells(cells, grid)) == pytest.approx(math.pi * 400, rel=0.01)


def test_bearing_zero_is_north_and_ninety_is_east():
    north, east, south, west = (0, 10), (10, 0), (0, -10), (-10, 0)
    for bearing, seen, unseen in ((0, north, south), (90, east, west), (180, south, north), (270, west, east)):
        assert in_cone(*seen, 0, 0, bearing, 90, 30)
        assert not in_cone(*unseen, 0, 0, bearing, 90, 30)
    assert not in_cone(0, 31, 0, 0, 0, 90, 30)  # beyond range
    assert in_cone(0, -10, 0, 0, 0, 360, 30)   # a disc sees behind


def test_point_in_cone_agrees_with_cone_polygons_on_random_points():
    rng = np.random.default_rng(7)
    n = 40
    cams = cameras([{"dx": float(x), "dy": float(y), "kind": "fixed", "bearing_deg": float(b), "fov_deg": float(f),
                     "range_m": float(r)} for x, y, b, f, r in zip(rng.uniform(-50, 50, n), rng.uniform(-50, 50, n),
                                                                   rng.uniform(0, 360, n), rng.uniform(20, 200, n),
                                                                   rng.uniform(10, 60, n), strict=True)])
    fields = resolve_fields(cams, JAKARTA_EPSG)
    cones = cone_polygons(cams, epsg=JAKARTA_EPSG, arc_segments=256, to_wgs84=False).geometry.to_numpy()
    px = ORIGIN[0] + rng.uniform(-120, 120, 4000)
    py = ORIGIN[1] + rng.uniform(-120, 120, 4000)
    checked = 0
    for i, cone in enumerate(cones):
        clear = shapely.distance(shapely.boundary(cone), shapely.points(px, py)) > 0.05
        inside_poly = shapely.contains_xy(cone, px, py)
        inside = in_cone(px, py, fields["x"].iat[i], fields["y"].iat[i], fields["bearing_deg"].iat[i],
                         fields["fov_deg"].iat[i], fields["range_m"].iat[i])
        np.testing.assert_array_equal(inside[clear], inside_poly[clear])
        checked += int(inside_poly[clear].sum())
    assert checked > 500  # the test saw plenty of points inside cones


def test_defaults_per_kind_fill_missing_fields_and_say_so():
    cams = cameras([{"dx": 0, "dy": 0, "kind": k} for k in ("fixed", "dome", "ptz", None, "kubah")])
    fields = resolve_fields(cams)
    expected = [KIND_DEFAULTS[CameraKind(k)] for k in ("fixed", "dome", "ptz", "fixed", "dome")]
    assert fields["fov_deg"].tolist() == [e.fov_deg for e in expected]
    assert fields["range_m"].tolist() == [e.range_m for e in expected]
    assert fields["bearing_deg"].tolist() == [0.0] * 5
    assert fields["bearing_assumed"].all() and fields["range_assumed"].all()
    given = resolve_fields(cameras([{"dx": 0, "dy": 0, "kind": "ptz", "fov_deg": 120, "range_m": 80,
                                     "bearing_deg": 370}]))
    assert given[["fov_deg", "range_m", "bearing_deg"]].iloc[0].tolist() == [120, 80, 10]
    assert not given["range_assumed"].iloc[0]


@pytest.mark.parametrize("row, message", [({"range_m": -5}, "range_m must be above 0"),
                                          ({"fov_deg": 400}, "at most 360"),
                                          ({"kind": "periscope"}, "not a valid camera kind")])
def test_bad_fields_are_rejected_with_the_camera_code(row, message):
    with pytest.raises(FieldOfViewError, match=message):
        resolve_fields(cameras([{"dx": 0, "dy": 0, "kind": "fixed", **row}]))


def test_camera_without_position_is_rejected():
    frame = pd.DataFrame({"code": ["X1"], "lon": [None], "lat": [-6.2]})
    with pytest.raises(FieldOfViewError, match="X1"):
        resolve_fields(frame)
