"""The demo's connected cameras play from the real GStreamer camera simulator, credentials and all."""
from __future__ import annotations

import socket
import subprocess
from datetime import UTC, datetime

import pytest

from geo.demo import generate_demo
from relay.simulator.cli import cameras_from_urls
from relay.simulator.control import Simulator
from tests.support.components import need_ffmpeg, need_rtsp_server

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _probe(url: str) -> subprocess.CompletedProcess:
    argv = ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_type",
            "-of", "csv=p=0", url]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


@pytest.mark.media
def test_connected_demo_cameras_stream_from_the_simulator():
    need_ffmpeg()
    need_rtsp_server()
    port = _free_port()
    demo = generate_demo(seed=4, cameras=200, now=NOW, stream_port=port)
    urls = demo.cameras["stream_url"].dropna().tolist()
    specs, user, password, chosen_port = cameras_from_urls(urls, "127.0.0.1", port, 360)
    assert len(specs) == 120 and user == "demo" and password and chosen_port == port
    first = sorted(urls)[0]
    with Simulator(specs[:2], user=user, password=password, port=port):
        played = _probe(first)
        assert played.returncode == 0 and "video" in played.stdout.split()
        refused = _probe(first.replace(f":{password}@", ":wrong-password@"))
        assert refused.returncode != 0
