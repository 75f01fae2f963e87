"""Coverage page (AppTest) on a real migrated database: the per-district table, chart and blind-spot map."""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import streamlit as st
from streamlit.testing.v1 import AppTest

from db.coverage_cache import ResultCache
from db.io.writers import upsert_cameras, upsert_districts, upsert_owners
from tests.app.test_feeds_page import sign_in

PAGE = str(Path(__file__).resolve().parents[2] / "dashboard/views/coverage.py")
# Two 1 km x 1 km kecamatan side by side in West Jakarta (about 0.009 degrees per km).
WEST = shapely.box(106.750, -6.170, 106.759, -6.161)
EAST = shapely.box(106.759, -6.170, 106.768, -6.161)


@pytest.fixture
def app_env(database_url, monkeypatch):
    """Point the dashboard at this test's database and forget cached engines from other tests."""
    monkeypatch.setenv("NOBLINDSPOT_DATABASE_URL", database_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield database_url
    st.cache_resource.clear()
    st.cache_data.clear()


def _seed(session_factory) -> None:
    districts = gpd.GeoDataFrame({"code": ["K01", "K02"], "name": ["Barat Satu", "Timur Dua"],
                                  "level": ["kecamatan", "kecamatan"], "population": [10_000, 20_000]},
                                 geometry=[WEST, EAST], crs="EPSG:4326")
    owners = pd.DataFrame({"code": ["O1"], "name": ["Pemda"], "owner_class": ["government"]})
    cameras = pd.DataFrame({
        "code": ["C1", "C2", "C3"], "name": ["Pasar", "Halte", "Gang"],
        "lon": [106.7545, 106.7550, 106.7635], "lat": [-6.1655, -6.1660, -6.1655],
        "kind": ["fixed", "dome", "fixed"], "bearing_deg": [90.0, None, 0.0], "fov_deg": [90.0, 360.0, 60.0],
        "range_m": [30.0, 20.0, 40.0], "connection": ["connected", "registered", "registered"],
        "consent": ["live", "live", "on_request"], "owner_code": ["O1", "O1", "O1"]})
    with session_factory.begin() as session:
        upsert_districts(session, districts)
        upsert_owners(session, owners)
        upsert_cameras(session, cameras)


def _run(lang: str = "en") -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.session_state["lang"] = lang
    app.session_state["result_cache_override"] = ResultCache(directory=None)  # this test's database only
    sign_in(app, "commander", "komandan")
    return app.run()


def test_coverage_page_shows_the_district_table(app_env, session_factory):
    _seed(session_factory)
    app = _run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Coverage"
    table = app.dataframe[0].value
    assert list(table["District"]) == ["Barat Satu", "Timur Dua"]
    assert list(table["Cameras"]) == [2, 1]
    assert list(table["Connected"]) == [1, 0]
    live = {m.label: m.value for m in app.metric}
    assert live["Cameras"] == "3" and live["Connected"] == "1"
    # Registered coverage is larger than live coverage in the west (two cameras, one connected).
    west_registered = float(table["Registered coverage"][0].rstrip("%"))
    west_live = float(table["Live coverage"][0].rstrip("%"))
    assert west_registered > west_live > 0


def test_coverage_page_draws_the_blind_spot_map(app_env, session_factory):
    _seed(session_factory)
    app = _run()
    charts = app.get("deck_gl_json_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.json)
    layer_ids = [layer["id"] for layer in spec["layers"]]
    assert "blind-spots" in layer_ids and "coverage-districts" in layer_ids
    blind = next(layer for layer in spec["layers"] if layer["id"] == "blind-spots")
    assert len(blind["data"]) > 100  # 2 km^2 in 100 m blocks, almost all unseen


def test_coverage_page_in_indonesian_and_without_boundaries(app_env):
    app = _run("id")
    assert not app.exception, app.exception
    assert app.title[0].value == "Cakupan"
    assert any("Belum ada batas" in w.value for w in app.warning)


def _button(app: AppTest, key: str):
    return next(b for b in app.button if b.key == key)


def test_connect_next_planner_proposes_a_consenting_camera_on_the_map(app_env, session_factory):
    _seed(session_factory)
    app = _run()
    app.number_input(key="connect_budget").set_value(2)
    _button(app, "connect_plan").click()
    app.run()
    assert not app.exception, app.exception
    picks = app.dataframe[1].value
    # Only C2 is registered (not connected) with live consent; C3's owner consented on request only.
    assert list(picks["Camera"]) == ["C2"]
    spec = json.loads(app.get("deck_gl_json_chart")[1].proto.json)
    proposals = next(layer for layer in spec["layers"] if layer["id"] == "proposals")
    assert [p["t"] for p in proposals["data"]] == ["C2"]
    assert proposals["radiusUnits"] == "pixels"  # a literal, not an accessor expression
    assert any(d.proto.label == "Download the proposals (CSV)" for d in app.get("download_button"))


def test_reaim_planner_lists_moves_with_a_download(app_env, session_factory):
    _seed(session_factory)
    app = _run()
    _button(app, "reaim_plan").click()
    app.run()
    assert not app.exception, app.exception
    metric = {m.label: m.value for m in app.metric}
    assert "Area added to registered coverage" in metric


def test_sessions_share_one_server_wide_result_cache(app_env, session_factory, tmp_path, monkeypatch):
    """Without an override, two browser sessions read one cache (deps.result_cache): the second computes nothing."""
    from dashboard import deps

    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path / "data"))
    _seed(session_factory)
    sessions = []
    for _ in range(2):
        app = AppTest.from_file(PAGE, default_timeout=60)
        app.session_state["lang"] = "en"
        sign_in(app, "commander", "komandan")
        sessions.append(app.run())
        assert not sessions[-1].exception, sessions[-1].exception
        if len(sessions) == 1:
            computed = deps.result_cache().computed
    assert computed > 0
    assert deps.result_cache().computed == computed
    assert list((tmp_path / "data" / "cache").glob("coverage-*.pkl"))
    assert sessions[0].dataframe[0].value.equals(sessions[1].dataframe[0].value)


# What the planners' tables show: headers and values in the user's language, numbers in its format, never a
# raw column name (camera_code, gain_m2), a stored value (live, on_request) or None/nan.
PLANNER_WORDS = {
    "id": {"connect": ["Peringkat", "Kamera", "Wilayah", "Luas tambahan (m²)", "Luas tambahan kumulatif (m²)",
                       "Pemilik", "Persetujuan"],
           "reaim": ["Kamera", "Wilayah", "Arah sekarang (°)", "Putar ke (°)", "Luas tambahan (m²)"],
           "live": "Boleh dilihat langsung"},
    "en": {"connect": ["Rank", "Camera", "District", "Area added (m²)", "Area added in all (m²)", "Owner", "Consent"],
           "reaim": ["Camera", "District", "Bearing now (°)", "Turn to (°)", "Area added (m²)"],
           "live": "Live viewing allowed"},
}
RAW = {"None", "nan", "NaN", "live", "on_request", "registry_only", "connected", "registered", "K01", "K02"}


def _no_raw_values(frame: pd.DataFrame) -> None:
    cells = {str(v) for column in frame for v in frame[column]}
    assert not cells & RAW, cells & RAW
    assert all(isinstance(v, str) for column in frame for v in frame[column])   # formatted for the locale


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_connect_next_table_speaks_the_users_language(app_env, session_factory, lang):
    _seed(session_factory)
    app = _run(lang)
    app.number_input(key="connect_budget").set_value(2)
    _button(app, "connect_plan").click()
    app.run()
    assert not app.exception, app.exception
    picks = app.dataframe[1].value
    assert list(picks.columns) == PLANNER_WORDS[lang]["connect"]
    _no_raw_values(picks)
    row = picks.iloc[0]
    assert (row.iloc[1], row.iloc[2], row.iloc[5], row.iloc[6]) == ("C2", "Barat Satu", "Pemda",
                                                                    PLANNER_WORDS[lang]["live"])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_re_aim_table_speaks_the_users_language(app_env, session_factory, lang):
    _seed(session_factory)
    twin = pd.DataFrame({"code": ["C4"], "name": ["Gang kembar"], "lon": [106.7635], "lat": [-6.1655],
                         "kind": ["fixed"], "bearing_deg": [0.0], "fov_deg": [60.0], "range_m": [40.0],
                         "connection": ["registered"], "consent": ["on_request"], "owner_code": ["O1"]})
    with session_factory.begin() as session:   # C3's twin: neither sees ground of its own, so one can turn
        upsert_cameras(session, twin)
    app = _run(lang)
    _button(app, "reaim_plan").click()
    app.run()
    assert not app.exception, app.exception
    moves = app.dataframe[1].value
    assert list(moves.columns) == PLANNER_WORDS[lang]["reaim"]
    assert len(moves) and set(moves.iloc[:, 0]) <= {"C3", "C4"}
    _no_raw_values(moves)
    assert set(moves.iloc[:, 1]) <= {"Barat Satu", "Timur Dua", "–"}   # these cameras have no district set


def test_the_re_aim_district_filter_names_the_districts_and_says_all_in_indonesian(app_env, session_factory):
    _seed(session_factory)
    app = _run("id")
    chooser = app.multiselect(key="reaim_districts")
    assert chooser.proto.placeholder == "Semua kecamatan"
    assert chooser.proto.select_all == 0                      # no English "Select all" entry
    assert [chooser.format_func(code) for code in chooser.options] == ["Barat Satu", "Timur Dua"]


@pytest.mark.parametrize(("role", "lang", "sentence", "detail"), [
    ("commander", "id", "memerlukan lapisan area prioritas", False),
    ("commander", "en", "needs a priority-area layer", False),
    ("operator", "id", "memerlukan lapisan area prioritas", True),
])
def test_a_plan_that_cannot_be_made_is_explained_in_the_users_language(app_env, session_factory, role, lang,
                                                                        sentence, detail):
    _seed(session_factory)
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.session_state["lang"] = lang
    app.session_state["result_cache_override"] = ResultCache(directory=None)
    sign_in(app, role, f"{role}-planner")
    app.run()
    app.radio(key="connect_objective").set_value("priority")
    _button(app, "connect_plan").click()
    app.run()
    assert not app.exception, app.exception
    [error] = [e.value for e in app.error]
    assert sentence in error and "objective" not in error          # no English exception text in the box
    assert [e.label for e in app.expander] == (["Rincian untuk operator"] if detail else [])
    assert any("objective 'priority'" in c.value for c in app.code) == detail  # the raw reason: operators only
