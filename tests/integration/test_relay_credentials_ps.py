"""A camera's password is invisible to other local users while its feed plays (issue 15, item 6).

A real relay (`python -m relay`) pulls a password-protected GStreamer RTSP camera; meanwhile a second,
unprivileged user (``nobody``, switched to with setpriv) lists every process's command line with
``ps -eww`` (full width) from before the feed starts (so the probe's ffprobe is seen too) until its playlist has
advanced, and reads every file it can reach in the relay's runtime directory. The relay makes its
directories 0750, which already keeps other users out; this test opens them (0755) so that the files'
own modes are what is tested. The password must appear in none
of them, while the ffmpeg process itself is visible to that user (the check is not vacuous).

Switching user needs root. As root, a failure to switch fails the test (never a skip). Run as an
unprivileged user (the fresh-machine check's `./test.sh -m media` as nbuser), the command lines are
listed by that user itself, which proves the same for them (without hidepid every user reads every
process's argv alike), and the list file's 0600 mode stands in for the read as another user; the
fresh-machine check's own second user covers the runtime directory then.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from geo.vocabulary import FeedMode
from relay.source_list import FEED_LIST
from tests.support.components import need_ffmpeg, need_rtsp_server
from tests.support.relay_e2e import CAMERA_PASSWORD, CAMERA_USER, RelayProcess, ffmpeg_pids, reap, seed_cameras

pytestmark = [pytest.mark.media, pytest.mark.slow]
CODE = "ps-001"
AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
READ_ALL = """
import json, os, sys
secret = sys.stdin.read().encode()       # not in this reader's own argv, which ps would show
found = {"readable": [], "unreadable": [], "leaked": []}
for root, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        path = os.path.join(root, name)
        try:
            data = open(path, "rb").read()
        except OSError:
            found["unreadable"].append(path)
            continue
        found["readable"].append(path)
        if secret in data:
            found["leaked"].append(path)
print(json.dumps(found))
"""


def as_root() -> bool:
    return os.geteuid() == 0


def viewer() -> list[str]:
    """The prefix that runs a command as the other user: nobody when root, else this user itself."""
    return AS_NOBODY if as_root() else []


def as_nobody(argv: list[str], stdin: str = "") -> str:
    done = subprocess.run([*viewer(), *argv], input=stdin, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        pytest.fail(f"cannot run as nobody (setpriv exit {done.returncode}): {done.stderr[-500:]}")
    return done.stdout


# what `ps -eww -o args=` prints, read the way ps reads it (every /proc/<pid>/cmdline), so the check
# needs no procps (a minimal Debian root, as in the fresh-machine check, has none)
PS = ["/usr/bin/python3", "-c",
      "import os\nfor p in os.listdir('/proc'):\n if p.isdigit():\n  try:\n"
      "   a=open('/proc/'+p+'/cmdline','rb').read()\n  except OSError:\n   continue\n"
      "  if a: print(a.rstrip(b'\\0').replace(b'\\0',b' ').decode('utf-8','replace'))"]


class PsWatcher:
    """Every process's command line as nobody (what `ps` shows), over and over, until stopped."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PsWatcher:
        self.seen.update(as_nobody(PS).splitlines())      # fails loudly before the thread
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            done = subprocess.run([*viewer(), *PS], capture_output=True, text=True, timeout=30)
            self.seen.update(done.stdout.splitlines())
            time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


@pytest.fixture(scope="module")
def camera():
    need_ffmpeg()
    need_rtsp_server()
    from relay.simulator.control import CameraSpec, Simulator

    with Simulator([CameraSpec(CODE, width=640, height=360, bitrate_kbps=600, gop_s=1.0)],
                   user=CAMERA_USER, password=CAMERA_PASSWORD) as sim:
        yield sim


@pytest.fixture
def open_runtime_dir():
    """A runtime directory other users may enter and list (the default one under the 0700 data dir
    would hide everything, proving nothing about the files' own modes)."""
    path = Path(tempfile.mkdtemp(prefix="nbs-ps-"))
    path.chmod(0o755)
    yield path / "runtime"
    subprocess.run(["rm", "-rf", str(path)], check=False)


def test_another_local_user_sees_no_camera_password_in_ps_or_the_runtime_dir(
        session_factory, database_url, camera, open_runtime_dir, tmp_path):
    seed_cameras(session_factory, {CODE: (FeedMode.ON_DEMAND, "copy", camera.url(CODE))})
    assert CAMERA_PASSWORD in camera.url(CODE)
    relay = RelayProcess(database_url, tmp_path, runtime_dir=open_runtime_dir).start()
    try:
        with PsWatcher() as ps:
            assert relay.http.post(f"/api/feeds/{CODE}/start").status_code == 200
            relay.wait_state(CODE, "running")
            first = relay.feed(CODE)["restarts"]
            time.sleep(3)                                   # the playlist keeps advancing meanwhile
            listed = open_runtime_dir / CODE / FEED_LIST
            for folder in (open_runtime_dir, listed.parent):     # the relay's umask makes them 0750
                folder.chmod(0o755)
            assert listed.exists() and (listed.stat().st_mode & 0o777) == 0o600
            files = (json.loads(as_nobody(["/usr/bin/python3", "-c", READ_ALL, str(open_runtime_dir)],
                                          stdin=CAMERA_PASSWORD)) if as_root() else None)
        assert relay.feed(CODE)["restarts"] == first
        ffmpeg_lines = [line for line in ps.seen if FEED_LIST in line and "ffmpeg" in line]
        assert ffmpeg_lines, "nobody should see the feed's ffmpeg (with the list's path, not the URL)"
        assert any("ffprobe" in line and ".ffconcat" in line for line in ps.seen), "the probe was not seen"
        assert [line for line in ps.seen if CAMERA_PASSWORD in line] == []
        assert [line for line in ps.seen if f"{CAMERA_USER}:" in line] == []
        if files is not None:
            assert files["leaked"] == []
            assert str(listed) in files["unreadable"]
            assert any(p.endswith(".ts") or p.endswith(".m3u8") for p in files["readable"] + files["unreadable"])
        assert relay.http.post(f"/api/feeds/{CODE}/stop").status_code == 200
        relay.wait_state(CODE, "stopped")
        assert not listed.exists()
        assert list(open_runtime_dir.glob("**/*.ffconcat")) == []
    finally:
        relay.close()
        reap(relay.runtime_dir)
    assert ffmpeg_pids(relay.runtime_dir) == []
