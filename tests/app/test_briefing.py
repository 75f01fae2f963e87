"""The briefing screen: no controls, rotation through the kecamatan, headline figures, offline list."""
from __future__ import annotations

import pytest

from tests.support.dashboard import app_test, seed_database


@pytest.fixture
def seeded(database_url):
    return database_url, seed_database(database_url)


def html_text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def test_briefing_mode_shows_no_sidebar_navigation_or_controls(seeded):
    url, _codes = seeded
    at = run(app_test(url, "commander", lang="en", query={"mode": "briefing"}))
    assert len(at.sidebar) == 0
    widgets = [*at.button, *at.selectbox, *at.multiselect, *at.text_input, *at.radio, *at.toggle]
    assert widgets == []
    assert any('[data-testid="stSidebar"]' in h.proto.body and "display: none" in h.proto.body for h in at.get("html"))
    assert "Kecamatan Cengkareng" in html_text(at)


def test_the_briefing_account_sees_the_screen_but_not_the_map(seeded):
    url, _codes = seeded
    at = run(app_test(url, "briefing", lang="en", query={"mode": "briefing"}))
    assert "cameras registered" in html_text(at)
    at = run(app_test(url, "briefing", lang="en"))
    assert not at.metric   # the map's figures never render for the briefing role


def test_rotation_moves_to_the_next_district_and_wraps(seeded):
    url, _codes = seeded
    at = run(app_test(url, "commander", lang="en", query={"mode": "briefing"}))
    assert "Kecamatan Cengkareng" in html_text(at)
    run(at)
    assert "Kecamatan Grogol Petamburan" in html_text(at)
    run(at)
    assert "Kecamatan Cengkareng" in html_text(at)


def test_headline_figures_and_offline_cameras_for_the_district(seeded):
    url, codes = seeded
    at = run(app_test(url, "commander", lang="en", query={"mode": "briefing"}))
    run(at)  # Grogol Petamburan holds the camera whose feed stalled
    text = html_text(at)
    assert '<div class="v">6</div><div class="l">cameras registered</div>' in text
    assert '<div class="v">1 / 2</div><div class="l">connected cameras healthy</div>' in text
    assert '<div class="v">6</div><div class="l">personnel on duty</div>' in text
    assert "open incidents" in text   # the operations tables exist in this schema
    assert "Connected cameras offline: 1" in text
    assert any(codes["fault"][0] in m.value and "nb-offline" in m.value for m in at.markdown)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_briefing_page_in_both_languages(seeded, lang):
    url, _codes = seeded
    at = run(app_test(url, "commander", lang=lang, query={"mode": "briefing"}))
    assert ("kamera terdaftar" if lang == "id" else "cameras registered") in html_text(at)


def test_without_a_relay_heartbeat_every_connected_camera_is_relay_unreachable(database_url):
    codes = seed_database(database_url, relay_up=False)
    at = run(app_test(database_url, "commander", lang="en", query={"mode": "briefing"}))
    text = html_text(at)
    assert '<div class="v">0 / 2</div><div class="l">connected cameras healthy</div>' in text
    assert "Connected cameras offline: 2" in text
    assert all(any(code in m.value for m in at.markdown) for code in codes["healthy"] if code.endswith(("01", "03")))
