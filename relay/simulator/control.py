"""Start and steer the simulated cameras from Python (tests, benchmarks, `noblindspot simulate`).

The GStreamer server runs as a child process under the system interpreter (which has python3-gi);
this helper writes its configuration to a private temporary file, waits until the RTSP port
answers, and sends control commands over the child's stdin.

    with Simulator([CameraSpec("cam-001"), CameraSpec("cam-002", codec="h265")]) as sim:
        url = sim.url("cam-001")
        sim.stop_camera("cam-001"); sim.start_camera("cam-001")
"""
from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Self
from urllib.parse import quote

SYSTEM_PYTHON = "/usr/bin/python3"
SERVER_SCRIPT = Path(__file__).with_name("gst_server.py")
CODECS = ("h264", "h265")
AUDIO = (None, "pcma", "aac")
EXITED = "simulator exited"


class SimulatorError(RuntimeError):
    """The simulated cameras could not start or did not answer a command."""


class SimulatorMissingComponent(SimulatorError):
    """GStreamer (or its Python binding) lacks an element the cameras need; `packages` bring them."""

    def __init__(self, message: str, missing: dict[str, str], packages: list[str]) -> None:
        super().__init__(message)
        self.missing = missing
        self.packages = packages


@dataclass(frozen=True)
class CameraSpec:
    code: str
    codec: str = "h264"
    audio: str | None = None
    gop_s: float = 1.0
    width: int = 1280
    height: int = 720
    fps: int = 25
    bitrate_kbps: int = 2000

    def __post_init__(self) -> None:
        if self.codec not in CODECS:
            raise SimulatorError(f"camera {self.code}: codec must be one of {CODECS}")
        if self.audio not in AUDIO:
            raise SimulatorError(f"camera {self.code}: audio must be one of {AUDIO}")


def demo_specs(count: int, prefix: str = "sim", height: int = 720) -> list[CameraSpec]:
    """A mix like a real programme: mostly H.264, some H.265, some with G.711 or AAC audio."""
    mix = [("h264", None, 1.0), ("h264", "pcma", 1.0), ("h265", None, 1.0), ("h264", "aac", 4.0)]
    width = height * 16 // 9
    return [CameraSpec(f"{prefix}-{i + 1:03d}", codec=mix[i % 4][0], audio=mix[i % 4][1], gop_s=mix[i % 4][2],
                       width=width, height=height) for i in range(count)]


class Simulator:
    def __init__(self, cameras: list[CameraSpec], user: str | None = None, password: str | None = None,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        if not cameras:
            raise SimulatorError("give at least one camera")
        self.cameras = {c.code: c for c in cameras}
        self.user, self.password, self.host = user, password, host
        self._wanted_port = port
        self.port: int | None = None
        self._proc: subprocess.Popen | None = None
        self._replies: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._config_path: Path | None = None

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self, timeout_s: float = 30.0) -> Self:
        if not Path(SYSTEM_PYTHON).exists():
            raise SimulatorMissingComponent(f"{SYSTEM_PYTHON} is missing; install the Debian packages python3-gi "
                                            "and gir1.2-gst-rtsp-server-1.0", {"python3": "python3-gi"},
                                            ["python3-gi", "gir1.2-gst-rtsp-server-1.0"])
        self._config_path = self._write_config()
        self._proc = subprocess.Popen([SYSTEM_PYTHON, str(SERVER_SCRIPT), str(self._config_path)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, bufsize=1, start_new_session=True)
        threading.Thread(target=self._read_replies, daemon=True, name="simulator-replies").start()
        ready = self._next_reply(timeout_s)
        if ready.get("event") == "missing":
            self.close()
            raise SimulatorMissingComponent(ready["error"], ready.get("missing", {}), ready.get("packages", []))
        if not ready.get("ok") or ready.get("event") != "ready":
            detail = ready.get("error", ready)
            if detail == EXITED:
                detail = f"{EXITED}: {self._stderr_tail()}"
            self.close()
            raise SimulatorError(f"simulator did not start: {detail}")
        self.port = int(ready["port"])
        self._wait_rtsp(timeout_s)
        return self

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()      # the server quits when its stdin closes
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait(timeout=5)
        if self._config_path is not None:
            self._config_path.unlink(missing_ok=True)
            self._config_path = None

    def __enter__(self) -> Self:
        return self.start() if self._proc is None else self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # ---- cameras ----------------------------------------------------------------------------
    def url(self, code: str, credentials: bool = True, password: str | None = None) -> str:
        if code not in self.cameras and code != "missing":
            raise SimulatorError(f"no simulated camera '{code}'")
        auth = ""
        if credentials and self.user:
            secret = self.password if password is None else password
            auth = f"{quote(self.user, safe='')}:{quote(secret or '', safe='')}@"
        return f"rtsp://{auth}{self.host}:{self.port}/{code}"

    def stop_camera(self, code: str) -> dict:
        """The camera goes away (reboot): new connections get 404 and current viewers are dropped."""
        return self._request({"cmd": "stop", "code": code})

    def start_camera(self, code: str) -> dict:
        return self._request({"cmd": "start", "code": code})

    def flash(self, code: str, on: bool = True) -> float:
        """Turn the picture of `code`'s encoder white (or back); returns the wall time it happened."""
        return float(self._request({"cmd": "flash", "code": code, "on": on})["at"])

    def listing(self) -> dict:
        return self._request({"cmd": "list"})

    # ---- plumbing ---------------------------------------------------------------------------
    def _write_config(self) -> Path:
        config = {"host": self.host, "port": self._wanted_port, "user": self.user, "password": self.password,
                  "cameras": [asdict(c) for c in self.cameras.values()]}
        fd, name = tempfile.mkstemp(prefix="nbs-sim-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:     # mkstemp makes it 0600
            json.dump(config, handle)
        return Path(name)

    def _request(self, message: dict, timeout_s: float = 10.0) -> dict:
        if self._proc is None or self._proc.poll() is not None:
            raise SimulatorError("simulator is not running")
        stdin = self._proc.stdin
        if stdin is None:
            raise SimulatorError("simulator has no command pipe")
        with self._lock:
            stdin.write(json.dumps(message) + "\n")
            stdin.flush()
            reply = self._next_reply(timeout_s)
        if not reply.get("ok"):
            raise SimulatorError(reply.get("error", "command failed"))
        return reply

    def _next_reply(self, timeout_s: float) -> dict:
        try:
            return self._replies.get(timeout=timeout_s)
        except queue.Empty:
            err = self._stderr_tail() if self._proc is not None and self._proc.poll() is not None else ""
            raise SimulatorError(f"simulator did not answer within {timeout_s:g} s {err}".strip()) from None

    def _read_replies(self) -> None:
        proc = self._proc
        for line in (proc.stdout if proc is not None and proc.stdout is not None else ()):
            try:
                self._replies.put(json.loads(line))
            except json.JSONDecodeError:
                continue
        self._replies.put({"ok": False, "error": EXITED})

    def _stderr_tail(self, limit: int = 500) -> str:
        """The end of a dead server's stderr (GStreamer warnings, a Python error), stripped."""
        proc = self._proc
        if proc is None or proc.stderr is None:
            return ""
        try:
            proc.wait(timeout=2)
            return (proc.stderr.read() or "")[-limit:].strip()
        except (OSError, ValueError, subprocess.TimeoutExpired):
            return ""

    def _wait_rtsp(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.port is not None and rtsp_answers(self.host, self.port):
                return
            time.sleep(0.1)
        raise SimulatorError(f"RTSP server on port {self.port} did not answer within {timeout_s:g} s")


def rtsp_answers(host: str, port: int, timeout_s: float = 1.0) -> bool:
    """True when an RTSP server answers OPTIONS on host:port."""
    request = f"OPTIONS rtsp://{host}:{port}/ RTSP/1.0\r\nCSeq: 1\r\n\r\n".encode("ascii")
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as conn:
            conn.sendall(request)
            return conn.recv(64).startswith(b"RTSP/1.0")
    except OSError:
        return False
