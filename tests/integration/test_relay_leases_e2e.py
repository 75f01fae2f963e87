"""Two real relay processes on PostgreSQL share pinned feeds; when one is killed (-9) the other takes
its feeds over within 30 s and serves them. Real ffmpeg, real GStreamer RTSP cameras."""
from __future__ import annotations

import time

import pytest

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

pytestmark = [pytest.mark.media, pytest.mark.slow, pytest.mark.postgres]
CODES = ["nodes-001", "nodes-002", "nodes-003", "nodes-004"]
TAKEOVER_LIMIT_S = 30


@pytest.fixture
def cameras(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: runs in ./test.sh's PostgreSQL pass (NOBLINDSPOT_TEST_DATABASE_URL)")
    need_ffmpeg()
    need_rtsp_server()
    from relay.simulator.control import CameraSpec, Simulator

    specs = [CameraSpec(code, width=640, height=360, bitrate_kbps=500, gop_s=1.0) for code in CODES]
    with Simulator(specs, user=CAMERA_USER, password=CAMERA_PASSWORD) as sim:
        yield sim


def placement(relay: RelayProcess) -> dict[str, tuple[str | None, str]]:
    feeds = relay.http.get("/api/feeds").json()["feeds"]
    return {f["camera_code"]: (f["node_id"], f["state"]) for f in feeds}


def wait_for(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"{what} did not happen within {timeout_s} s")


def test_two_nodes_share_feeds_and_survivor_takes_over(session_factory, database_url, cameras, tmp_path):
    seed_cameras(session_factory, {code: (FeedMode.ALWAYS_ON, "copy", cameras.url(code)) for code in CODES})
    a = RelayProcess(database_url, tmp_path, node_id="node-a")
    b = RelayProcess(database_url, tmp_path, node_id="node-b")
    try:
        a.start()
        b.start()

        def shared():
            seen = placement(b)
            on_a = [c for c, (n, s) in seen.items() if n == "node-a" and s == "running"]
            on_b = [c for c, (n, s) in seen.items() if n == "node-b" and s == "running"]
            return len(on_a) == 2 and len(on_b) == 2

        wait_for(shared, 60, "an even share of 4 feeds over 2 nodes")
        assert len(ffmpeg_pids(a.runtime_dir)) == 2 and len(ffmpeg_pids(b.runtime_dir)) == 2
        view = b.feed("nodes-001")
        assert view["node_url"] == (a.url if view["node_id"] == "node-a" else b.url)

        were_on_a = sorted(c for c, (n, _) in placement(b).items() if n == "node-a")
        a.kill9()
        reap(a.runtime_dir)   # what node-a does at its next start; here it stays down
        killed_at = time.monotonic()
        wait_for(lambda: all(v == ("node-b", "running") for v in placement(b).values()), TAKEOVER_LIMIT_S + 5,
                 "node-b running all feeds")
        took = time.monotonic() - killed_at
        assert took <= TAKEOVER_LIMIT_S, f"takeover took {took:.1f} s"
        assert len(ffmpeg_pids(b.runtime_dir)) == 4
        moved = were_on_a[0]
        playlist = b.http.get(f"/hls/{moved}/index.m3u8", params={"token": b.token(moved)})
        assert playlist.status_code == 200 and "#EXTINF" in playlist.text
        for text in (a.log(), b.log(), b.http.get("/api/feeds").text, playlist.text):
            assert CAMERA_PASSWORD not in text
    finally:
        for relay in (a, b):
            relay.close()
            reap(relay.runtime_dir)
    assert ffmpeg_pids(a.runtime_dir) == [] and ffmpeg_pids(b.runtime_dir) == []
