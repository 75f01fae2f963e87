"""Which simulated cameras `noblindspot simulate` serves (no GStreamer needed here)."""
from __future__ import annotations

import click
import pytest

from relay.simulator.cli import cameras_from_urls
from relay.simulator.control import CameraSpec, SimulatorError, demo_specs


def test_registry_urls_on_this_host_become_cameras_with_their_credentials():
    urls = [f"rtsp://demo:s%40cret@127.0.0.1:8554/JB-{i:06d}" for i in range(1, 13)]
    urls.append("rtsp://admin:x@10.20.30.40:554/elsewhere")          # a real camera: not simulated
    specs, user, password, port = cameras_from_urls(urls, "127.0.0.1", 9999, 720)
    assert [s.code for s in specs] == [f"JB-{i:06d}" for i in range(1, 13)]
    assert (user, password, port) == ("demo", "s@cret", 8554)
    assert {s.codec for s in specs} == {"h264", "h265"} and {s.audio for s in specs} == {None, "pcma"}
    assert all((s.width, s.height) == (1280, 720) for s in specs)


def test_mixed_credentials_or_no_local_camera_is_a_clear_error():
    with pytest.raises(click.ClickException, match="different credentials"):
        cameras_from_urls(["rtsp://a:1@127.0.0.1:8554/x", "rtsp://b:2@127.0.0.1:8554/y"], "127.0.0.1", 8554, 720)
    with pytest.raises(click.ClickException, match="noblindspot demo"):
        cameras_from_urls(["rtsp://a:1@10.0.0.1/x"], "127.0.0.1", 8554, 720)


def test_demo_mix_and_spec_validation():
    specs = demo_specs(8)
    assert [s.code for s in specs[:2]] == ["sim-001", "sim-002"]
    assert {(s.codec, s.audio, s.gop_s) for s in specs} == {
        ("h264", None, 1.0), ("h264", "pcma", 1.0), ("h265", None, 1.0), ("h264", "aac", 4.0)}
    with pytest.raises(SimulatorError, match="codec"):
        CameraSpec("x", codec="vp9")
