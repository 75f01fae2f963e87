import geopandas as gpd
import pandas as pd
import pytest

from geo.nearest import (
    PostQueryError,
    jurisdiction,
    nearest_polsek,
    nearest_posts,
    nearest_security_post,
    personnel_ratios,
    ratio_figures,
)
from tests.support.coverage import districts, lonlat


def _posts():
    rows = [("POLRES", "polres", "Polres", 0, 0, 500), ("PS-A", "polsek", "Polsek A", -600, 0, 100),
            ("PS-B", "polsek", "Polsek B", 1500, 0, 80), ("POS-1", "security_post", "Pos 1", 300, 50, 6),
            ("POS-2", "pos_pam", "Pos 2", -100, 900, 4)]
    frame = pd.DataFrame(rows, columns=["code", "kind", "name", "dx", "dy", "personnel"])
    lon, lat = zip(*(lonlat(dx, dy) for dx, dy in zip(frame.dx, frame.dy, strict=True)), strict=True)
    return frame.drop(columns=["dx", "dy"]).assign(lon=lon, lat=lat)


@pytest.fixture
def kecamatan():
    # A: x in [-1000, 0), B: x in [0, 2000); 1 km tall each (1 and 2 km2).
    return districts([(-1000, -500, 0, 500), (0, -500, 2000, 500)], population=[20000, 30000])


def test_nearest_posts_by_kind_with_straight_line_distance():
    posts = _posts()
    near = nearest_posts(posts, *lonlat(200, 0), k=3)
    assert near["code"].tolist() == ["POS-1", "POLRES", "PS-A"]
    assert near["distance_m"].tolist() == pytest.approx([111.8, 200, 800], abs=0.5)
    assert nearest_polsek(posts, *lonlat(200, 0))["code"] == "PS-A"
    assert nearest_polsek(posts, *lonlat(800, 0))["code"] == "PS-B"
    post = nearest_security_post(posts, *lonlat(-100, 700))
    assert post["code"] == "POS-2" and post["distance_m"] == pytest.approx(200, abs=0.5)
    assert post["personnel"] == 4


def test_no_post_of_a_kind_gives_none_and_bad_k_an_error():
    posts = _posts()
    assert nearest_security_post(posts[posts.kind == "polsek"], *lonlat(0, 0)) is None
    with pytest.raises(PostQueryError):
        nearest_posts(posts, *lonlat(0, 0), k=0)


def test_jurisdiction_is_the_polsek_of_the_kecamatan_not_the_nearest(kecamatan):
    posts = _posts()
    here = lonlat(100, 0)  # in B, but Polsek A (700 m) is nearer than Polsek B (1,400 m)
    assert nearest_polsek(posts, *here)["code"] == "PS-A"
    answer = jurisdiction(posts, kecamatan, *here)
    assert (answer["district_code"], answer["polsek_code"]) == ("D1", "PS-B")
    assert answer["polsek_distance_m"] == pytest.approx(1400, abs=1)
    outside = jurisdiction(posts, kecamatan, *lonlat(0, 5000))
    assert outside["district_code"] is None and outside["polsek_code"] is None
    no_polsek = jurisdiction(posts[posts.code != "PS-A"], kecamatan, *lonlat(-500, 0))
    assert (no_polsek["district_code"], no_polsek["polsek_code"]) == ("D0", None)


def test_programme_ratio_example():
    figures = ratio_figures(1300, 129, 2_600_000)
    assert figures["officers_per_km2"] == pytest.approx(10.08, abs=0.01)
    assert figures["residents_per_officer"] == pytest.approx(2000)


def test_personnel_ratios_per_district_and_overall(kecamatan):
    table = personnel_ratios(_posts(), kecamatan)
    by_code = table.set_index("code")
    # Polres sits on the border x = 0: cell-free point-in-polygon puts it in B (x >= 0).
    assert by_code.loc["D0", "officers"] + by_code.loc["D1", "officers"] == 500 + 100 + 80 + 6
    assert by_code.loc["region", "officers"] == 686  # POS-2 (4 officers) is outside both kecamatan
    assert by_code.loc["region", "area_km2"] == pytest.approx(3.0, rel=1e-3)
    assert by_code.loc["region", "residents_per_officer"] == pytest.approx(50000 / 686)
    assert by_code.loc["D0", "officers_per_km2"] == pytest.approx(by_code.loc["D0", "officers"], rel=1e-3)


@pytest.mark.realdata
def test_real_west_jakarta_polsek_and_jurisdictions(shared_data):
    police = gpd.read_file(shared_data / "jakbar_polisi.geojson")
    posts = pd.DataFrame({"code": police["name"], "name": police["name"], "kind": police["type"].str.lower(),
                          "lon": police.geometry.x, "lat": police.geometry.y, "personnel": 100})
    kec = gpd.read_file(shared_data / "jakbar_kecamatan.geojson").rename(
        columns={"kode_bps_kec": "code", "kecamatan": "name", "pop_bps_est_2019": "population",
                 "area_km2_utm48s": "area_km2"})
    tambora = police[police["name"] == "Polsek Tambora"].geometry.iloc[0]
    near = nearest_polsek(posts, tambora.x + 0.001, tambora.y)
    assert near["name"] == "Polsek Tambora" and near["distance_m"] == pytest.approx(110, abs=5)
    for _, station in police[police["type"] == "Polsek"].iterrows():
        answer = jurisdiction(posts, kec, station.geometry.x, station.geometry.y)
        assert answer["polsek_name"] == station["name"]
        assert answer["district_name"] == station["kecamatan"]
    kembangan = kec[kec["name"] == "Kembangan"].geometry.iloc[0].representative_point()
    answer = jurisdiction(posts, kec, kembangan.x, kembangan.y)
    assert answer["district_name"] == "Kembangan" and answer["polsek_name"] is None
    table = personnel_ratios(posts, kec).set_index("code")
    assert table.loc["region", "officers"] == 700  # 7 posts x 100, all inside West Jakarta
    palmerah = kec.loc[kec["name"] == "Palmerah", "code"].iloc[0]
    assert table.loc[palmerah, "officers"] == 200  # Polres and Polsek Palmerah
    assert table.loc["region", "area_km2"] == pytest.approx(125.49, abs=0.05)


def test_personnel_ratios_and_the_map_figures_count_each_post_in_the_same_single_district():
    """Issue 11: residents per officer placed posts with its own 'within' test, which dropped a post on
    a shared border; the map figures (geo.district_figures) counted it. Both now use geo.assign."""
    import shapely

    from geo.district_figures import district_figures

    frame = gpd.GeoDataFrame({"code": ["K-A", "K-B"], "name": ["A", "B"], "level": ["kecamatan"] * 2,
                              "population": [10_000, 20_000]},
                             geometry=[shapely.box(106.70, -6.20, 106.75, -6.15),
                                       shapely.box(106.75, -6.20, 106.80, -6.15)], crs=4326)
    posts = pd.DataFrame({"code": ["ON-BORDER", "IN-B", "OUTSIDE"], "lon": [106.75, 106.78, 106.90],
                          "lat": [-6.17, -6.17, -6.17], "personnel": [40, 10, 7], "on_duty": [0, 0, 0]})
    ratios = personnel_ratios(posts, frame).set_index("code")
    figures = district_figures(frame, [], [], [], posts).set_index("code")
    assert ratios.loc["K-A", "officers"] == 40 and ratios.loc["K-B", "officers"] == 10   # border: smallest code
    for code in ("K-A", "K-B"):
        assert ratios.loc[code, "officers"] == figures.loc[code, "personnel"]
    assert ratios.loc["region", "officers"] == 50   # the post outside every kecamatan counts nowhere
