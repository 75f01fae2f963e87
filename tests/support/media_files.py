"""Small real video files for evidence tests, made by ffmpeg (a 2 s test pattern)."""
from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.components import need_ffmpeg


def make_video(path: Path, creation_time: str | None = "2026-11-21T15:10:00Z", seconds: int = 2) -> Path:
    """An H.264 MP4 of ``seconds`` at 320x240, tagged with ``creation_time`` (ISO 8601) when given."""
    need_ffmpeg()
    argv = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", f"testsrc=duration={seconds}:size=320x240:rate=10", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p"]
    if creation_time:
        argv += ["-metadata", f"creation_time={creation_time}"]
    subprocess.run([*argv, str(path)], check=True, capture_output=True, timeout=60)
    return path


def make_audio_only(path: Path) -> Path:
    """A readable media file with no video stream (a 1 s tone, WAV)."""
    need_ffmpeg()
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=1", str(path)], check=True, capture_output=True, timeout=60)
    return path
