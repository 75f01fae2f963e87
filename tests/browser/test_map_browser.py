"""Real headless Chromium against `streamlit run dashboard/app.py`: the map draws the cameras in the owner
colours on a deck.gl canvas, nothing is fetched from outside this machine, clicking a camera opens its
card, a tooltip shows markup in a camera name as text, the language switches both ways, and the
briefing mode renders without a sidebar."""
from __future__ import annotations

import io
import math
import re
from urllib.parse import urlparse

import numpy as np
import pytest

from db.engine import make_engine, make_session_factory
from db.users import add_user
from tests.support.dashboard import XSS_NAME

pytestmark = pytest.mark.browser
PASSWORD = "a long test password"
TIMEOUT_MS = 60_000
CENTRE = (106.75, -6.17)     # middle of the default region bbox: the map's initial view
ZOOM = 11.3
OWNER_RGB = [(0, 114, 178), (230, 159, 0), (0, 158, 115), (204, 121, 167)]


def _add_commander(url: str, username: str = "rina") -> str:
    engine = make_engine(url)
    with make_session_factory(engine).begin() as s:
        add_user(s, "cli:test", username, "commander", PASSWORD)
    engine.dispose()
    return username


def _sign_in(page, base: str, username: str, query: str = "lang=en") -> None:
    page.goto(f"{base}/?{query}", wait_until="domcontentloaded")
    page.locator('input[autocomplete="username"]').fill(username, timeout=TIMEOUT_MS)
    page.locator('input[autocomplete="current-password"]').fill(PASSWORD)
    page.locator('button[kind="primaryFormSubmit"]').click()


def _pixel_offset(lon: float, lat: float) -> tuple[float, float]:
    """Screen offset (px) of a point from the view centre in Web Mercator at ZOOM (512 px tiles in deck.gl)."""
    scale = 512 * 2 ** ZOOM / (2 * math.pi)

    def project(lo, la):
        return scale * math.radians(lo), -scale * math.log(math.tan(math.pi / 4 + math.radians(la) / 2))

    x0, y0 = project(*CENTRE)
    x1, y1 = project(lon, lat)
    return x1 - x0, y1 - y0


def _chart(page):
    chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
    chart.locator("canvas").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(2500)  # let deck.gl draw its first frames
    return chart


def _point(chart, lon: float, lat: float) -> tuple[float, float]:
    box = chart.locator("canvas").first.bounding_box()
    dx, dy = _pixel_offset(lon, lat)
    return box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy


def _click(page, chart, lon: float, lat: float) -> None:
    """Hover first, then press and release: deck.gl picks on hover and selects on the click."""
    x, y = _point(chart, lon, lat)
    page.mouse.move(x - 1, y)
    page.mouse.move(x, y)
    # the tooltip proves deck.gl has picked the marker under the pointer (a loaded machine takes a while
    # to build its picking buffer); a press before that would land on nothing
    page.locator(".deck-tooltip").wait_for(state="visible", timeout=TIMEOUT_MS)
    page.mouse.down()
    page.wait_for_timeout(80)
    page.mouse.up()


def _pixels(element) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(element.screenshot())).convert("RGB")).astype(int)


def _near(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 40) -> int:
    return int((np.abs(pixels - np.array(rgb)).sum(axis=2) < tolerance).sum())


def _external_requests(page) -> list[str]:
    seen: list[str] = []

    def record(request):
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in ("127.0.0.1", "localhost"):
            seen.append(request.url)

    page.on("request", record)
    return seen


def test_map_draws_cameras_offline_and_a_click_opens_the_card(dashboard_server, seeded_url, browser):
    base, _codes = dashboard_server
    username = _add_commander(seeded_url[0])
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    external = _external_requests(page)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _sign_in(page, base, username)
    page.get_by_role("heading", name="Camera map").wait_for(timeout=TIMEOUT_MS)
    chart = _chart(page)
    pixels = _pixels(chart)
    background = np.median(pixels.reshape(-1, 3), axis=0)
    drawn = int((np.abs(pixels - background).sum(axis=2) > 30).sum())
    assert drawn > 500, f"the deck.gl canvas looks blank ({drawn} drawn pixels)"
    assert sum(_near(pixels, rgb) > 0 for rgb in OWNER_RGB) >= 3, "owner colours are missing from the map"

    _click(page, chart, 106.73, -6.155)   # CAM-01: connected and healthy
    page.get_by_role("heading", name=re.compile(r"Camera CAM-01")).wait_for(timeout=TIMEOUT_MS)

    assert external == [], f"the dashboard fetched from outside this machine: {external[:5]}"
    assert dialogs == []


def test_tooltip_shows_markup_in_a_name_as_text(dashboard_server, seeded_url, browser):
    base, _codes = dashboard_server
    username = _add_commander(seeded_url[0], "tono")
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _sign_in(page, base, username)
    page.get_by_role("heading", name="Camera map").wait_for(timeout=TIMEOUT_MS)
    chart = _chart(page)
    x, y = _point(chart, 106.794, -6.153)   # CAM-06, whose name is an <img onerror> tag
    page.mouse.move(x - 1, y)
    page.mouse.move(x, y)
    tooltip = page.locator(".deck-tooltip")
    tooltip.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert XSS_NAME in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0
    assert dialogs == []


def _switch_language(page, option: str, heading: str) -> None:
    """Click a language and wait for the page heading; a click that lands while the previous run is still
    finishing can be overwritten by that run, so it is retried (at most three times)."""
    for _attempt in range(3):
        page.get_by_text(option, exact=True).last.click()
        try:
            page.get_by_role("heading", name=heading).wait_for(timeout=20_000)
            return
        except Exception:  # playwright's TimeoutError; retried
            page.wait_for_timeout(3000)
    raise AssertionError(f"switching to {option} never showed the heading {heading!r}")


def test_language_switch_and_back_in_the_browser(dashboard_server, seeded_url, browser):
    base, _codes = dashboard_server
    username = _add_commander(seeded_url[0], "sari")
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    _sign_in(page, base, username, query="")
    page.get_by_role("heading", name="Peta kamera").wait_for(timeout=TIMEOUT_MS)
    # the heading changes first; the sidebar's labels follow in the same rerun, a moment later on a busy
    # machine (an instant is_visible() failed there once): wait for them, a missing label still fails
    _switch_language(page, "English", "Camera map")
    page.get_by_text("Owner class").first.wait_for(state="visible", timeout=TIMEOUT_MS)
    _switch_language(page, "Bahasa Indonesia", "Peta kamera")
    page.get_by_text("Jenis pemilik").first.wait_for(state="visible", timeout=TIMEOUT_MS)


def test_briefing_mode_renders_a_map_and_no_sidebar(dashboard_server, seeded_url, browser):
    base, _codes = dashboard_server
    username = _add_commander(seeded_url[0], "joko")
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    external = _external_requests(page)
    _sign_in(page, base, username, query="mode=briefing&lang=en")
    page.get_by_text("Kecamatan Cengkareng").wait_for(timeout=TIMEOUT_MS)
    chart = _chart(page)
    pixels = _pixels(chart)
    background = np.median(pixels.reshape(-1, 3), axis=0)
    assert int((np.abs(pixels - background).sum(axis=2) > 30).sum()) > 300
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    size = page.locator(".nb-figure .v").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 48  # readable from across the room on a 1080p screen
    # issue 10, item 8: the title's class rule lost to Streamlit's Markdown rule and the page's body-size
    # rule (both more specific), so the 64 px title was drawn at 28 px
    title = _font_px(page, ".nb-brief-title", 60)
    assert 60 <= title <= 68, f"the briefing title is {title} px, not about 64 px"
    units_row = page.locator('.nb-legend-large [data-layers~="duty-units"]')
    units_row.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert "Duty unit, last known position" in units_row.inner_text()
    legend_row = _font_px(page, ".nb-legend-large .nb-legend-row", 22)
    assert legend_row >= 22, f"the briefing legend is {legend_row} px"
    assert external == []


def _font_px(page, selector: str, at_least: float) -> float:
    """The computed font size of the first match, waiting (up to TIMEOUT_MS) until it is at least ``at_least``
    px: the page's stylesheet may arrive a moment after the element. Returns whatever it is by then."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    script = ("([s, n]) => { const e = document.querySelector(s);"
              " return !!e && parseFloat(getComputedStyle(e).fontSize) >= n }")
    try:
        page.wait_for_function(script, arg=[selector, at_least], timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        pass  # the assertion that follows reports the size found
    return page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
