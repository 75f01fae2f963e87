"""Identify a handed-over file with ffprobe: argv only, its own process group, a hard timeout."""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from geo.media_info import MediaInfo, NotMedia, RefusalReason, ffprobe_argv, parse_ffprobe

PROBE_TIMEOUT_S = 60
STDERR_TAIL = 300


def ffprobe_file(path: Path, ffprobe: str = "ffprobe", timeout_s: float = PROBE_TIMEOUT_S) -> MediaInfo:
    """What the file is; NotMedia when ffprobe cannot read it or finds no video. A missing ffprobe is
    an OSError (the install is broken), not a refusal of the owner's file."""
    proc = subprocess.Popen(ffprobe_argv(ffprobe, str(path)), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise NotMedia(RefusalReason.NOT_MEDIA, f"ffprobe did not finish within {timeout_s:.0f} s") from None
    if proc.returncode != 0:
        lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
        tail = lines[-1][:STDERR_TAIL] if lines else "ffprobe failed without a message"
        raise NotMedia(RefusalReason.NOT_MEDIA, f"ffprobe cannot read the file: {tail}")
    return parse_ffprobe(stdout)


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=2)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.communicate()
