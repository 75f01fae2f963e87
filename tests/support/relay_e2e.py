"""Helpers for end-to-end relay tests: a real `python -m relay` process, ffmpeg counting (no tests here)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from db.models import Camera, Feed
from geo.vocabulary import Connection, ConsentLevel, FeedState
from relay.tokens import mint_token
from tests.support.relay_api import free_port

OPERATOR = "e2e-operator-token-0123456789-abcdefghij"
HLS_SECRET = "e2e-hls-secret-0123456789abcdef-klmnopqrst"
CAMERA_USER, CAMERA_PASSWORD = "admin", "Cam-Pa55-e2e"
REPO = Path(__file__).resolve().parents[2]


def seed_cameras(session_factory, feeds: dict[str, tuple]) -> None:
    """feeds: code -> (mode, profile, stream_url)."""
    with session_factory.begin() as session:
        for code, (mode, profile, url) in feeds.items():
            camera = Camera(code=code, name=f"Kamera {code}", lon=106.8, lat=-6.17, stream_url=url,
                            connection=Connection.CONNECTED, consent=ConsentLevel.LIVE)
            session.add(camera)
            session.flush()
            session.add(Feed(camera_id=camera.id, mode=mode, profile=profile, audio="drop",
                             state=FeedState.STOPPED, restarts=0))


def ffmpeg_pids(runtime_dir: Path) -> list[int]:
    """Live ffmpeg processes whose argv writes under runtime_dir."""
    prefix = str(Path(runtime_dir).resolve()) + os.sep
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = Path(f"/proc/{entry.name}/cmdline").read_bytes().split(b"\0")
            state = Path(f"/proc/{entry.name}/stat").read_text().split(") ")[-1][:1]
        except OSError:
            continue
        if state == "Z" or not args or not Path(args[0].decode(errors="replace")).name.startswith("ffmpeg"):
            continue
        if any(a.decode(errors="replace").startswith(prefix) for a in args):
            found.append(int(entry.name))
    return found


class RelayProcess:
    """`python -m relay` on a free port, its log in a file the tests grep for secrets."""

    def __init__(self, database_url: str, tmp: Path, node_id: str = "node-a", runtime_dir: Path | None = None,
                 extra_env: dict[str, str] | None = None, **options) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.node_id = node_id
        self.runtime_dir = runtime_dir or tmp / f"rt-{node_id}"
        self.log_path = tmp / f"relay-{node_id}-{self.port}.log"
        self.database_url = database_url
        self.tmp = tmp
        self.extra_env = extra_env or {}
        self.options = {"idle-timeout": 60, "sync-interval": 0.5, "max-feeds": 10, "max-transcodes": 2, **options}
        self.proc: subprocess.Popen | None = None
        self._tokens: dict[tuple[str, str], str] = {}
        self.http = httpx.Client(base_url=self.url, timeout=15,
                                 headers={"Authorization": f"Bearer {OPERATOR}"})

    def start(self, timeout_s: float = 120) -> RelayProcess:
        argv = [sys.executable, "-m", "relay", "--port", str(self.port), "--node-id", self.node_id,
                "--public-url", self.url, "--runtime-dir", str(self.runtime_dir)]
        for name, value in self.options.items():
            argv += [f"--{name}", str(value)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOBLINDSPOT_")}
        env.update(NOBLINDSPOT_DATABASE_URL=self.database_url, NOBLINDSPOT_DATA_DIR=str(self.tmp / "data"),
                   NOBLINDSPOT_RELAY_OPERATOR_TOKEN=OPERATOR, NOBLINDSPOT_RELAY_HLS_SECRET=HLS_SECRET,
                   PYTHONUNBUFFERED="1")
        env.update(self.extra_env)
        with open(self.log_path, "ab") as log_file:   # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"relay exited with {self.proc.returncode}: {self.log()[-2000:]}")
            try:
                if self.http.get("/healthz").status_code in (200, 503):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"relay did not answer within {timeout_s} s: {self.log()[-2000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def terminate(self, timeout_s: float = 60) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout_s)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.http.close()

    def feed(self, code: str) -> dict:
        return self.http.get(f"/api/feeds/{code}").json()

    def token(self, code: str, user: str = "e2e-user") -> str:
        """One token per camera and user for the life of this relay, like a player that keeps it."""
        key = (code, user)
        if key not in self._tokens:
            self._tokens[key] = mint_token(HLS_SECRET, code, user, ttl=600)
        return self._tokens[key]

    def wait_state(self, code: str, state: str, timeout_s: float = 60) -> dict:
        deadline = time.monotonic() + timeout_s
        view = {}
        while time.monotonic() < deadline:
            view = self.feed(code)
            if view.get("state") == state:
                return view
            time.sleep(0.25)
        raise AssertionError(f"{code} not {state} within {timeout_s} s: {view}")


def reap(runtime_dir: Path) -> None:
    from relay.process import reap_orphans

    reap_orphans(runtime_dir)
