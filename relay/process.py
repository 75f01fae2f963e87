"""Run ffmpeg: argv list (never a shell), own process group, stop = TERM, wait, KILL.

Each process keeps a bounded, redacted stderr tail, read by one small daemon thread (health comes
from the playlist, not from ffmpeg's own reports, so stdout is discarded).

No orphans: on Linux every child asks the kernel to SIGKILL it when the thread that started it ends
(``prctl(PR_SET_PDEATHSIG)``), which happens when the relay dies, ``kill -9`` included; the spawning
thread is the feed's supervisor thread, which stops ffmpeg itself before it ends. A launch whose marker
cannot be written (a full runtime disk) stops the process it just started before it reports the error.
The marker file next to the feed's output still names the process, so `reap_orphans()` at relay start
can kill ffmpeg left behind where the death signal does not exist, after checking /proc/<pid>/cmdline
and the start time, so an unrelated process that reused the PID is never touched.
"""
from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from relay.redact import redact

log = logging.getLogger(__name__)

MARKER_NAME = "ffmpeg.pid"
STOP_WAIT_S = 5.0
# ffmpeg's playlists and segments (camera pictures) are 0640, whatever umask started the relay;
# its HLS muxer writes each as a temp file then renames it, which keeps that mode
CHILD_UMASK = 0o027


class ProcessStartError(OSError):
    """ffmpeg could not be launched (missing binary, permissions, no room for its marker)."""


PR_SET_PDEATHSIG = 1


def _death_signal_setter():
    """A pre-exec hook making the child die with its parent (Linux); None elsewhere.

    libc's prctl is looked up here, in the parent, so the hook that runs between fork and exec only
    makes two system calls and touches no Python lock."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def die_with_parent() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:   # the parent died before prctl took effect
            os._exit(1)

    return die_with_parent


@dataclass
class FeedProcess:
    popen: subprocess.Popen
    marker: Path | None
    secrets: tuple[str, ...]
    stderr_tail: deque = field(default_factory=lambda: deque(maxlen=100))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def returncode(self) -> int | None:
        return self.popen.poll()

    def tail(self) -> list[str]:
        with self._lock:
            return list(self.stderr_tail)


def spawn(argv: Sequence[str], marker_dir: Path | None = None, secrets: Iterable[str] = (),
          tail_lines: int = 100) -> FeedProcess:
    """Start argv in a new session (its own process group) with stdin closed and umask CHILD_UMASK."""
    try:
        popen = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, start_new_session=True, close_fds=True,
                                 umask=CHILD_UMASK, preexec_fn=_death_signal_setter())
    except OSError as exc:
        raise ProcessStartError(f"cannot start {Path(argv[0]).name}: {exc.strerror}") from None
    try:
        marker = _write_marker(marker_dir, popen.pid) if marker_dir is not None else None
    except OSError as exc:
        _signal_group(popen.pid, signal.SIGKILL)   # never leave running what this launch started
        popen.wait()
        if popen.stderr is not None:
            popen.stderr.close()
        raise ProcessStartError(f"cannot write the feed's marker file ({exc.strerror}); is the runtime disk "
                                "full?") from None
    proc = FeedProcess(popen=popen, marker=marker, secrets=tuple(s for s in secrets if s),
                       stderr_tail=deque(maxlen=tail_lines))
    threading.Thread(target=_read_stderr, args=(proc,), daemon=True, name=f"stderr-{popen.pid}").start()
    return proc


def stop(proc: FeedProcess, wait_s: float = STOP_WAIT_S) -> int | None:
    """TERM the process group, wait up to wait_s, then KILL it; returns the exit code."""
    if proc.alive():
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.popen.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
    try:
        code = proc.popen.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        code = None
    # no signal after the wait: the PID is reaped and could already belong to someone else
    if proc.marker is not None:
        proc.marker.unlink(missing_ok=True)
    return code


def reap_orphans(runtime_dir: Path) -> list[int]:
    """Kill ffmpeg processes left by a previous relay that wrote into runtime_dir; return their PIDs."""
    runtime_dir = Path(runtime_dir).resolve()
    if not runtime_dir.is_dir():
        return []
    victims = set(_marked_orphans(runtime_dir)) | set(_scan_orphans(runtime_dir))
    victims.discard(os.getpid())
    for pid in victims:
        _signal_group_or_pid(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_S
    while victims and time.monotonic() < deadline and any(_alive(p) for p in victims):
        time.sleep(0.05)
    for pid in victims:
        if _alive(pid):
            _signal_group_or_pid(pid, signal.SIGKILL)
    for marker in runtime_dir.glob(f"*/{MARKER_NAME}"):
        marker.unlink(missing_ok=True)
    if victims:
        log.warning("reaped %d orphan ffmpeg process(es) under %s", len(victims), runtime_dir)
    return sorted(victims)


# ---- markers and /proc ---------------------------------------------------------------------

def _write_marker(marker_dir: Path, pid: int) -> Path:
    marker = Path(marker_dir) / MARKER_NAME
    marker.parent.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": pid, "start": _start_ticks(pid), "dir": str(Path(marker_dir).resolve())}))
    tmp.replace(marker)
    return marker


def _marked_orphans(runtime_dir: Path) -> list[int]:
    found = []
    for marker in runtime_dir.glob(f"*/{MARKER_NAME}"):
        try:
            data = json.loads(marker.read_text())
            pid, start, feed_dir = int(data["pid"]), data.get("start"), str(data["dir"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if _alive(pid) and _start_ticks(pid) == start and feed_dir in _cmdline(pid):
            found.append(pid)
    return found


def _scan_orphans(runtime_dir: Path) -> list[int]:
    """ffmpeg processes whose argv writes under runtime_dir (covers a relay killed before its marker)."""
    prefix = str(runtime_dir) + os.sep
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        args = _cmdline_args(int(entry.name))
        if args and Path(args[0]).name.startswith("ffmpeg") and any(a.startswith(prefix) for a in args):
            found.append(int(entry.name))
    return found


def _cmdline_args(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]


def _cmdline(pid: int) -> str:
    return " ".join(_cmdline_args(pid))


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name may contain spaces or parentheses: fields start after the last ")"
    fields = stat[stat.rfind(")") + 2:].split()
    return int(fields[19]) if len(fields) > 19 else None


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:][:1] != "Z"


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)      # spawn() made pid the leader of its own group
    except (ProcessLookupError, PermissionError):
        pass


def _signal_group_or_pid(pid: int, sig: int) -> None:
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# ---- reader threads ---------------------------------------------------------------------------

def _read_stderr(proc: FeedProcess) -> None:
    stream = proc.popen.stderr
    if stream is None:              # spawn() always pipes stderr; a fake may not
        return
    for raw in iter(stream.readline, b""):
        line = redact(raw.decode("utf-8", "replace").rstrip(), proc.secrets)
        if line:
            with proc._lock:
                proc.stderr_tail.append(line[:500])
    stream.close()
