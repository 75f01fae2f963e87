"""The real simulator on a GStreamer without an element it needs: it names the element and the package.

GStreamer is pointed at a plugin directory holding every installed plugin but one (the pango
plugin, which brings clockoverlay and timeoverlay: Debian's gstreamer1.0-x, the package a fresh
machine lacked), with a private registry cache, so the check runs against a real installation.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from relay.simulator.control import CameraSpec, Simulator, SimulatorMissingComponent
from tests.support.components import need_rtsp_server

pytestmark = pytest.mark.media
PLUGIN_DIRS = [Path("/usr/lib/x86_64-linux-gnu/gstreamer-1.0"), Path("/usr/lib/aarch64-linux-gnu/gstreamer-1.0")]


def _gstreamer_without(plugin: str, tmp_path: Path, monkeypatch) -> None:
    source = next((d for d in PLUGIN_DIRS if (d / plugin).exists()), None)
    if source is None:
        pytest.fail(f"{plugin} is not installed; scripts/bootstrap.sh must install gstreamer1.0-x")
    partial = tmp_path / "plugins"
    partial.mkdir()
    for library in source.glob("libgst*.so"):
        if library.name != plugin:
            (partial / library.name).symlink_to(library)
    monkeypatch.setenv("GST_PLUGIN_SYSTEM_PATH_1_0", str(partial))
    monkeypatch.setenv("GST_PLUGIN_PATH_1_0", "")
    monkeypatch.setenv("GST_REGISTRY_1_0", str(tmp_path / "registry.bin"))


def test_a_missing_overlay_element_names_it_and_its_debian_package(tmp_path, monkeypatch):
    need_rtsp_server()
    _gstreamer_without("libgstpango.so", tmp_path, monkeypatch)
    sim = Simulator([CameraSpec("cam-001")], port=0)
    with pytest.raises(SimulatorMissingComponent) as caught:
        sim.start(timeout_s=60)
    assert caught.value.missing == {"clockoverlay": "gstreamer1.0-x", "timeoverlay": "gstreamer1.0-x"}
    assert caught.value.packages == ["gstreamer1.0-x"]
    assert "apt-get install gstreamer1.0-x" in str(caught.value)
    assert sim.pid is None                                   # nothing left running


def test_the_simulate_command_exits_3_with_the_package_to_install(tmp_path, monkeypatch):
    need_rtsp_server()
    _gstreamer_without("libgstx265.so", tmp_path, monkeypatch)
    noblindspot = Path(__file__).resolve().parents[2] / ".venv/bin/noblindspot"
    result = subprocess.run([str(noblindspot), "simulate", "--cameras", "3", "--port", "0"], capture_output=True,
                            text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == 3
    assert "x265enc" in result.stderr and "apt-get install gstreamer1.0-plugins-bad" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_element_the_cameras_use_has_its_debian_package_listed():
    need_rtsp_server()
    script = Path(__file__).resolve().parents[2] / "relay/simulator/gst_server.py"
    probe = ("import sys, itertools; sys.path.insert(0, sys.argv[1]); import gst_server as g\n"
             "cams = [dict(code='c', codec=c, audio=a, gop_s=1, width=640, height=360, fps=25, bitrate_kbps=500)\n"
             "        for c, a in itertools.product(('h264', 'h265'), (None, 'pcma', 'aac'))]\n"
             "print(' '.join(sorted(g.required_elements(cams) - set(g.ELEMENT_PACKAGES))) or 'none')")
    result = subprocess.run(["/usr/bin/python3", "-c", probe, str(script.parent)], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "none"
