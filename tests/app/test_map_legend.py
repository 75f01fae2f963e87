"""The legend of the map page and of the briefing (issue 10, item 8), and how police markers are drawn.

Every layer a map draws has a legend row (each row names the layers it explains), in the session's
language; duty units are drawn under the posts and the posts' personnel labels above everything.
"""
from __future__ import annotations

import json
import math

import pytest

from dashboard.components import legend
from dashboard.components import map_layers as ml
from dashboard.views import briefing
from tests.support.dashboard import KECAMATAN, app_test, seed_database

POLICE_ORDER = ["duty-units", "posts", "post-labels"]      # the last is drawn on top


@pytest.fixture
def seeded(database_url):
    return database_url, seed_database(database_url)


def run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def deck(at) -> dict:
    [chart] = at.get("deck_gl_json_chart")
    return json.loads(chart.proto.json)


def legend_of(at) -> str:
    [found] = [h.proto.body for h in at.get("html") if 'class="nb-legend' in h.proto.body]
    return found


def drawn(at) -> list[str]:
    return [layer["id"] for layer in deck(at)["layers"]]


def test_the_map_legend_has_a_row_for_every_layer_drawn(seeded):
    url, _codes = seeded
    at = app_test(url, "commander", lang="en")
    at.session_state["show_blind_spots"] = True
    run(at)
    ids = drawn(at)
    assert {"view-cones", "blind-spots", *POLICE_ORDER, "boundaries-kecamatan", "boundaries-kelurahan",
            ml.CAMERA_LAYER_CONNECTED} <= set(ids)
    html = legend_of(at)
    assert set(ids) - legend.explained_layers(html) == set()
    for words in ("Kecamatan boundary", "Kelurahan boundary", "View cone, in the owner&#x27;s colour",
                  "Blind spot: no registered camera sees it", "Duty unit, last known position"):
        assert words in html
    assert '<div class="nb-legend">' in html                 # the normal size: only the briefing's is large


def test_the_map_legend_leaves_out_what_is_not_drawn(seeded):
    url, _codes = seeded
    at = app_test(url, "commander", lang="en")
    at.session_state["show_cones"] = False
    run(at)
    assert "view-cones" not in drawn(at)
    html = legend_of(at)
    assert "View cone" not in html and "Blind spot" not in html


@pytest.mark.parametrize(("lang", "words"), [
    ("id", ["Pemilik", "Koneksi", "Polisi", "Unit piket, posisi terakhir", "Batas kecamatan", "Batas kelurahan"]),
    ("en", ["Owner", "Connection", "Police", "Duty unit, last known position", "Kecamatan boundary",
            "Kelurahan boundary"]),
])
def test_the_briefing_map_has_a_large_legend_for_every_layer_in_the_session_language(seeded, lang, words):
    url, _codes = seeded
    at = run(app_test(url, "commander", lang=lang, query={"mode": "briefing"}))
    html = legend_of(at)
    assert 'class="nb-legend nb-legend-large"' in html
    assert set(drawn(at)) - legend.explained_layers(html) == set()
    assert all(w in html for w in words), [w for w in words if w not in html]


def test_the_briefing_legend_counts_the_cameras_of_the_district_shown(seeded):
    url, _codes = seeded
    at = run(app_test(url, "commander", lang="en", query={"mode": "briefing"}))
    html = legend_of(at)                  # Cengkareng: CAM-01, 03, ..., 11 (two connected, both healthy)
    assert "Live, healthy <b>2</b>" in html and "Registered only (small dot) <b>4</b>" in html


@pytest.mark.parametrize("query", [{}, {"mode": "briefing"}], ids=["map", "briefing"])
def test_posts_and_their_labels_are_drawn_above_the_duty_units(seeded, query):
    url, _codes = seeded
    ids = drawn(run(app_test(url, "commander", lang="en", query=query)))
    assert [i for i in ids if i in POLICE_ORDER] == POLICE_ORDER
    assert ids[-len(POLICE_ORDER):] == POLICE_ORDER      # above every camera and boundary layer too


def _pixels(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    scale = 512 * 2 ** zoom / (2 * math.pi)
    return scale * math.radians(lon), -scale * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


@pytest.mark.parametrize("rotation", [0, 1])
def test_the_briefing_map_shows_the_whole_kecamatan(seeded, rotation):
    """The fixed zoom cut off the larger kecamatan; the map column is narrower now that the legend sits beside it."""
    url, _codes = seeded
    at = app_test(url, "commander", lang="en", query={"mode": "briefing"})
    for _run in range(rotation + 1):
        run(at)
    view = deck(at)["initialViewState"]
    _code, _name, (west, south, east, north) = KECAMATAN[rotation]
    cx, cy = _pixels(view["longitude"], view["latitude"], view["zoom"])
    for lon, lat in ((west, south), (west, north), (east, south), (east, north)):
        x, y = _pixels(lon, lat, view["zoom"])
        assert abs(x - cx) <= briefing.MAP_WIDTH_PX / 2 and abs(y - cy) <= briefing.MAP_HEIGHT_PX / 2
