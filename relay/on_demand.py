"""The on-demand life of one feed on this relay node, as a small explicit state machine.

MediaMTX keeps the same four states for an on-demand path (``path.go``: initial, waiting for ready,
ready, closing); here they are:

    IDLE ──request──> WAITING_READY ──ready──> READY
      ^                    │                     │
      │                    └──────idle──────┐    │ idle (no viewer for idle_timeout_s)
      │                                     v    v
      └──────────closed─────────────────── CLOSING

* IDLE: nothing runs; the next playlist request (or an operator's start) launches ffmpeg.
* WAITING_READY: launched, no playable playlist yet. A viewer is probably waiting, so the feed is
  not closed while its media side is still starting; once it has given up starting (backoff,
  failed) and nobody asked for ``idle_timeout_s``, it closes like a ready feed.
* READY: the playlist has listed a segment. Each viewer request (playlist or segment) moves the
  idle deadline; without one for ``idle_timeout_s`` the feed closes.
* CLOSING: ffmpeg is being stopped (it may take seconds); a request meanwhile waits for the close
  and starts the feed again (``request`` answers True once ``closed`` has run).

Always-on feeds go through the same states but the manager never asks them to close for being idle.
Times come from the caller (the manager's injected monotonic clock); nothing here reads a clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from geo.vocabulary import FeedState


class DemandState(StrEnum):
    IDLE = "idle"
    WAITING_READY = "waiting_ready"
    READY = "ready"
    CLOSING = "closing"


class IllegalTransition(RuntimeError):
    """A transition the diagram above does not have (a bug in the caller, never a user error)."""


@dataclass
class OnDemand:
    idle_timeout_s: float
    state: DemandState = DemandState.IDLE
    since: float = 0.0          # when the current state was entered
    last_request: float = 0.0   # the latest viewer or operator request

    def _enter(self, state: DemandState, now: float) -> None:
        self.state, self.since = state, now

    def request(self, now: float) -> bool:
        """A viewer or operator asked for the feed; True when the caller has to launch it now."""
        self.last_request = now
        if self.state == DemandState.IDLE:
            self._enter(DemandState.WAITING_READY, now)
            return True
        return False

    def observe(self, media: FeedState, now: float) -> None:
        """What the media side reports; the first running state makes the feed ready."""
        if self.state == DemandState.WAITING_READY and media == FeedState.RUNNING:
            self._enter(DemandState.READY, now)

    def ready(self, now: float) -> None:
        """The playlist lists a segment (seen by the HTTP side before the next status poll)."""
        if self.state == DemandState.WAITING_READY:
            self._enter(DemandState.READY, now)

    def idle_for(self, now: float) -> float:
        return now - self.last_request

    def should_close(self, media: FeedState, now: float) -> bool:
        """Whether nobody has asked for idle_timeout_s (and no viewer can still be waiting for a start)."""
        if self.idle_for(now) < self.idle_timeout_s:
            return False
        if self.state == DemandState.READY:
            return True
        return self.state == DemandState.WAITING_READY and media != FeedState.STARTING

    def close(self, now: float) -> None:
        if self.state not in (DemandState.WAITING_READY, DemandState.READY):
            raise IllegalTransition(f"cannot close a feed that is {self.state.value}")
        self._enter(DemandState.CLOSING, now)

    def closed(self, now: float) -> None:
        if self.state != DemandState.CLOSING:
            raise IllegalTransition(f"a feed that is {self.state.value} was not closing")
        self._enter(DemandState.IDLE, now)
