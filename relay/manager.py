"""FeedManager: the relay node's feeds, kept in line with the desired state in the database.

One supervisor per feed this node serves. A background sync (every ``sync_interval_s``) heartbeats
the node, renews and claims leases, starts the always-on feeds it holds, stops feeds that went off,
idle on-demand feeds and feeds another node took over, and writes every feed's observed state back.
On-demand feeds start on the first playlist request (``demand``). Limits (running feeds, transcodes)
refuse a new start with a reason; a running feed is never stopped or degraded to make room.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db import feeds as feed_repo
from db.feeds import FeedSource, LeaseHolder, LeasePolicy, ObservedState
from db.models import utcnow
from geo.consent import local_today
from geo.vocabulary import FeedMode, FeedState
from relay.manager_base import (  # noqa: F401 - shared with manager_sync; re-exported for relay.api and tests
    Closing,
    FeedElsewhere,
    FeedIsOff,
    LimitReached,
    ManagerError,
    ShuttingDown,
    Supervisor,
    UnknownProfileError,
)
from relay.manager_sync import run_sync
from relay.on_demand import DemandState, OnDemand
from relay.profiles import PROFILES, get_profile
from relay.schemas import FeedStatus

log = logging.getLogger(__name__)
CLOSE_WAIT_S = 30.0


SupervisorFactory = Callable[[FeedSource], Supervisor]


@dataclass(frozen=True)
class ManagerConfig:
    node_id: str
    public_url: str
    runtime_dir: Path
    max_feeds: int = 120
    max_transcodes: int = 4
    idle_timeout_s: float = 60.0
    sync_interval_s: float = 2.0
    lease: LeasePolicy = field(default_factory=LeasePolicy)
    timezone: str = "Asia/Jakarta"   # the programme's zone: a consent "until D" holds through D there

    def __post_init__(self) -> None:
        if self.max_feeds < 0 or self.max_transcodes < 0:
            raise ValueError("max_feeds and max_transcodes must be zero or more")
        if self.idle_timeout_s <= 0 or self.sync_interval_s <= 0:
            raise ValueError("idle_timeout_s and sync_interval_s must be positive")


@dataclass
class _Entry:
    source: FeedSource
    supervisor: Supervisor
    life: OnDemand                         # idle / waiting for ready / ready / closing (relay/on_demand.py)
    written: ObservedState | None = None   # last observed state written to the database
    written_at: float = 0.0

    def status(self) -> FeedStatus:
        return self.supervisor.status()

    def transcodes(self) -> bool:
        return PROFILES[self.source.profile].transcode or bool(self.status().transcoding)


class FeedManager:
    def __init__(self, session_factory: sessionmaker[Session], config: ManagerConfig,
                 supervisor_factory: SupervisorFactory, clock: Callable[[], float] = time.monotonic,
                 wallclock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory
        self.config = config
        self._make_supervisor = supervisor_factory
        self._clock = clock
        self._wallclock = wallclock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.RLock()
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_sync_error: str | None = None
        self._closed = False
        self.shed_paused_for: int | None = None   # live-node count at which shedding found no taker
        # Feeds whose supervisor is being closed. Until it has stopped its ffmpeg, the feed reports the
        # supervisor's own state, not the "stopped" the database holds once the lease is released.
        self.closing: dict[str, Closing] = {}

    # ---- reading ------------------------------------------------------------------------------

    # Reads and viewer touches take no lock (a dict lookup or copy is atomic), so a sync that is
    # stopping a slow ffmpeg never holds up the playlists of the other feeds.

    def local_status(self, camera_code: str) -> FeedStatus | None:
        entry = self._entries.get(camera_code)
        if entry is not None:
            return entry.status()
        closing = self.closing.get(camera_code)
        if closing is None:
            return None
        status = closing.supervisor.status()
        # once its ffmpeg is gone the database's record (stopped, lease released) is the whole truth;
        # until then the feed says what it still is
        return None if status.state == FeedState.STOPPED else status

    def local_statuses(self) -> dict[str, FeedStatus]:
        return {code: entry.status() for code, entry in list(self._entries.items())}

    def demand_state(self, camera_code: str) -> DemandState:
        """Where the feed is in its on-demand life on this node (IDLE when this node does not run it)."""
        entry = self._entries.get(camera_code)
        if entry is not None:
            return entry.life.state
        return DemandState.CLOSING if camera_code in self.closing else DemandState.IDLE

    def mark_ready(self, camera_code: str) -> None:
        """The HTTP side saw the feed's playlist list a segment."""
        entry = self._entries.get(camera_code)
        if entry is not None:
            entry.life.ready(self._clock())

    def feed_dir(self, camera_code: str) -> Path:
        return self.config.runtime_dir / camera_code

    def list_feeds(self) -> list[feed_repo.FeedRecord]:
        with self._sessions() as session:
            return feed_repo.list_feeds(session)

    def get_feed(self, camera_code: str) -> feed_repo.FeedRecord:
        with self._sessions() as session:
            return feed_repo.get_feed(session, camera_code)

    def holder(self, camera_code: str) -> LeaseHolder:
        with self._sessions() as session:
            return feed_repo.lease_holder(session, camera_code)

    # ---- control (operator) -------------------------------------------------------------------

    def start(self, camera_code: str) -> FeedStatus:
        """Start now; an `off` feed becomes on-demand (it then stops after the idle time)."""
        with self._lock:
            entry = self._entries.get(camera_code)
            if entry is not None:
                entry.life.request(self._clock())
                return entry.status()
            return self._start_locked(camera_code, operator=True)

    def stop(self, camera_code: str) -> None:
        """Stop now; an always-on feed becomes `off` so no node (nor a restart) brings it back."""
        with self._lock:
            with self._sessions.begin() as session:
                record = feed_repo.get_feed(session, camera_code)
                if record.mode == FeedMode.ALWAYS_ON:
                    # the node holding it stops it at its next sync; so does this one, below
                    feed_repo.set_desired(session, camera_code, mode=FeedMode.OFF)
                else:
                    self._raise_if_elsewhere(session, camera_code)
                feed_repo.release_leases(session, self.config.node_id, [camera_code], self._wallclock())
            entry = self._entries.pop(camera_code, None)
        if entry is not None:
            entry.supervisor.close()

    def restart(self, camera_code: str) -> FeedStatus:
        with self._lock:
            entry = self._entries.get(camera_code)
            if entry is None:
                return self._start_locked(camera_code, operator=True)
            entry.life.request(self._clock())
            entry.supervisor.restart()
            return entry.status()

    def update(self, camera_code: str, mode: FeedMode | str | None = None, profile: str | None = None,
               audio: str | None = None, stream_url: str | None = None) -> feed_repo.FeedRecord:
        """Change desired state; a running feed picks up a new profile/source at once (limits apply)."""
        if profile is not None and profile not in PROFILES:
            raise UnknownProfileError(f"unknown profile '{profile}'; use one of: {', '.join(sorted(PROFILES))}")
        with self._lock:
            with self._sessions.begin() as session:
                if stream_url is not None:
                    feed_repo.set_stream_url(session, camera_code, stream_url)
                record = feed_repo.set_desired(session, camera_code, mode=mode, profile=profile, audio=audio)
                self._check_update_limits(camera_code, record)
            self._apply_update(camera_code, record, source_changed=stream_url is not None)
        return self.get_feed(camera_code)

    def _check_update_limits(self, camera_code: str, record: feed_repo.FeedRecord) -> None:
        entry = self._entries.get(camera_code)
        if entry is None:
            if record.mode == FeedMode.ALWAYS_ON:
                self._check_limits(record.profile)
            return
        if PROFILES[record.profile].transcode and not entry.transcodes():
            self._check_limits(record.profile, replacing=entry)

    def _apply_update(self, camera_code: str, record: feed_repo.FeedRecord, source_changed: bool) -> None:
        entry = self._entries.get(camera_code)
        if record.mode == FeedMode.OFF:
            if entry is not None:
                self._drop_locked(camera_code)
            return
        if entry is not None and (source_changed or entry.source.profile != record.profile
                                  or entry.source.audio != record.audio):
            self._entries.pop(camera_code)
            entry.supervisor.close()
            self._start_locked(camera_code, operator=True)
        elif entry is None and record.mode == FeedMode.ALWAYS_ON:
            try:
                self._start_locked(camera_code, operator=True)
            except FeedElsewhere:
                pass  # pinned and already served by another node: nothing to do here

    # ---- viewers (HLS) ------------------------------------------------------------------------

    def demand(self, camera_code: str) -> FeedStatus:
        """A viewer asked for the playlist: keep the feed alive, starting an on-demand one."""
        entry = self._entries.get(camera_code)
        if entry is not None:
            entry.life.request(self._clock())
            return entry.status()
        with self._lock:
            entry = self._entries.get(camera_code)
            if entry is not None:
                entry.life.request(self._clock())
                return entry.status()
            return self._start_locked(camera_code, operator=False)

    def touch(self, camera_code: str) -> bool:
        """A viewer fetched a segment: counts as watching. False when the feed is not local."""
        entry = self._entries.get(camera_code)
        if entry is not None:
            entry.life.request(self._clock())
        return entry is not None

    # ---- starting -----------------------------------------------------------------------------

    def _start_locked(self, camera_code: str, operator: bool) -> FeedStatus:
        if self._closed:
            raise ShuttingDown("this relay node is shutting down; try again on another node")
        stopping = self.closing.get(camera_code)
        if stopping is not None:   # its previous run is still stopping and owns the directory
            stopping.done.wait(CLOSE_WAIT_S)
        with self._sessions.begin() as session:
            source = feed_repo.feed_source(session, camera_code, today=self.today())
            if source.mode == FeedMode.OFF:
                if not operator:
                    raise FeedIsOff(f"feed '{camera_code}' is off; an operator can start it")
                feed_repo.set_desired(session, camera_code, mode=FeedMode.ON_DEMAND)
            self._check_limits(source.profile)
            self._raise_if_elsewhere(session, camera_code, claim=True)
            feed_repo.write_observed(session, camera_code, ObservedState(state=FeedState.STARTING,
                                                                         state_since=self._wallclock()))
        return self._launch(source)

    def _launch(self, source: FeedSource) -> FeedStatus:
        supervisor = self._make_supervisor(source)
        life = OnDemand(idle_timeout_s=self.config.idle_timeout_s)
        life.request(self._clock())
        entry = _Entry(source=source, supervisor=supervisor, life=life)
        self._entries[source.camera_code] = entry
        supervisor.start()
        log.info("feed %s started (profile %s)", source.camera_code, source.profile)
        return entry.status()

    def _raise_if_elsewhere(self, session: Session, camera_code: str, claim: bool = False) -> None:
        now = self._wallclock()
        if claim:
            holder = feed_repo.claim_feed(session, self.config.node_id, camera_code, now, self.config.lease)
        else:
            holder = feed_repo.lease_holder(session, camera_code)
            if holder.node_id is not None and not self._holder_alive(session, camera_code, now):
                return
        if holder.node_id not in (None, self.config.node_id):
            raise FeedElsewhere(holder)

    def _holder_alive(self, session: Session, camera_code: str, now: datetime) -> bool:
        record = feed_repo.get_feed(session, camera_code)
        return record.lease_expires_at is not None and record.lease_expires_at >= now

    def _check_limits(self, profile_name: str, replacing: _Entry | None = None) -> None:
        profile = get_profile(profile_name)
        running = [e for e in self._entries.values() if e is not replacing]
        if len(running) >= self.config.max_feeds:
            raise LimitReached(f"{len(running)} feeds already run on relay node '{self.config.node_id}' "
                               f"(max_feeds={self.config.max_feeds}); stop a feed or raise --max-feeds")
        if profile.transcode:
            transcoding = sum(1 for e in running if e.transcodes())
            if transcoding >= self.config.max_transcodes:
                raise LimitReached(f"{transcoding} transcodes already run on relay node '{self.config.node_id}' "
                                   f"(max_transcodes={self.config.max_transcodes}); use profile 'copy', stop "
                                   "a transcoding feed, or raise --max-transcodes")

    def _drop_locked(self, camera_code: str) -> None:
        entry = self._entries.pop(camera_code, None)
        if entry is not None:
            entry.supervisor.close()

    # ---- background sync ----------------------------------------------------------------------

    def sync_once(self) -> None:
        finished: list[tuple[str, Supervisor]] = []
        with self._lock:
            if self._closed:
                return
            try:
                finished = run_sync(self).closing
                self.last_sync_error = None
            except SQLAlchemyError as exc:
                self.last_sync_error = f"database unavailable: {type(exc).__name__}"
                log.warning("relay sync failed: %s", self.last_sync_error)
        _close_all([supervisor for _, supervisor in finished])   # outside the lock: it takes seconds
        for code, _ in finished:
            closing = self.closing.pop(code, None)
            if closing is not None:
                closing.life.closed(self._clock())
                closing.done.set()

    def run_background(self) -> None:
        if self._thread is not None:
            return
        self._stop_event.clear()
        self._thread = threading.Thread(target=self._loop, name="relay-sync", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.sync_once()
            except Exception as exc:
                self.last_sync_error = f"sync failed: {type(exc).__name__}"
                log.error("relay sync failed: %s", type(exc).__name__)
            self._stop_event.wait(self.config.sync_interval_s)

    def shutdown(self, leave: bool = True) -> None:
        """Stop the sync and every feed (in parallel), then give this node's leases up. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._stop_event.set()
        if self._thread is not None:
            self._thread.join(timeout=self.config.sync_interval_s + 30)
            self._thread = None
        with self._lock:
            entries = list(self._entries.values())
            self._entries.clear()
        _close_all([e.supervisor for e in entries])
        if leave:
            try:
                with self._sessions.begin() as session:
                    feed_repo.leave_node(session, self.config.node_id, self._wallclock())
            except SQLAlchemyError as exc:
                log.warning("could not release leases at shutdown: %s", type(exc).__name__)

    # internals used by relay.manager_sync (same package, same lock)
    @property
    def entries(self) -> dict[str, _Entry]:
        return self._entries

    def now(self) -> datetime:
        return self._wallclock()

    def today(self) -> date:
        """The programme's calendar day now (consent end dates are days in its time zone)."""
        return local_today(self._wallclock(), self.config.timezone)

    def monotonic(self) -> float:
        return self._clock()

    def sessions(self) -> sessionmaker[Session]:
        return self._sessions

    def launch_locked(self, source: FeedSource) -> FeedStatus:
        self._check_limits(source.profile)
        return self._launch(source)


def _close_all(supervisors: list[Any]) -> None:
    if not supervisors:
        return
    with ThreadPoolExecutor(max_workers=min(16, len(supervisors))) as pool:
        for future in [pool.submit(s.close) for s in supervisors]:
            try:
                future.result()
            except Exception:
                log.exception("a feed did not close cleanly")
