"""The relay's own check page in real headless Chromium: hls.js served by the relay plays a feed pulled
from a GStreamer camera by a real relay process; a token minted from the operator token works too."""
from __future__ import annotations

import time

import pytest

from geo.vocabulary import FeedMode
from tests.support.components import need_chromium, need_ffmpeg, need_rtsp_server
from tests.support.relay_e2e import (
    CAMERA_PASSWORD,
    CAMERA_USER,
    OPERATOR,
    RelayProcess,
    ffmpeg_pids,
    reap,
    seed_cameras,
)

pytestmark = [pytest.mark.media, pytest.mark.browser, pytest.mark.slow]
CODE = "check-001"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                 "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture
def relay(session_factory, database_url, tmp_path):
    need_ffmpeg()
    need_rtsp_server()
    from relay.simulator.control import CameraSpec, Simulator

    with Simulator([CameraSpec(CODE, width=640, height=360, bitrate_kbps=500)], user=CAMERA_USER,
                   password=CAMERA_PASSWORD) as sim:
        seed_cameras(session_factory, {CODE: (FeedMode.ON_DEMAND, "copy", sim.url(CODE))})
        process = RelayProcess(database_url, tmp_path).start()
        try:
            yield process
        finally:
            process.close()
            reap(process.runtime_dir)
    assert ffmpeg_pids(process.runtime_dir) == []


@pytest.fixture
def page():
    executable = need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        tab = browser.new_page()
        requests: list[str] = []
        tab.on("request", lambda r: requests.append(r.url))
        tab.requests = requests
        yield tab
        browser.close()


def _wait_state(page, state: str, timeout_s: float) -> None:
    """Poll from Python: the page's CSP (no eval) blocks Playwright's wait_for_function predicates."""
    deadline = time.monotonic() + timeout_s
    seen = None
    while time.monotonic() < deadline:
        seen = page.evaluate("document.body.dataset.state")
        if seen == state:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"check page state {seen!r}, not {state!r}, after {timeout_s} s")


def _plays(page) -> None:
    _wait_state(page, "live", 45)
    first = page.evaluate("document.getElementById('video').currentTime")
    page.wait_for_timeout(3000)
    assert page.evaluate("document.getElementById('video').currentTime") > first + 1.0


def test_check_page_plays_with_a_token(relay, page):
    page.goto(f"{relay.url}/check/{CODE}?token={relay.token(CODE)}")
    _plays(page)
    hosts = {r.split("/")[2] for r in page.requests}
    assert hosts == {f"127.0.0.1:{relay.port}"}                    # hls.js and video from the relay only
    assert any(r.endswith("/static/hls.min.js") for r in page.requests)
    segments = [r for r in page.requests if r.split("?")[0].endswith(".ts")]
    assert segments and all("token=" in r for r in segments)
    assert all(CAMERA_PASSWORD not in r and "rtsp" not in r for r in page.requests)
    assert CAMERA_PASSWORD not in page.content()


def test_check_page_mints_a_token_from_the_operator_credential(relay, page):
    page.goto(f"{relay.url}/check/{CODE}")
    page.fill("#operator", OPERATOR)
    page.click("button[type=submit]")
    _plays(page)


def test_check_page_refuses_a_wrong_operator_credential(relay, page):
    page.goto(f"{relay.url}/check/{CODE}")
    page.fill("#operator", "not-the-operator-token")
    page.click("button[type=submit]")
    _wait_state(page, "refused", 10)
    assert "401" in page.text_content("#detail")
