"""A probe that runs beside an already started ffmpeg and hands its answer over later."""
from __future__ import annotations

import threading
from collections.abc import Callable

from relay.errors import SourceUnreachable, UnsupportedSource
from relay.probe import SourceInfo

# Probes that run beside an already started ffmpeg queue here, so a mass start (a relay resuming
# 120 feeds) does not double the RTSP handshakes the cameras and the host must answer at once.
BESIDE_PROBE_SLOTS = threading.BoundedSemaphore(4)
# ... and they wait a moment first, so they do not compete with ffmpeg's own RTSP handshake.
BESIDE_PROBE_DELAY_S = 1.0


class ProbeBeside:
    """Run `probe()` in a helper thread (or inline when not threaded); `take()` returns the answer
    (SourceInfo, or the SourceUnreachable/UnsupportedSource it raised) once, else None."""

    def __init__(self, on_done: Callable[[], None]) -> None:
        self._on_done = on_done
        self._lock = threading.Lock()
        self._result: SourceInfo | Exception | None = None

    def start(self, probe: Callable[[], SourceInfo], threaded: bool, name: str,
              cancel: threading.Event | None = None) -> None:
        if threaded:
            threading.Thread(target=self._run, args=(probe, cancel), daemon=True, name=name).start()
        else:
            self._run(probe, None)

    def take(self) -> SourceInfo | Exception | None:
        with self._lock:
            result, self._result = self._result, None
        return result

    def _run(self, probe: Callable[[], SourceInfo], cancel: threading.Event | None) -> None:
        if cancel is not None:
            cancel.wait(BESIDE_PROBE_DELAY_S)
        try:
            with BESIDE_PROBE_SLOTS:
                result: SourceInfo | Exception = probe()
        except (SourceUnreachable, UnsupportedSource) as exc:
            result = exc
        with self._lock:
            self._result = result
        self._on_done()


class StallCensus:
    """Counts stall kills across all feeds of this relay process.

    When many feeds stall within a few seconds of each other, the cause is upstream of them (the
    host, the network, a shared NVR), not each camera: killing and reconnecting them all at once
    would only add load. While the census says "host-wide", supervisors wait longer (OVERLOAD
    factor) before they kill a quiet ffmpeg."""

    def __init__(self, threshold: int = 5, horizon_s: float = 15.0) -> None:
        self.threshold, self.horizon_s = threshold, horizon_s
        self._lock = threading.Lock()
        self._kills: list[float] = []

    def record(self, now: float) -> None:
        with self._lock:
            self._kills = [t for t in self._kills if now - t < self.horizon_s] + [now]

    def host_wide(self, now: float) -> bool:
        with self._lock:
            return sum(1 for t in self._kills if now - t < self.horizon_s) >= self.threshold


DEFAULT_CENSUS = StallCensus()
