import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.crs import JAKARTA_EPSG
from geo.fov import cone_polygons
from geo.visibility import VisibilityQueryError, build_camera_index, cameras_seeing_point, cameras_within
from tests.support.coverage import ORIGIN, cameras, lonlat, random_cameras


@pytest.fixture
def street():
    return cameras([
        {"dx": 0, "dy": 0, "kind": "fixed", "bearing_deg": 0, "fov_deg": 90, "range_m": 30,
         "owner_name": "Toko Maju", "owner_phone": "+62 21 555", "consent": "on_request", "dvr_retention_days": 14},
        {"dx": 0, "dy": 25, "kind": "dome", "range_m": 15, "connection": "connected", "consent": "live",
         "owner_name": "Kelurahan", "owner_phone": None, "dvr_retention_days": 30},
        {"dx": 0, "dy": 40, "kind": "fixed", "bearing_deg": 0, "fov_deg": 90, "range_m": 30,
         "owner_name": "Faces away", "owner_phone": None, "consent": "live", "dvr_retention_days": 7},
    ])


def test_cameras_seeing_a_point_ranked_by_distance_with_owner_and_consent(street):
    index = build_camera_index(street)
    seen = cameras_seeing_point(index, *lonlat(0, 20))
    assert seen["code"].tolist() == ["CAM-1", "CAM-0"]  # 5 m and 20 m away; CAM-2 faces north, away
    assert seen["distance_m"].tolist() == pytest.approx([5.0, 20.0], abs=0.2)
    assert seen.loc[0, "connection"] == "connected" and seen.loc[1, "consent"] == "on_request"
    assert seen.loc[1, "owner_phone"] == "+62 21 555" and seen.loc[1, "dvr_retention_days"] == 14


def test_bearing_direction_in_the_query(street):
    index = build_camera_index(street.iloc[[0]])
    assert cameras_seeing_point(index, *lonlat(0, 10))["code"].tolist() == ["CAM-0"]    # due north
    assert cameras_seeing_point(index, *lonlat(0, -10)).empty                          # due south
    east = build_camera_index(street.iloc[[0]].assign(bearing_deg=90))
    assert cameras_seeing_point(east, *lonlat(10, 0))["code"].tolist() == ["CAM-0"]     # due east


def test_cameras_within_a_radius_in_any_direction(street):
    index = build_camera_index(street)
    near = cameras_within(index, *lonlat(0, -5), 32)
    assert near["code"].tolist() == ["CAM-0", "CAM-1"]
    assert near["distance_m"].iloc[0] == pytest.approx(5.0, abs=0.2)
    assert cameras_within(index, *lonlat(0, -5), 1).empty
    with pytest.raises(VisibilityQueryError, match="radius"):
        cameras_within(index, *lonlat(0, 0), -3)


def test_bad_coordinates_are_a_clear_error(street):
    with pytest.raises(VisibilityQueryError, match="longitude then latitude"):
        cameras_seeing_point(build_camera_index(street), 500, -6.2)


def test_query_agrees_with_cone_polygons_on_random_points():
    box = (106.70, -6.20, 106.71, -6.19)
    cams = random_cameras(600, box, seed=9)
    index = build_camera_index(cams)
    cones = cone_polygons(cams, epsg=JAKARTA_EPSG, arc_segments=256, to_wgs84=False).geometry.to_numpy()
    tree = shapely.STRtree(cones)
    rng = np.random.default_rng(1)
    hits = 0
    for lon, lat in rng.uniform(box[:2], box[2:], (300, 2)):
        from geo.crs import to_metric
        x, y = to_metric(lon, lat, JAKARTA_EPSG)
        point = shapely.Point(float(x), float(y))
        near_edge = shapely.distance(shapely.boundary(cones), point) < 0.05
        expected = {f"R-{i}" for i in tree.query(point, predicate="intersects") if not near_edge[i]}
        got = set(cameras_seeing_point(index, lon, lat)["code"]) - {f"R-{i}" for i in np.flatnonzero(near_edge)}
        assert got == expected
        hits += len(expected)
    assert hits > 30


def test_buildings_block_the_line_of_sight_but_not_the_wall_the_camera_is_on():
    cams = cameras([{"dx": 0, "dy": 0, "kind": "fixed", "bearing_deg": 0, "fov_deg": 90, "range_m": 30}])
    def box(a, b, c, d):
        return shapely.box(ORIGIN[0] + a, ORIGIN[1] + b, ORIGIN[0] + c, ORIGIN[1] + d)
    buildings = gpd.GeoDataFrame(geometry=[box(-5, 10, 5, 14),      # in front, between camera and target
                                           box(-3, -3, 3, 0.5)],    # the house the camera hangs on
                                 crs=JAKARTA_EPSG).to_crs(4326)
    index = build_camera_index(cams, buildings=buildings)
    assert cameras_seeing_point(index, *lonlat(0, 20)).empty           # behind the building
    assert cameras_seeing_point(index, *lonlat(0, 12))["code"].tolist() == ["CAM-0"]  # on its facade
    assert cameras_seeing_point(index, *lonlat(0, 8))["code"].tolist() == ["CAM-0"]   # in front of it
    assert cameras_seeing_point(index, *lonlat(12, 20))["code"].tolist() == ["CAM-0"]  # past its corner
