"""The geo commands against a real database (SQLite, and PostgreSQL when configured), on the demo."""
from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner

from db.coverage_cache import ResultCache, coverage_table
from db.io.demo_loader import load_demo
from db.repositories import bump_version, cameras_frame, districts_frame, layer_frame
from geo.coverage import analyse_coverage
from geo.demo import generate_demo
from noblindspot.cli import cli

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo():
    return generate_demo(seed=5, cameras=1_000, now=NOW)


@pytest.fixture
def loaded(session_factory, demo):
    with session_factory.begin() as s:
        load_demo(s, demo)
    return session_factory


@pytest.fixture
def run(database_url, tmp_path, loaded):
    env = {"NOBLINDSPOT_DATABASE_URL": database_url, "NOBLINDSPOT_DATA_DIR": str(tmp_path / "data")}

    def invoke(*args):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return invoke


def test_coverage_json_matches_the_engine_on_the_stored_registry(run, loaded):
    result = run("coverage", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    with loaded() as s:
        expected = analyse_coverage(cameras_frame(s), districts_frame(s, "kecamatan"),
                                    priority=layer_frame(s, "priority"))
    got = pd.DataFrame(payload["districts"])
    assert got["code"].tolist() == expected.table["code"].tolist() and len(got) == 8
    assert got["registered_coverage_pct"].tolist() == pytest.approx(expected.table["registered_coverage_pct"].tolist())
    assert got["connected"].sum() == 120 and got["cameras"].sum() == 1_000
    assert (got["live_coverage_pct"] < got["registered_coverage_pct"]).all()
    assert 0 < payload["region"]["priority_registered_pct"] <= 100
    kelurahan = json.loads(run("coverage", "--level", "kelurahan", "--json").output)
    assert len(kelurahan["districts"]) > 8 and kelurahan["level"] == "kelurahan"


def test_coverage_table_and_blind_spot_file(run, tmp_path):
    out = tmp_path / "blind.geojson"
    result = run("coverage", "--blind-spots", str(out))
    assert result.exit_code == 0, result.output
    assert "Kembangan" in result.output and "total" in result.output
    layer = gpd.read_file(out)
    assert len(layer) > 100 and layer["blind_share"].between(0, 1).all()


def test_results_are_cached_by_data_version(loaded, tmp_path):
    cache = ResultCache(tmp_path / "cache")
    with loaded() as s:
        first, _ = coverage_table(s, cache)
        computed = cache.computed
        again, _ = coverage_table(s, cache)
        assert again is first and cache.computed == computed
        fresh = ResultCache(tmp_path / "cache")  # another process: read back from disk
        from_disk, _ = coverage_table(s, fresh)
        assert fresh.computed == 0
        pd.testing.assert_frame_equal(from_disk, first)
    with loaded.begin() as s:
        bump_version(s, "registry")
    with loaded() as s:
        coverage_table(s, cache)
        assert cache.computed > computed


def test_who_sees_lists_the_camera_looking_at_the_point(run, loaded):
    with loaded() as s:
        cams = cameras_frame(s)
    cam = cams[(cams["kind"] == "fixed") & (cams["connection"] == "connected")].iloc[0]
    b = math.radians(cam["bearing_deg"])
    lon = cam["lon"] + 8 * math.sin(b) / (111_320 * math.cos(math.radians(cam["lat"])))
    lat = cam["lat"] + 8 * math.cos(b) / 110_574
    result = run("who-sees", f"{lon:.7f}", f"{lat:.7f}", "--radius", "30", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    seen = {row["code"]: row for row in payload["sees"]}
    assert cam["code"] in seen and seen[cam["code"]]["distance_m"] == pytest.approx(8, abs=0.5)
    assert seen[cam["code"]]["connection"] == "connected"
    assert cam["code"] in {row["code"] for row in payload["within"]}
    table = run("who-sees", f"{lon:.7f}", f"{lat:.7f}")
    assert cam["code"] in table.output


def test_who_sees_with_bad_coordinates_says_what_to_do(run):
    result = run("who-sees", "-6.17", "106.75")
    assert result.exit_code != 0
    assert "longitude then latitude" in result.output


def test_plan_connect_respects_consent_and_quota_and_writes_csv(run, loaded, tmp_path):
    out = tmp_path / "connect.csv"
    result = run("plan", "connect", "--budget", "16", "--per-district", "2", "--csv", str(out))
    assert result.exit_code == 0, result.output
    assert "no plan of 16 can add more than" in result.output
    picks = pd.read_csv(out, dtype=str)
    assert len(picks) == 16
    with loaded() as s:
        cams = cameras_frame(s).set_index("code").loc[picks["code"]]
    assert (cams["consent"] == "live").all() and (cams["connection"] == "registered").all()
    assert cams["kecamatan_code"].value_counts().max() <= 2


def test_plan_reaim_stays_in_the_district_and_writes_csv(run, loaded, tmp_path):
    out = tmp_path / "reaim.csv"
    result = run("plan", "reaim", "--district", "3174050", "--csv", str(out))
    assert result.exit_code == 0, result.output
    moves = pd.read_csv(out, dtype={"code": str})
    assert len(moves) > 0 and result.output.startswith("rotate camera ")
    with loaded() as s:
        cams = cameras_frame(s).set_index("code").loc[moves["code"]]
    assert (cams["kecamatan_code"] == "3174050").all()
    assert cams["bearing_adjustable"].all() and (cams["kind"] == "fixed").all()
    assert (moves["gain_m2"] > 0).all()


def test_priority_objective_without_a_layer_is_a_clear_error(database_url, tmp_path, session_factory):
    with session_factory.begin() as s:
        load_demo(s, generate_demo(seed=5, cameras=200, now=NOW))
        from db.models import Layer
        s.query(Layer).delete()
    env = {"NOBLINDSPOT_DATABASE_URL": database_url, "NOBLINDSPOT_DATA_DIR": str(tmp_path / "d")}
    result = CliRunner().invoke(cli, ["plan", "connect", "--budget", "3", "--objective", "priority"], env=env)
    assert result.exit_code != 0 and "needs a priority layer" in result.output


def test_the_two_district_levels_share_one_rasterisation(loaded):
    from db.coverage_cache import coverage_result
    cache = ResultCache()
    with loaded() as s:
        kecamatan = coverage_result(s, cache, "kecamatan")
        kelurahan = coverage_result(s, cache, "kelurahan")
    assert kelurahan.registered_cells is kecamatan.registered_cells
    assert len(kelurahan.table) > len(kecamatan.table)
    assert kelurahan.region["registered_coverage_pct"] == pytest.approx(
        kecamatan.region["registered_coverage_pct"], abs=0.05)


def test_coverage_on_an_empty_registry_says_what_to_do(database_url, tmp_path):
    env = {"NOBLINDSPOT_DATABASE_URL": database_url, "NOBLINDSPOT_DATA_DIR": str(tmp_path / "d")}
    result = CliRunner().invoke(cli, ["coverage"], env=env)
    assert result.exit_code != 0
    assert "import district boundaries (or the demo) first" in result.output
    assert not (tmp_path / "d" / "cache").exists() or not any((tmp_path / "d" / "cache").iterdir())
