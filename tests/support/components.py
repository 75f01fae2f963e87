"""Required external components: skipped on a developer's machine, a failure in CI.

CI sets NOBLINDSPOT_REQUIRE_COMPONENTS=1 (as does `CI=true`), so a missing ffmpeg, RTSP server,
PostgreSQL or Chromium can never pass silently as a skip.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache

import pytest


def required() -> bool:
    return os.environ.get("NOBLINDSPOT_REQUIRE_COMPONENTS") == "1" or os.environ.get("CI") == "true"


def need(component: str, available: bool, how: str) -> None:
    if available:
        return
    message = f"{component} is not available: {how}"
    if required():
        pytest.fail(message + " (required in CI)", pytrace=False)
    pytest.skip(message)


@cache
def has_ffmpeg() -> bool:
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


@cache
def has_gst_rtsp_server() -> bool:
    probe = "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"
    try:
        return subprocess.run(["/usr/bin/python3", "-c", probe], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@cache
def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


def need_ffmpeg() -> None:
    need("ffmpeg", has_ffmpeg(), "install Debian's ffmpeg (./test.sh does this as root)")


def need_rtsp_server() -> None:
    need("GStreamer RTSP server", has_gst_rtsp_server(),
         "install python3-gi gir1.2-gst-rtsp-server-1.0 and the gstreamer1.0 plugins")


def need_chromium() -> str:
    path = chromium_path()
    need("Chromium", path is not None, "install Debian's chromium")
    return path
