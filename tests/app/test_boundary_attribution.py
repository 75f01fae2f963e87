"""Maps that draw the real West Jakarta boundaries credit them; estimated police positions say so (issue 14)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from db.engine import make_engine, make_session_factory
from db.models import District, Post
from geo.demo.facts import APPROXIMATE_SUFFIX
from geo.demo.geography import BOUNDARY_SOURCE
from tests.support.dashboard import app_test, seed_database


@pytest.fixture
def seeded(database_url):
    seed_database(database_url)
    return database_url


def _as_demo_ships_them(url: str) -> None:
    """The seeded districts as the real demo writes them, and one Polsek at an estimated position."""
    with make_session_factory(make_engine(url)).begin() as s:
        s.execute(update(District).values(synthetic=False, source=BOUNDARY_SOURCE))
        polsek = s.query(Post).filter(Post.code == "POLSEK-1").one()
        polsek.name = f"{polsek.name} {APPROXIMATE_SUFFIX}"


def _run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


@pytest.mark.parametrize(("lang", "words"), [("en", "Boundaries: BPS / OCHA, via HDX (BPS 2020, CC BY-IGO 3.0)"),
                                             ("id", "Batas wilayah: BPS / OCHA, via HDX (BPS 2020, CC BY-IGO 3.0)")])
@pytest.mark.parametrize("query", [{}, {"mode": "briefing"}], ids=["map", "briefing"])
def test_the_real_boundaries_are_credited_under_the_map(seeded, lang, words, query):
    _as_demo_ships_them(seeded)
    at = _run(app_test(seeded, "commander", lang=lang, query=query))
    assert words in _captions(at)
    assert not any("synthetic" in c or "sintetis" in c for c in _captions(at))


def test_synthetic_boundaries_are_said_to_be_synthetic(seeded):
    at = _run(app_test(seeded, "commander", lang="en"))
    assert "Boundaries are synthetic (demo data), not official." in _captions(at)
    assert not any("HDX" in c for c in _captions(at))


@pytest.mark.parametrize(("lang", "label"), [("en", "(approximate location)"), ("id", "(perkiraan lokasi)")])
def test_an_estimated_polsek_position_is_labelled_in_the_session_language(seeded, lang, label):
    _as_demo_ships_them(seeded)
    at = _run(app_test(seeded, "commander", lang=lang))
    [chart] = at.get("deck_gl_json_chart")
    [posts] = [layer["data"] for layer in json.loads(chart.proto.json)["layers"] if layer["id"] == "posts"]
    [estimated] = [p["t"] for p in posts if "(" in p["t"]]
    assert estimated.startswith("Polsek ") and estimated.endswith(label)
    assert estimated.count("(") == 1
