"""One FeedSupervisor per feed: probe, launch ffmpeg, watch progress, restart with backoff.

CONTRACT (implementation follows in the next commit; the signature below is fixed):

    sup = FeedSupervisor(camera_code, source_url, profile, config, clock=time.monotonic, on_change=cb)
    sup.start()      # wanted = True; returns at once, work happens on the supervisor's own thread
    sup.stop()       # wanted = False; ffmpeg stopped (TERM, wait, KILL), runtime dir cleaned; state stopped
    sup.restart()    # kill ffmpeg now and start again without backoff (restarts += 1)
    sup.status()     # -> relay.schemas.FeedStatus snapshot (thread-safe, cheap, redacted)
    sup.close()      # stop() and end the thread; the object is finished afterwards

Threading: each supervisor runs ONE daemon thread (plain threading, no asyncio), created lazily by
start() and ended by close(); a slow or failing camera only ever blocks its own thread.
on_change(FeedStatus) is called from that thread on every state change; keep it short and never
raise from it (exceptions are logged and ignored).
"""
from __future__ import annotations

import time
from collections.abc import Callable

from relay.config import RelayConfig
from relay.profiles import Profile
from relay.schemas import FeedStatus


class FeedSupervisor:
    """Contract placeholder: the working implementation replaces these bodies."""

    def __init__(self, camera_code: str, source_url: str, profile: Profile, config: RelayConfig,
                 clock: Callable[[], float] = time.monotonic,
                 on_change: Callable[[FeedStatus], None] | None = None) -> None:
        raise NotImplementedError("FeedSupervisor lands in the next commit")

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def restart(self) -> None: ...
    def status(self) -> FeedStatus: ...
    def close(self) -> None: ...
