"""The demo dataset reproduces the programme's figures and is plausible where it has to be."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.demo import DemoData, generate_demo
from geo.demo.facts import CITY_OUTLINE, KECAMATAN, METRIC_CRS
from geo.demo.posts import on_duty_strength
from geo.vocabulary import CameraKind, Connection, ConsentLevel, OwnerClass, PostKind
from settings import WEST_JAKARTA_BBOX

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)   # 17:30 WIB


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(now=NOW)


def _kecamatan(demo: DemoData) -> gpd.GeoDataFrame:
    return demo.districts[demo.districts["level"] == "kecamatan"]


def test_programme_figures(demo):
    cams = demo.cameras
    assert len(cams) == 19_942
    assert cams["code"].is_unique
    classes = cams["owner_code"].map(demo.owners.set_index("code")["owner_class"])
    assert set(classes) == {c.value for c in OwnerClass}
    connected = cams[cams["connection"] == Connection.CONNECTED.value]
    assert len(connected) == 120
    assert connected["kecamatan_code"].value_counts().to_dict() == {k.code: 15 for k in KECAMATAN}


def test_owner_class_shares_are_plausible(demo):
    classes = demo.cameras["owner_code"].map(demo.owners.set_index("code")["owner_class"])
    shares = classes.value_counts(normalize=True)
    assert list(shares.index[:2]) == ["private", "housing"]
    assert 0.03 < shares["government"] < 0.15
    assert demo.owners["code"].is_unique
    assert set(demo.cameras["owner_code"]) <= set(demo.owners["code"])


def test_eight_kecamatan_with_synthetic_kelurahan(demo):
    kec = _kecamatan(demo)
    assert sorted(kec["code"]) == sorted(k.code for k in KECAMATAN)
    assert sorted(kec["name"]) == sorted(k.name for k in KECAMATAN)
    assert kec["parent_code"].isna().all()
    kel = demo.districts[demo.districts["level"] == "kelurahan"]
    per_parent = kel.groupby("parent_code").size()
    assert set(per_parent.index) == set(kec["code"]) and per_parent.min() >= 3
    assert demo.districts["synthetic"].all() and (demo.districts["source"] == "synthetic demo").all()
    population = kel.groupby("parent_code")["population"].sum()
    assert population.to_dict() == dict(zip(kec["code"], kec["population"], strict=True))
    assert demo.districts.crs.to_epsg() == 4326


def test_boundary_areas_match_the_city(demo):
    metric = demo.districts.to_crs(METRIC_CRS)
    kec = metric[metric["level"] == "kecamatan"]
    total = kec.area.sum() / 1e6
    assert 0.9 * 125 <= total <= 1.1 * 130
    union = shapely.union_all(kec.geometry.values)
    assert union.area / 1e6 == pytest.approx(total, rel=1e-6)          # no overlaps
    for fact, area in zip(kec["name"], kec.area / 1e6, strict=True):
        bps = next(k.area_km2 for k in KECAMATAN if k.name == fact)
        assert area == pytest.approx(bps, rel=0.10)
    kel = metric[metric["level"] == "kelurahan"]
    covered = kel.groupby("parent_code").apply(lambda g: shapely.union_all(g.geometry.values).area)
    for code, area in covered.items():
        assert area == pytest.approx(kec.loc[kec["code"] == code].area.iloc[0], rel=1e-4)


def test_every_camera_inside_its_kecamatan_and_the_region(demo):
    cams = demo.cameras
    minx, miny, maxx, maxy = WEST_JAKARTA_BBOX
    assert cams["lon"].between(minx, maxx).all() and cams["lat"].between(miny, maxy).all()
    inside_count = np.zeros(len(cams), dtype=int)
    for code, polygon in zip(_kecamatan(demo)["code"], _kecamatan(demo).geometry, strict=True):
        inside = shapely.contains_xy(polygon, cams["lon"].to_numpy(), cams["lat"].to_numpy())
        inside_count += inside
        assert inside[(cams["kecamatan_code"] == code).to_numpy()].all(), code
    assert (inside_count == 1).all()


def test_camera_counts_follow_population(demo):
    counts = demo.cameras["kecamatan_code"].value_counts()
    per_resident = np.array([counts[k.code] / k.population for k in KECAMATAN])
    assert per_resident.max() / per_resident.min() < 1.15


def test_cameras_cluster_along_priority_roads(demo):
    cams = gpd.GeoDataFrame(geometry=gpd.points_from_xy(demo.cameras["lon"], demo.cameras["lat"]),
                            crs=4326).to_crs(METRIC_CRS)
    roads = demo.priority[demo.priority["weight"] == 1.0].to_crs(METRIC_CRS)
    near_roads = shapely.union_all(roads.buffer(40).geometry.values)
    city = gpd.GeoSeries([shapely.Polygon(CITY_OUTLINE)], crs=4326).to_crs(METRIC_CRS).iloc[0]
    area_share = near_roads.intersection(city).area / city.area
    camera_share = shapely.contains_xy(near_roads, *shapely.get_coordinates(cams.geometry.values).T).mean()
    assert camera_share > 4 * area_share


def test_connected_cameras_stream_with_live_consent(demo):
    connected = demo.cameras[demo.cameras["connection"] == "connected"]
    assert (connected["consent"] == ConsentLevel.LIVE.value).all()
    for code, url in zip(connected["code"], connected["stream_url"], strict=True):
        assert re.fullmatch(rf"rtsp://demo:[0-9a-f]+@127\.0\.0\.1:8554/{code}", url)
    assert (connected["consent_expires_on"] > NOW.date()).all()
    assert connected["sticker_installed"].all()
    registered = demo.cameras[demo.cameras["connection"] == "registered"]
    assert registered["stream_url"].isna().all()


def test_registered_cameras_keep_7_to_30_days_and_consent_varies(demo):
    registered = demo.cameras[demo.cameras["connection"] == Connection.REGISTERED.value]
    assert registered["dvr_retention_days"].between(7, 30).all()
    assert registered["dvr_retention_days"].nunique() > 3
    assert set(registered["consent"]) == {c.value for c in ConsentLevel}
    assert (demo.cameras["consent_signed_on"] < demo.cameras["consent_expires_on"]).all()
    expired = (registered["consent_expires_on"] < NOW.date()).mean()
    assert 0.05 < expired < 0.9


def test_optics_are_plausible_for_each_kind(demo):
    cams = demo.cameras
    assert set(cams["kind"]) == {k.value for k in CameraKind}
    fixed, dome, ptz = (cams[cams["kind"] == k] for k in ("fixed", "dome", "ptz"))
    assert fixed["fov_deg"].between(60, 100).all() and fixed["range_m"].between(20, 40).all()
    assert (dome["fov_deg"] == 360).all() and dome["range_m"].between(10, 20).all()
    assert (ptz["fov_deg"] == 360).all() and ptz["range_m"].between(40, 80).all()
    assert cams["bearing_deg"].between(0, 360, inclusive="left").all()
    assert fixed["bearing_deg"].nunique() > 300
    assert cams["height_m"].between(2, 10).all()
    assert not dome["bearing_adjustable"].any() and fixed["bearing_adjustable"].mean() > 0.5


def test_posts_and_personnel(demo):
    posts = demo.posts
    by_kind = posts.groupby("kind").size().to_dict()
    assert by_kind == {"polres": 1, "polsek": 8, "security_post": 8}
    polres = posts[posts["kind"] == "polres"].iloc[0]
    assert polres["name"] == "Polres Metro Jakarta Barat" and "S. Parman" in polres["address"]
    polsek_names = sorted(posts.loc[posts["kind"] == "polsek", "name"])
    assert polsek_names == sorted(f"Polsek {k.name}" for k in KECAMATAN)
    assert posts.loc[posts["kind"] == "security_post", "personnel"].sum() == 1_858
    regular = posts.loc[posts["kind"] != "security_post", "personnel"].sum()
    assert 1_200 <= regular <= 1_400
    assert posts["code"].is_unique


def test_each_polsek_stands_in_its_kecamatan(demo):
    kec = _kecamatan(demo).set_index("name")
    for post in demo.posts.itertuples():
        assert shapely.contains_xy(shapely.Polygon(CITY_OUTLINE), post.lon, post.lat), post.code
        if post.kind == "polsek":
            cell = kec.loc[post.name.removeprefix("Polsek "), "geometry"]
            assert cell.contains(shapely.Point(post.lon, post.lat)), post.code


def test_duty_units_cover_now_and_add_up(demo):
    units = demo.duty_units
    assert units["callsign"].is_unique
    posts = demo.posts.set_index("code")
    for post_code, group in units.groupby("post_code"):
        post = posts.loc[post_code]
        assert len(group) >= 3
        assert group["headcount"].min() >= 1
        assert group["headcount"].sum() == on_duty_strength(PostKind(post["kind"]), int(post["personnel"]))
    staffed = set(posts.index[posts["kind"].isin(["polsek", "security_post"])])
    assert set(units["post_code"]) == staffed
    assert (units["shift_start"] <= NOW).all() and (units["shift_end"] > NOW).all()
    assert str(units["shift_start"].dt.tz) == "UTC"
    assert (units["last_seen_at"] <= NOW).all()
    here = units.join(posts[["lon", "lat"]], on="post_code")
    assert (np.hypot(here["last_lon"] - here["lon"], here["last_lat"] - here["lat"]) < 0.03).all()


def test_priority_layer(demo):
    layer = demo.priority
    assert list(layer.columns) == ["name", "weight", "geometry"]
    assert layer.crs.to_epsg() == 4326
    assert layer.geometry.is_valid.all() and not layer.geometry.is_empty.any()
    metric = layer.to_crs(METRIC_CRS)
    roads = metric[metric["weight"] == 1.0]
    assert len(roads) >= 8
    # corridors ~24 m wide: area / centre-line length
    widths = roads.area / (roads.geometry.length / 2)
    assert widths.between(20, 30).all()
    assert {1.5, 2.0} <= set(layer["weight"])


def test_enum_columns_hold_vocabulary_values(demo):
    assert set(demo.cameras["connection"]) == {c.value for c in Connection}
    assert set(demo.owners["owner_class"]) <= {c.value for c in OwnerClass}
    assert set(demo.posts["kind"]) == {k.value for k in PostKind}
    assert set(demo.districts["level"]) == {"kecamatan", "kelurahan"}
