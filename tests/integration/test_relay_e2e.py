"""End to end: a real relay process (`python -m relay`), real ffmpeg, real GStreamer RTSP cameras.

Start through the API -> the playlist plays through /hls with the token carried to its segments;
on-demand start and idle stop; limits answer 429; kill -9 and restart resume the same feeds with no
orphan ffmpeg; SIGTERM leaves no ffmpeg; camera credentials never reach responses or the log.
"""
from __future__ import annotations

import re
import subprocess
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from db import feeds as feed_repo
from geo.vocabulary import FeedMode
from tests.support.components import need_ffmpeg, need_rtsp_server
from tests.support.relay_e2e import (
    CAMERA_PASSWORD,
    CAMERA_USER,
    RelayProcess,
    ffmpeg_pids,
    reap,
    seed_cameras,
)

pytestmark = [pytest.mark.media, pytest.mark.slow]
CODES = ["e2e-001", "e2e-002", "e2e-003"]


@pytest.fixture(scope="module")
def cameras():
    need_ffmpeg()
    need_rtsp_server()
    from relay.simulator.control import CameraSpec, Simulator

    specs = [CameraSpec(code, width=640, height=360, bitrate_kbps=600, gop_s=1.0) for code in CODES]
    with Simulator(specs, user=CAMERA_USER, password=CAMERA_PASSWORD) as sim:
        yield sim


@pytest.fixture
def relays(tmp_path):
    started: list[RelayProcess] = []
    yield started
    for relay in started:
        relay.close()
        reap(relay.runtime_dir)
        assert ffmpeg_pids(relay.runtime_dir) == []


def seed(session_factory, cameras, modes: dict[str, FeedMode]) -> None:
    seed_cameras(session_factory, {code: (mode, "copy", cameras.url(code)) for code, mode in modes.items()})


def playlist_when_ready(relay: RelayProcess, code: str, timeout_s: float = 60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = relay.http.get(f"/hls/{code}/index.m3u8", params={"token": relay.token(code)})
        if response.status_code == 200 and "#EXTINF" in response.text:
            return response
        time.sleep(0.3)
    raise AssertionError(f"no playlist for {code} within {timeout_s} s")


def newest_segment(text: str) -> int:
    return max(int(n) for n in re.findall(r"^seg_(\d+)\.ts\?", text, flags=re.MULTILINE))


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        assert CAMERA_PASSWORD not in text
        assert f"{CAMERA_USER}:" not in text


def test_start_via_api_plays_through_hls(session_factory, database_url, cameras, relays, tmp_path):
    seed(session_factory, cameras, {"e2e-001": FeedMode.ON_DEMAND})
    relay = RelayProcess(database_url, tmp_path).start()
    relays.append(relay)
    started = relay.http.post("/api/feeds/e2e-001/start")
    assert started.status_code == 200
    first = playlist_when_ready(relay, "e2e-001")
    uris = [line for line in first.text.splitlines() if line and not line.startswith("#")]
    assert uris and all(parse_qs(urlsplit(u).query)["token"] == [relay.token("e2e-001")] for u in uris)
    segment = relay.http.get(f"/hls/e2e-001/{uris[-1]}")
    assert segment.status_code == 200 and segment.content[:1] == b"\x47"
    seg_file = tmp_path / "segment.ts"
    seg_file.write_bytes(segment.content)
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=codec_name,width", "-of", "csv=p=0", str(seg_file)],
                           check=True, capture_output=True, text=True, timeout=30)
    assert {line for line in probe.stdout.splitlines() if line.strip()} == {"h264,640"}
    time.sleep(3)
    later = relay.http.get("/hls/e2e-001/index.m3u8", params={"token": relay.token("e2e-001")})
    assert newest_segment(later.text) >= newest_segment(first.text) + 2     # the playlist advances
    assert relay.http.get(f"/hls/e2e-001/{uris[-1].split('?')[0]}").status_code == 403
    view = relay.wait_state("e2e-001", "running")
    assert view["codec"] == "h264" and view["node_url"] == relay.url
    metrics = relay.http.get("/metrics").text
    assert 'relay_feeds{state="running"} 1.0' in metrics
    assert re.search(r'relay_ffmpeg_memory_bytes\{camera="e2e-001"\} [1-9]', metrics)
    assert re.search(r'relay_ffmpeg_cpu_seconds_total\{camera="e2e-001"\} \d', metrics)
    assert re.search(r'relay_feed_bytes_in_total\{camera="e2e-001"\} [1-9]', metrics)
    with session_factory() as session:            # observed state written back for the map
        row = feed_repo.get_feed(session, "e2e-001")
    assert (row.state.value, row.codec, row.width, row.node_id) == ("running", "h264", 640, "node-a")
    assert_no_secrets(first.text, later.text, relay.http.get("/api/feeds").text,
                      relay.http.get("/api/feeds/e2e-001").text, relay.http.get("/metrics").text, relay.log())


def test_on_demand_starts_on_first_request_and_stops_when_idle(session_factory, database_url, cameras, relays,
                                                               tmp_path):
    seed(session_factory, cameras, {"e2e-002": FeedMode.ON_DEMAND})
    relay = RelayProcess(database_url, tmp_path, **{"idle-timeout": 3}).start()
    relays.append(relay)
    assert relay.feed("e2e-002")["state"] == "stopped" and ffmpeg_pids(relay.runtime_dir) == []
    playlist_when_ready(relay, "e2e-002")
    assert len(ffmpeg_pids(relay.runtime_dir)) == 1
    view = relay.wait_state("e2e-002", "stopped", timeout_s=15)     # nobody watches: idle stop
    assert view["node_id"] is None
    assert ffmpeg_pids(relay.runtime_dir) == []


def test_limits_answer_429_and_keep_running_feeds(session_factory, database_url, cameras, relays, tmp_path):
    seed(session_factory, cameras, {code: FeedMode.ON_DEMAND for code in CODES})
    relay = RelayProcess(database_url, tmp_path, **{"max-feeds": 2, "idle-timeout": 60}).start()
    relays.append(relay)
    assert relay.http.post("/api/feeds/e2e-001/start").status_code == 200
    assert relay.http.post("/api/feeds/e2e-002/start").status_code == 200
    refused = relay.http.post("/api/feeds/e2e-003/start")
    assert refused.status_code == 429 and "max_feeds=2" in refused.json()["detail"]
    viewer = relay.http.get("/hls/e2e-003/index.m3u8", params={"token": relay.token("e2e-003")})
    assert viewer.status_code == 429
    relay.wait_state("e2e-001", "running")
    relay.wait_state("e2e-002", "running")
    assert len(ffmpeg_pids(relay.runtime_dir)) == 2


def test_restart_resumes_same_feeds_without_orphans(session_factory, database_url, cameras, relays, tmp_path):
    seed(session_factory, cameras, {"e2e-001": FeedMode.ALWAYS_ON, "e2e-002": FeedMode.ALWAYS_ON,
                                    "e2e-003": FeedMode.ON_DEMAND})
    first = RelayProcess(database_url, tmp_path).start()
    relays.append(first)
    first.wait_state("e2e-001", "running")
    first.wait_state("e2e-002", "running")
    first.kill9()                                                  # no chance to clean up
    deadline = time.monotonic() + 3.0   # issue 12: its ffmpeg die with it (PR_SET_PDEATHSIG), not at a restart
    while ffmpeg_pids(first.runtime_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ffmpeg_pids(first.runtime_dir) == [], "ffmpeg outlived the relay that started it"
    second = RelayProcess(database_url, tmp_path, runtime_dir=first.runtime_dir).start()
    relays.append(second)
    second.wait_state("e2e-001", "running")
    second.wait_state("e2e-002", "running")
    assert second.feed("e2e-003")["state"] == "stopped"
    assert len(ffmpeg_pids(second.runtime_dir)) == 2               # the old ones were reaped
    assert second.terminate() in (0, -15)      # uvicorn re-raises SIGTERM after its clean shutdown
    assert "stopping every feed" in second.log()
    assert ffmpeg_pids(second.runtime_dir) == []
    assert_no_secrets(first.log(), second.log())


def test_withdrawn_or_expired_consent_stops_a_live_feed_within_five_seconds(session_factory, database_url, cameras,
                                                                           relays, tmp_path):
    """Issue 15: the relay serves a camera only while the owner's live consent holds; a withdrawal in the
    registry reaches the running relay through its sync (sync-interval 0.5 s here, 2 s by default)."""
    from datetime import date, timedelta

    from sqlalchemy import update

    from db.models import Camera
    from geo.vocabulary import ConsentLevel

    seed(session_factory, cameras, {"e2e-001": FeedMode.ALWAYS_ON, "e2e-002": FeedMode.ALWAYS_ON})
    relay = RelayProcess(database_url, tmp_path, **{"sync-interval": 2.0}).start()   # the relay's default
    relays.append(relay)
    relay.wait_state("e2e-001", "running")
    relay.wait_state("e2e-002", "running")
    delays = {}
    for code, change in (("e2e-001", {"consent": ConsentLevel.ON_REQUEST}),
                         ("e2e-002", {"consent_expires_on": date.today() - timedelta(days=2)})):
        with session_factory.begin() as session:
            session.execute(update(Camera).where(Camera.code == code).values(**change))
        withdrawn = time.monotonic()
        feed = relay.wait_state(code, "stopped", timeout_s=15)
        delays[code] = time.monotonic() - withdrawn
        assert "consent" in (feed["last_error"] or "")
    assert max(delays.values()) < 5.0, delays
    assert ffmpeg_pids(relay.runtime_dir) == []
    refused = relay.http.post("/api/feeds/e2e-001/start")
    assert refused.status_code == 403 and "not 'live'" in refused.json()["detail"]
    viewer = relay.http.get("/hls/e2e-002/index.m3u8", params={"token": relay.token("e2e-002")})
    assert viewer.status_code == 403 and "expired" in viewer.json()["detail"]
    print(f"consent withdrawal to feed stopped: {delays}")


def test_the_running_relay_cuts_off_a_client_whose_headers_never_end(database_url, relays, tmp_path):
    """The real `noblindspot relay` serves with the slow-client deadlines (relay/slow_clients.py)."""
    import socket

    relay = RelayProcess(database_url, tmp_path, extra_env={"NOBLINDSPOT_RELAY__HEADER_TIMEOUT_S": "1"}).start()
    relays.append(relay)
    with socket.create_connection(("127.0.0.1", relay.port), timeout=15) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nhost: relay\r\nx-slow: ")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout")
    assert relay.http.get("/healthz").status_code == 200       # and the relay goes on serving
