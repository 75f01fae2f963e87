"""relay/process.py with real processes (no ffmpeg needed: spawn runs any argv): a child dies with the
process that started it, kill -9 included, and a launch whose marker cannot be written leaves nothing
running (issue 12: relay death orphaned ffmpeg; a failed launch leaked it)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from relay.process import (
    ProcessStartError,
    _alive,  # /proc state, zombies count as gone
    spawn,
    stop,
)

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = """
import sys, time
sys.path.insert(0, {repo!r})
from relay.process import spawn
proc = spawn(["sleep", "300"], marker_dir=None)
print(proc.pid, flush=True)
time.sleep(300)
"""


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_dies_when_the_process_that_started_it_is_killed_with_sigkill():
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER.format(repo=str(REPO))], stdout=subprocess.PIPE,
                                text=True)
    try:
        child = int(launcher.stdout.readline())
        assert _alive(child)
        os.kill(launcher.pid, signal.SIGKILL)   # the relay dies without any clean-up of its own
        launcher.wait(timeout=10)
        assert _gone_within(child, 3.0), "the child outlived its parent"
    finally:
        if launcher.poll() is None:
            launcher.kill()


def test_a_child_keeps_running_while_its_parent_lives_and_stops_on_request(tmp_path):
    proc = spawn(["sleep", "300"], marker_dir=tmp_path / "feed")
    try:
        time.sleep(0.3)
        assert proc.alive() and (tmp_path / "feed" / "ffmpeg.pid").exists()
    finally:
        stop(proc, wait_s=2)
    assert not _alive(proc.pid) and not (tmp_path / "feed" / "ffmpeg.pid").exists()


def test_a_launch_whose_marker_cannot_be_written_stops_what_it_started(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the feed directory should be")   # mkdir/write fail like a full disk
    before = {p.name for p in Path("/proc").iterdir() if p.name.isdigit()}
    with pytest.raises(ProcessStartError, match="marker"):
        spawn(["sleep", "300"], marker_dir=blocker / "feed")
    leaked = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name not in before and _alive(int(entry.name)):
            try:
                if (entry / "cmdline").read_bytes().startswith(b"sleep\x00300"):
                    leaked.append(int(entry.name))
            except OSError:
                pass
    assert leaked == []
