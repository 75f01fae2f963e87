"""The demo dataset reproduces the programme's figures and is plausible where it has to be."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.demo import DemoData, generate_demo
from geo.demo.facts import APPROXIMATE_SUFFIX, BOUNDARY_ATTRIBUTION, KECAMATAN, METRIC_CRS
from geo.demo.geography import police_points
from geo.demo.posts import on_duty_strength
from geo.vocabulary import CameraKind, Connection, ConsentLevel, OwnerClass, PostKind
from settings import WEST_JAKARTA_BBOX

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)   # 17:30 WIB


# Legal kelurahan per kecamatan (BPS 2020), in KECAMATAN order: 56 in all.
KELURAHAN_PER_KECAMATAN = {"Kembangan": 6, "Kebon Jeruk": 7, "Palmerah": 6, "Grogol Petamburan": 7, "Tambora": 11,
                           "Taman Sari": 8, "Cengkareng": 6, "Kalideres": 5}


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(now=NOW)


@pytest.fixture(scope="module")
def synthetic() -> DemoData:
    return generate_demo(cameras=3_000, now=NOW, geography="synthetic")


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


def test_the_real_eight_kecamatan_and_fifty_six_kelurahan(demo):
    kec = _kecamatan(demo)
    assert list(kec["code"]) == [k.code for k in KECAMATAN] and list(kec["name"]) == [k.name for k in KECAMATAN]
    assert kec["parent_code"].isna().all()
    assert kec["population"].tolist() == [k.population for k in KECAMATAN]
    kel = demo.districts[demo.districts["level"] == "kelurahan"]
    assert len(kel) == 56 and kel["code"].is_unique and "Prepedan" not in set(kel["name"])
    assert kel["code"].str.fullmatch(r"3174\d{6}").all()
    assert (kel["code"].str[:7] == kel["parent_code"]).all()
    names = dict(zip(kec["code"], kec["name"], strict=True))
    assert kel["parent_code"].map(names).value_counts().to_dict() == KELURAHAN_PER_KECAMATAN
    assert kel["population"].isna().all()           # not in the source, so not made up
    assert not demo.districts["synthetic"].any()
    assert demo.districts["source"].str.startswith(BOUNDARY_ATTRIBUTION).all()
    assert demo.districts.crs.to_epsg() == 4326 and demo.districts.geometry.is_valid.all()


def test_real_kelurahan_tile_their_kecamatan_without_gaps_or_overlaps(demo):
    metric = demo.districts.to_crs(METRIC_CRS)
    kec = metric[metric["level"] == "kecamatan"].set_index("code")
    kel = metric[metric["level"] == "kelurahan"]
    assert kec.area.sum() / 1e6 == pytest.approx(125.49, abs=0.02)     # West Jakarta in UTM 48S
    for level in (kec, kel):
        union = shapely.union_all(level.geometry.values)
        assert level.area.sum() - union.area < 1.0                       # m²: no overlaps
        assert all(len(p.interiors) == 0 for p in shapely.get_parts(union))   # no gaps inside the city
    for code, group in kel.groupby("parent_code"):
        parts = shapely.union_all(group.geometry.values)
        assert shapely.symmetric_difference(parts, kec.loc[code, "geometry"]).area < 1.0, code


def test_synthetic_geography_stays_for_other_regions_and_scale_tests(synthetic):
    kec = _kecamatan(synthetic)
    assert sorted(kec["code"]) == sorted(k.code for k in KECAMATAN)
    kel = synthetic.districts[synthetic.districts["level"] == "kelurahan"]
    per_parent = kel.groupby("parent_code").size()
    assert set(per_parent.index) == set(kec["code"]) and per_parent.min() >= 3
    assert synthetic.districts["synthetic"].all() and (synthetic.districts["source"] == "synthetic demo").all()
    population = kel.groupby("parent_code")["population"].sum()
    assert population.to_dict() == dict(zip(kec["code"], kec["population"], strict=True))
    connected = synthetic.cameras[synthetic.cameras["connection"] == "connected"]
    assert connected["kecamatan_code"].value_counts().to_dict() == {k.code: 15 for k in KECAMATAN}
    assert synthetic.posts.loc[synthetic.posts["kind"] == "security_post", "personnel"].sum() == 1_858
    assert not synthetic.posts["location_approximate"].any()


def test_synthetic_boundary_areas_match_the_city(synthetic):
    metric = synthetic.districts.to_crs(METRIC_CRS)
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


def test_an_unknown_geography_is_refused():
    with pytest.raises(ValueError, match="real, synthetic"):
        generate_demo(cameras=200, now=NOW, geography="mars")  # type: ignore[arg-type]


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
    city = shapely.union_all(_kecamatan(demo).to_crs(METRIC_CRS).geometry.values)
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
    polsek = posts[posts["kind"] == "polsek"].set_index("kecamatan_code")
    for fact in KECAMATAN:
        assert polsek.loc[fact.code, "name"].startswith("Polsek ") and fact.name in polsek.loc[fact.code, "name"]
    assert posts.loc[posts["kind"] == "security_post", "personnel"].sum() == 1_858
    regular = posts.loc[posts["kind"] != "security_post", "personnel"].sum()
    assert 1_200 <= regular <= 1_400
    assert posts["code"].is_unique


def test_every_post_and_duty_unit_stands_in_its_kecamatan(demo):
    cells = _kecamatan(demo).set_index("code").geometry
    for post in demo.posts.itertuples():
        assert cells[post.kecamatan_code].contains(shapely.Point(post.lon, post.lat)), post.code
    units = demo.duty_units.join(demo.posts.set_index("code")["kecamatan_code"], on="post_code")
    for code, group in units.groupby("kecamatan_code"):
        assert shapely.contains_xy(cells[code], group["last_lon"].to_numpy(), group["last_lat"].to_numpy()).all()


def test_polres_and_polsek_stand_at_their_published_points(demo):
    posts = demo.posts.set_index("code")
    metric = gpd.GeoSeries(gpd.points_from_xy(posts["lon"], posts["lat"]), index=posts.index, crs=4326) \
        .to_crs(METRIC_CRS)
    by_kecamatan = {k.name: k for k in KECAMATAN}
    for point in police_points():
        code = "POLRES-JB" if point.kind is PostKind.POLRES else f"POLSEK-{by_kecamatan[point.kecamatan].short}"
        published = gpd.GeoSeries(gpd.points_from_xy([point.lon], [point.lat]), crs=4326).to_crs(METRIC_CRS)
        assert metric[code].distance(published.iloc[0]) < 1.0, code
        assert posts.loc[code, "address"] == point.address
        assert bool(posts.loc[code, "location_approximate"]) == point.approximate, code


def test_polsek_missing_from_the_sources_are_placed_in_their_kecamatan_and_marked(demo):
    posts = demo.posts.set_index("code")
    approximate = posts[posts["location_approximate"]]
    # Kembangan and Kalideres are not in the sources; Palmerah's point is an estimate from its address
    assert sorted(approximate.index) == ["POLSEK-KLD", "POLSEK-KMB", "POLSEK-PLM"]
    assert approximate["name"].str.endswith(APPROXIMATE_SUFFIX).all()
    assert not posts.loc[~posts["location_approximate"], "name"].str.contains(APPROXIMATE_SUFFIX, regex=False).any()
    cells = _kecamatan(demo).set_index("code").geometry.to_crs(METRIC_CRS)
    for code in ("POLSEK-KMB", "POLSEK-KLD"):
        spot = gpd.GeoSeries(gpd.points_from_xy([posts.loc[code, "lon"]], [posts.loc[code, "lat"]]),
                             crs=4326).to_crs(METRIC_CRS).iloc[0]
        cell = cells[posts.loc[code, "kecamatan_code"]]
        assert cell.buffer(-50).contains(spot), code                   # well inside, not on the border
        assert spot.distance(cell.centroid) < 1_000, code             # near the middle of the kecamatan


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


def test_the_shipped_geography_is_small_and_needs_no_shared_data():
    from geo.demo.geography import DATA_DIR
    files = sorted(DATA_DIR.glob("*.geojson"))
    assert [f.name for f in files] == ["jakbar_kecamatan.geojson", "jakbar_kelurahan.geojson",
                                       "jakbar_polisi.geojson"]
    assert sum(f.stat().st_size for f in files) < 300_000
    assert (DATA_DIR / "README.md").read_text(encoding="utf-8").count("BPS / OCHA, via HDX") >= 1
