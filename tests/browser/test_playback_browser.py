"""The live player in real headless Chromium: the <video> plays and its currentTime advances.

Stage one: a real live HLS stream cut by ffmpeg from a test pattern, served with the relay's URL
layout (/static/hls.min.js from npm, /hls/<code>/index.m3u8 with the token checked by
relay.tokens.verify_token), and the player's page built by dashboard.components.player; this pins the
player's own behaviour (live state, refusal and retry) without the rest of the system.

Stage two: the whole chain with real processes: a GStreamer simulated camera, `python -m relay`
pulling it with ffmpeg, `streamlit run dashboard/app.py` signed in as an operator (video wall) and as
the briefing screen (?mode=briefing); the player inside Streamlit's iframe plays live video.
"""
from __future__ import annotations

import json
import subprocess
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from dashboard.components.player import TOKEN_TTL_S, PlayerOptions, player_html, player_source
from dashboard.components.player_script import PLAYER_JS
from relay.tokens import TokenError, mint_windowed, verify_token
from tests.support.components import need_chromium, need_ffmpeg, need_rtsp_server

pytestmark = [pytest.mark.browser, pytest.mark.media]

REPO = Path(__file__).resolve().parents[2]
HLS_JS = REPO / "node_modules" / "hls.js" / "dist" / "hls.min.js"
SECRET = "browser-test-secret-0123456789-abcdefghij"
CAMERA = "JB-CAM-0001"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]
LABELS = {"connecting": "connecting", "live": "live", "offline": "offline", "retrying": "retrying {seconds}",
          "unreachable": "unreachable", "refused": "refused", "notFound": "not found", "busy": "busy",
          "stalled": "stalled", "media": "media", "unsupported": "unsupported",
          "starting": "starting"}


class RelayLikeHandler(SimpleHTTPRequestHandler):
    """Serves HLS like the relay: token required on the playlist, CORS open, no caching."""

    pages: ClassVar[dict[str, str]] = {}
    refused: ClassVar[list[str]] = []

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _json_error(self, status: int, detail: str) -> None:
        body = json.dumps({"detail": detail}).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in self.pages:
            body = self.pages[url.path].encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if url.path == "/static/hls.min.js":
            self.path = "/" + str(HLS_JS.relative_to(REPO))
        elif url.path.endswith(".m3u8"):
            camera = url.path.split("/")[2]
            try:
                verify_token(SECRET, parse_qs(url.query).get("token", [""])[0], camera)
            except TokenError as exc:
                self.refused.append(url.path)
                self._json_error(403, str(exc))  # the relay's answer: {"detail": reason}
                return
        super().do_GET()


@pytest.fixture
def live_hls(tmp_path):
    need_ffmpeg()
    out = tmp_path / "hls" / CAMERA
    out.mkdir(parents=True)
    argv = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
            "-i", "testsrc2=size=640x360:rate=25", "-c:v", "libx264", "-preset", "ultrafast",
            "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25",
            "-sc_threshold", "0", "-f", "hls", "-hls_time", "1", "-hls_list_size", "6",
            "-hls_flags", "delete_segments+independent_segments",
            "-hls_segment_filename", str(out / "seg_%05d.ts"), str(out / "index.m3u8")]
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not (out / "index.m3u8").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (out / "index.m3u8").exists(), "ffmpeg produced no playlist"
    yield tmp_path
    process.terminate()
    process.wait(10)


@pytest.fixture
def relay_like_server(live_hls):
    # Files under the repo (hls.js) and under tmp (segments) are both served: link hls/ into a root.
    root = live_hls / "root"
    root.mkdir()
    (root / "hls").symlink_to(live_hls / "hls")
    (root / "node_modules").symlink_to(REPO / "node_modules")
    RelayLikeHandler.pages = {}
    RelayLikeHandler.refused = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(RelayLikeHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def chromium_page():
    executable = need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        yield page
        browser.close()


def _player_page(base_url: str, token: str) -> str:
    source = player_source(base_url, CAMERA, token)
    return player_html(source, PlayerOptions(labels=LABELS), PLAYER_JS)


def _current_time(page) -> float:
    return float(page.evaluate("document.getElementById('nbs-video').currentTime"))


def test_player_plays_live_video_and_time_advances(relay_like_server, chromium_page):
    _server, base = relay_like_server
    token = mint_windowed(SECRET, CAMERA, "ani", TOKEN_TTL_S, time.time())
    RelayLikeHandler.pages["/player.html"] = _player_page(base, token)
    chromium_page.goto(base + "/player.html")
    chromium_page.wait_for_function("document.body.dataset.state === 'live'", timeout=30_000)
    first = _current_time(chromium_page)
    time.sleep(3)
    second = _current_time(chromium_page)
    assert second > first + 1.0, f"video did not advance: {first} -> {second}"
    behind = _behind_live_edge(chromium_page)
    # Started near the live edge: about two 1 s segments behind, far from the 6-segment playlist's start.
    assert behind < 4.0, f"{behind:.1f} s behind the live edge"
    assert RelayLikeHandler.refused == []
    badge = chromium_page.text_content("#nbs-badge")
    assert badge == "live"


def _behind_live_edge(page) -> float:
    """hls.js's estimate of the live edge (playlist edge plus the time since it was loaded) minus now."""
    return float(page.evaluate("window.NBS_HLS.latency"))


def test_player_catches_up_after_falling_behind(relay_like_server, chromium_page):
    _server, base = relay_like_server
    token = mint_windowed(SECRET, CAMERA, "ani", TOKEN_TTL_S, time.time())
    RelayLikeHandler.pages["/player.html"] = _player_page(base, token)
    chromium_page.goto(base + "/player.html")
    chromium_page.wait_for_function("document.body.dataset.state === 'live'", timeout=30_000)
    chromium_page.evaluate("document.getElementById('nbs-video').pause()")
    deadline = time.monotonic() + 10
    worst = 0.0
    while worst <= 4.5 and time.monotonic() < deadline:
        time.sleep(0.25)
        worst = max(worst, _behind_live_edge(chromium_page))
    assert worst > 4.5, "pausing did not put the player behind the live edge"
    chromium_page.evaluate("document.getElementById('nbs-video').play()")
    deadline = time.monotonic() + 15
    while _behind_live_edge(chromium_page) > 3.0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _behind_live_edge(chromium_page) <= 3.0, "the player did not catch up with the live edge"


def test_player_shows_refusal_and_retries_with_a_forged_token(relay_like_server, chromium_page):
    _server, base = relay_like_server
    forged = mint_windowed("another-secret-0123456789", CAMERA, "ani", TOKEN_TTL_S, time.time())
    RelayLikeHandler.pages["/player.html"] = _player_page(base, forged)
    chromium_page.goto(base + "/player.html")
    chromium_page.wait_for_function("document.body.dataset.state === 'retrying'", timeout=20_000)
    reason = chromium_page.text_content("#nbs-reason")
    assert "refused" in reason and "token signature does not match this camera" in reason
    assert RelayLikeHandler.refused, "the server never saw the playlist request"
    assert _current_time(chromium_page) == 0.0


# --- Stage two: the real relay, fed by the GStreamer simulator, behind the real dashboard ------------------

OPERATOR_PASSWORD = "wall-operator-pass-2026"


def _point_camera_at_simulator(database_url: str, stream_url: str) -> None:
    """CAM-01 streams from the simulator and is pinned; the seed's other feeds (fake addresses) are off."""
    from sqlalchemy import update

    from db.engine import make_engine, make_session_factory
    from db.models import Camera, Feed
    from db.users import add_user
    from geo.vocabulary import FeedMode, FeedState

    engine = make_engine(database_url)
    with make_session_factory(engine).begin() as session:
        session.execute(update(Camera).where(Camera.code == "CAM-01").values(stream_url=stream_url))
        cam_id = session.execute(select(Camera.id).where(Camera.code == "CAM-01")).scalar_one()
        session.execute(update(Feed).values(mode=FeedMode.OFF, state=FeedState.STOPPED, last_error=None))
        session.execute(update(Feed).where(Feed.camera_id == cam_id).values(mode=FeedMode.ALWAYS_ON))
        add_user(session, "cli:test", "wall.operator", "operator", password=OPERATOR_PASSWORD)
        add_user(session, "cli:test", "briefing.screen", "briefing", password=OPERATOR_PASSWORD)
    engine.dispose()


def _start_dashboard(database_url: str, relay_url: str, tmp_path: Path) -> tuple[subprocess.Popen, str]:
    import os
    import sys

    from tests.support.dashboard import free_port, wait_for_http
    from tests.support.relay_e2e import HLS_SECRET, OPERATOR

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOBLINDSPOT_")}
    env.update(NOBLINDSPOT_DATABASE_URL=database_url, NOBLINDSPOT_DATA_DIR=str(tmp_path / "dash-data"),
               NOBLINDSPOT_RELAY_URL=relay_url, NOBLINDSPOT_RELAY_HLS_SECRET=HLS_SECRET,
               NOBLINDSPOT_RELAY_OPERATOR_TOKEN=OPERATOR)
    argv = [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "server.py"), "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    wait_for_http(base + "/_stcore/health")
    return process, base


@pytest.fixture
def live_stack(database_url, tmp_path):
    """Simulator camera -> `python -m relay` -> `streamlit run dashboard/app.py`, all real processes."""
    need_ffmpeg()
    need_rtsp_server()
    need_chromium()
    from relay.simulator.control import CameraSpec, Simulator
    from tests.support.dashboard import seed_database
    from tests.support.relay_e2e import RelayProcess

    seed_database(database_url, connected_fault=False)
    with Simulator([CameraSpec("CAM-01", width=640, height=360, bitrate_kbps=600)]) as simulator:
        _point_camera_at_simulator(database_url, simulator.url("CAM-01"))
        relay = RelayProcess(database_url, tmp_path).start()
        dashboard = None
        try:
            relay.wait_state("CAM-01", "running", timeout_s=40)
            dashboard, base = _start_dashboard(database_url, relay.url, tmp_path)
            yield base, relay
        finally:
            if dashboard is not None:
                dashboard.terminate()
                dashboard.wait(timeout=15)
            relay.close()


def _sign_in(page, url: str, username: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(url)
    try:
        page.get_by_role("textbox", name="User name").wait_for(timeout=90_000)
    except PlaywrightTimeout:
        raise AssertionError(f"no sign-in form at {url}; the page shows: {page.inner_text('body')[:1500]}") from None
    page.get_by_role("textbox", name="User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _player_frame(page, timeout_s: float = 60):
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.query_selector("#nbs-video") is not None:
                    return frame
            except PlaywrightError:  # a frame may detach while Streamlit re-renders
                continue
        time.sleep(0.5)
    raise AssertionError("no live player appeared on the page")


def _has_player(page) -> bool:
    return any(frame.query_selector("#nbs-video") is not None for frame in page.frames if frame != page.main_frame)


def _plays(frame) -> tuple[float, float]:
    frame.wait_for_function("document.body.dataset.state === 'live'", timeout=45_000)
    first = float(frame.evaluate("document.getElementById('nbs-video').currentTime"))
    time.sleep(3)
    return first, float(frame.evaluate("document.getElementById('nbs-video').currentTime"))


def _assert_plays(page):
    """The page's player reaches 'live' and its video advances; returns the player's frame.

    Streamlit may replace a tile's iframe while the page settles (first render, then the relay's
    state changing from starting to running), so a detached frame is looked up again.
    """
    from playwright.sync_api import Error as PlaywrightError

    for _attempt in range(3):
        frame = _player_frame(page)
        try:
            first, second = _plays(frame)
        except PlaywrightError as exc:
            if "detached" not in str(exc):
                raise
            continue
        assert second > first + 1.0, f"video did not advance: {first} -> {second}"
        return frame
    raise AssertionError("the player's frame kept being replaced")


def test_live_video_through_the_relay_on_the_wall_and_on_the_briefing_screen(live_stack, chromium_page):
    """One stack for both screens (starting camera, relay and dashboard takes most of a minute)."""
    base, _relay = live_stack
    _sign_in(chromium_page, base + "/?lang=en", "wall.operator")
    chromium_page.get_by_role("link", name="Video wall").click()
    # the wall asks why before any tile plays (issue 15): the first listed reason, then Continue
    question = chromium_page.get_by_text("Why are you looking?")
    question.wait_for(timeout=60_000)
    assert not _has_player(chromium_page)                  # nothing plays before the purpose
    chromium_page.get_by_role("button", name="Continue").click()
    frame = _assert_plays(chromium_page)
    assert chromium_page.get_by_text("Purpose: Patrol monitoring").is_visible()
    assert "/hls/CAM-01/index.m3u8?token=" in frame.evaluate("window.NBS_PLAYER.playlistUrl")
    for text in (chromium_page.content(), frame.content()):
        assert "rtsp://" not in text  # the browser never sees a camera address

    briefing = chromium_page.context.browser.new_page()  # a second screen: its own Streamlit session
    _sign_in(briefing, base + "/?mode=briefing&lang=en", "briefing.screen")
    _assert_plays(briefing)
