"""The offline vector basemap, built by `noblindspot basemap build` from a small OSM extract, is served by
the dashboard itself and drawn under the cameras: light on the commander's map, dark on the briefing."""
from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from dashboard.components.basemap_layers import ATTRIBUTION, PALETTES
from noblindspot.cli import cli
from tests.browser.test_map_browser import (
    TIMEOUT_MS,
    _add_commander,
    _chart,
    _external_requests,
    _near,
    _pixels,
    _sign_in,
)
from tests.support.basemap import write_extract

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("NOBLINDSPOT_SCREENSHOT_DIR")


@pytest.fixture
def dashboard_env(tmp_path) -> dict[str, str]:
    extract = write_extract(tmp_path / "west-jakarta.osm")
    basemap = tmp_path / "basemap.pmtiles"
    result = CliRunner().invoke(cli, ["basemap", "build", str(extract)],
                                env={"NOBLINDSPOT_BASEMAP_FILE": str(basemap), "NOBLINDSPOT_CONFIG": "",
                                     "NOBLINDSPOT_DATA_DIR": str(tmp_path / "build")})
    assert result.exit_code == 0, result.output
    return {"NOBLINDSPOT_BASEMAP_FILE": str(basemap)}


def _tile_requests(page) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    page.on("response", lambda r: seen.append((r.url, r.status)) if "/basemap/" in r.url else None)
    return seen


def test_the_commanders_map_draws_the_products_own_tiles(dashboard_server, seeded_url, browser):
    base, _codes = dashboard_server
    username = _add_commander(seeded_url[0], "sari")
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    external, tiles = _external_requests(page), _tile_requests(page)
    _sign_in(page, base, username)
    page.get_by_role("heading", name="Camera map").wait_for(timeout=TIMEOUT_MS)
    chart = _chart(page)
    page.wait_for_timeout(2000)
    pixels = _pixels(chart)
    light = PALETTES["light"]
    assert _near(pixels, tuple(light["green"][:3]), 12) > 2000, "the park is not drawn"
    assert _near(pixels, tuple(light["water"][:3]), 12) > 2000, "the lake is not drawn"
    assert tiles and all(url.startswith(base + "/basemap/") for url, _status in tiles)
    assert any(status == 200 for _url, status in tiles)
    assert external == []
    page.get_by_text(ATTRIBUTION).first.wait_for(timeout=TIMEOUT_MS)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/map-vector-basemap.png")


def test_the_briefing_draws_the_dark_style(dashboard_server, seeded_url, browser):
    base, _codes = dashboard_server
    username = _add_commander(seeded_url[0], "budi")
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    external, tiles = _external_requests(page), _tile_requests(page)
    _sign_in(page, base, username, query="mode=briefing&lang=en")
    page.get_by_text("Kecamatan Cengkareng").wait_for(timeout=TIMEOUT_MS)
    chart = _chart(page)
    page.wait_for_timeout(2000)
    pixels = _pixels(chart)
    dark = PALETTES["dark"]
    drawn = _near(pixels, tuple(dark["green"][:3]), 10) + _near(pixels, tuple(dark["water"][:3]), 10)
    assert drawn > 500 or not tiles, "the dark basemap is not drawn"
    assert all(url.startswith(base + "/basemap/") for url, _status in tiles)
    assert external == []
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/briefing-vector-basemap.png")
