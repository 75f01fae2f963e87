"""Issue 11: one read model. With a buildings layer imported, the map tooltip, the briefing screen, the
coverage page, the incident view and the CLI give the same coverage figure for a district and the same
answer to "who sees this point", and that answer is the occluded one (it differs without buildings).

Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL (the database_url fixture).
"""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
import streamlit as st
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from db import repositories
from db.coverage_cache import ResultCache, camera_index, coverage_table
from db.io.pipeline import import_layer
from geo.coverage import analyse_coverage
from geo.visibility import build_camera_index, cameras_seeing_point
from noblindspot.cli import cli
from tests.app.test_coverage_page import PAGE as COVERAGE_PAGE
from tests.app.test_coverage_page import _seed
from tests.app.test_feeds_page import sign_in

# C1 stands at (106.7545, -6.1655) looking east (90 degrees wide, 30 m). A building 13-20 m east of it
# hides the ground behind; IN_FRONT is 9 m east (seen either way), BEHIND 24 m east (seen only without it).
BUILDING = shapely.box(106.75462, -6.16575, 106.75468, -6.16525)
IN_FRONT = (106.75458, -6.1655)
BEHIND = (106.75472, -6.1655)


@pytest.fixture
def registry(database_url, session_factory, tmp_path, monkeypatch):
    _seed(session_factory)
    path = tmp_path / "buildings.geojson"
    gpd.GeoDataFrame({"name": ["Ruko"]}, geometry=[BUILDING], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    import_layer(session_factory, path, "buildings")
    monkeypatch.setenv("NOBLINDSPOT_DATABASE_URL", database_url)
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path / "data"))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield session_factory
    st.cache_resource.clear()
    st.cache_data.clear()


def _pct(value: float) -> float:
    return round(float(value), 6)


def _reference(session_factory) -> dict:
    """db.coverage_cache itself, and the same registry without the buildings layer."""
    with session_factory() as session:
        table, _region = coverage_table(session, ResultCache(), "kecamatan")
        index = camera_index(session, ResultCache())
        cameras = repositories.cameras_frame(session)
        districts = repositories.districts_frame(session, "kecamatan")
    west = table.set_index("code").loc["K01"]
    bare = analyse_coverage(cameras, districts).table.set_index("code").loc["K01"]
    bare_index = build_camera_index(cameras)
    return {"registered": _pct(west["registered_coverage_pct"]), "live": _pct(west["live_coverage_pct"]),
            "bare_registered": _pct(bare["registered_coverage_pct"]),
            "sees": {name: sorted(cameras_seeing_point(index, *point)["code"])
                     for name, point in (("front", IN_FRONT), ("behind", BEHIND))},
            "bare_sees_behind": sorted(cameras_seeing_point(bare_index, *BEHIND)["code"])}


def _dashboard_reads() -> None:
    """What the map tooltip / briefing figures (state.district_figures) and the incident view's who-sees
    (ops_data.cameras_seeing) give, inside a real Streamlit run."""
    import streamlit as st

    from dashboard import state
    from dashboard.components import ops_data
    from tests.integration.test_one_read_model import BEHIND, IN_FRONT

    figures = state.district_figures("kecamatan").set_index("code")
    st.json({"registered": float(figures.loc["K01", "registered_coverage"]) * 100.0,
             "live": float(figures.loc["K01", "live_coverage"]) * 100.0,
             "front": sorted(ops_data.cameras_seeing(*IN_FRONT)["code"]),
             "behind": sorted(ops_data.cameras_seeing(*BEHIND)["code"])})


def test_every_page_and_the_cli_agree_with_buildings_present(registry, database_url, tmp_path):
    ref = _reference(registry)
    # The buildings layer matters here, so agreeing with it means something.
    assert ref["registered"] < ref["bare_registered"]
    assert ref["sees"] == {"front": ["C1"], "behind": []} and ref["bare_sees_behind"] == ["C1"]

    app = AppTest.from_function(_dashboard_reads, default_timeout=60)
    sign_in(app, "commander", "komandan")
    app.run()
    assert not app.exception, app.exception
    shown = json.loads(app.json[0].proto.body)
    assert _pct(shown["registered"]) == ref["registered"] and _pct(shown["live"]) == ref["live"]
    assert {"front": shown["front"], "behind": shown["behind"]} == ref["sees"]

    page = AppTest.from_file(COVERAGE_PAGE, default_timeout=60)
    page.session_state["lang"] = "en"
    sign_in(page, "commander", "komandan")
    page.run()
    assert not page.exception, page.exception
    table = page.dataframe[0].value
    west = table[table["District"] == "Barat Satu"].iloc[0]
    assert float(west["Registered coverage"].rstrip("%")) == pytest.approx(ref["registered"], abs=0.05)

    env = {"NOBLINDSPOT_DATABASE_URL": database_url, "NOBLINDSPOT_DATA_DIR": str(tmp_path / "cli-data")}
    result = CliRunner().invoke(cli, ["coverage", "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in json.loads(result.output)["districts"]}
    assert _pct(rows["K01"]["registered_coverage_pct"]) == ref["registered"]
    for name, point in (("front", IN_FRONT), ("behind", BEHIND)):
        result = CliRunner().invoke(cli, ["who-sees", str(point[0]), str(point[1]), "--json"], env=env,
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert sorted(r["code"] for r in json.loads(result.output)["sees"]) == ref["sees"][name]


def test_one_result_cache_serves_every_session_of_the_server(registry):
    """Two browser sessions of one server process share the computed coverage (no recompute)."""
    caches = []

    def reads_the_cache() -> None:
        import streamlit as st

        from dashboard import deps, state

        state.coverage_by_district("kecamatan")
        st.session_state["cache_seen"] = deps.result_cache()

    for _session in range(2):
        app = AppTest.from_function(reads_the_cache, default_timeout=60)
        sign_in(app, "commander", "komandan")
        app.run()
        assert not app.exception, app.exception
        caches.append(app.session_state["cache_seen"])
    assert caches[0] is caches[1]
    assert caches[0].computed >= 1
    computed = caches[0].computed
    app = AppTest.from_function(reads_the_cache, default_timeout=60)
    sign_in(app, "commander", "komandan")
    app.run()
    assert app.session_state["cache_seen"].computed == computed
