"""One sync of a FeedManager with the database (called with the manager's lock held).

1. heartbeat, renew this node's leases, shed or claim always-on feeds towards a fair share;
2. plan: which local feeds stop (off, idle, lease lost, shed), which held feeds start or restart;
3. apply the plan (supervisors), then release what stopped and write observed state back.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from db import feeds as feed_repo
from db.feeds import FeedSource, FeedSourceRefused, ObservedState
from geo.vocabulary import FeedMode, FeedState
from relay.errors import RelayMediaError
from relay.manager_base import Closing, LimitReached
from relay.profiles import UnknownProfile

log = logging.getLogger(__name__)
REFRESH_S = 10.0   # fps and bitrate reach the database at least this often (each sync would be too many writes)


@dataclass
class SyncPlan:
    close: list[str] = field(default_factory=list)          # stop locally
    release: set[str] = field(default_factory=set)          # give the lease up after stopping
    start: list[FeedSource] = field(default_factory=list)   # held, wanted, not running here
    refused: dict[str, str] = field(default_factory=dict)   # feed -> reason it cannot run
    closing: list = field(default_factory=list)             # (code, supervisor) to close unlocked


def run_sync(manager) -> SyncPlan:
    with manager.sessions().begin() as session:
        held = _leases(manager, session)
        plan = _plan(manager, session, held)
    _apply(manager, plan)
    with manager.sessions().begin() as session:
        _write_back(manager, session, plan)
    return plan


def _leases(manager, session: Session) -> set[str]:
    cfg, now = manager.config, manager.now()
    feed_repo.heartbeat(session, cfg.node_id, cfg.public_url, now)
    held = feed_repo.renew_leases(session, cfg.node_id, now, cfg.lease)
    modes = feed_repo.desired_modes(session)
    pinned = sorted(code for code in held if modes.get(code) == FeedMode.ALWAYS_ON)
    live = feed_repo.live_node_count(session, now, cfg.lease)
    others = sum(1 for code in manager.entries if code not in pinned)
    room = max(0, cfg.max_feeds - others)
    target = min(fair_share(feed_repo.pinned_count(session), live), room)
    if manager.shed_paused_for != live:
        manager.shed_paused_for = None   # the set of nodes changed: shedding may find room again
    if len(pinned) > target and live > 1 and manager.shed_paused_for is None:
        shed = pinned[target:]
        log.info("handing %d always-on feeds to other relay nodes", len(shed))
        feed_repo.release_leases(session, cfg.node_id, shed, now)
        held -= set(shed)
        return held
    if len(pinned) < target:
        claimed = feed_repo.claim_pinned(session, cfg.node_id, now, cfg.lease, target - len(pinned))
        pinned += claimed
        held |= set(claimed)
    if len(pinned) < room:   # feeds nobody picked up for a lease time (the others are full): take them
        free_before = now - timedelta(seconds=cfg.lease.lease_ttl_s)
        overflow = feed_repo.claim_pinned(session, cfg.node_id, now, cfg.lease, room - len(pinned), free_before)
        if overflow:
            # what was shed found no taker: the others are full; stop shedding until the nodes change
            manager.shed_paused_for = live
            held |= set(overflow)
    return held


def _plan(manager, session: Session, held: set[str]) -> SyncPlan:
    plan = SyncPlan()
    sources = feed_repo.feed_sources(session, held, today=manager.today())   # consent re-checked every sync
    now = manager.monotonic()
    for code, entry in manager.entries.items():
        source = sources.get(code)
        media = entry.status().state
        entry.life.observe(media, now)
        if code not in held:
            plan.close.append(code)  # another node holds it now (or the feed is gone)
        elif source is None or isinstance(source, FeedSourceRefused) or source.mode == FeedMode.OFF:
            plan.close.append(code)
            plan.release.add(code)
            if isinstance(source, FeedSourceRefused):   # consent withdrawn or expired, URL removed
                log.info("feed %s stops: %s", code, source)
                plan.refused[code] = str(source)
        elif source.mode == FeedMode.ON_DEMAND and entry.life.should_close(media, now):
            log.info("feed %s idle for %.0f s: stopping", code, entry.life.idle_for(now))
            plan.close.append(code)
            plan.release.add(code)
        elif not same_run(source, entry.source):
            plan.close.append(code)  # profile, audio or source changed: start again with the new one
            plan.start.append(source)
    for code in held - set(manager.entries):
        source = sources.get(code)
        if isinstance(source, FeedSourceRefused):
            plan.refused[code] = str(source)
            plan.release.add(code)
        elif source is not None and source.mode == FeedMode.ALWAYS_ON:
            plan.start.append(source)
        else:
            plan.release.add(code)  # on-demand lease left from before a restart, or off
    return plan


def _apply(manager, plan: SyncPlan) -> None:
    restarting = {source.camera_code for source in plan.start}
    now = manager.monotonic()
    for code in plan.close:
        entry = manager.entries.pop(code, None)
        if entry is None:
            continue
        entry.life.close(now)
        if code in restarting:
            entry.supervisor.close()   # the new run writes in the same directory: old one first
        else:
            plan.closing.append((code, entry.supervisor))
            manager.closing[code] = Closing(entry.supervisor, entry.life)
    for source in plan.start:
        try:
            manager.launch_locked(source)
        except (LimitReached, UnknownProfile, RelayMediaError) as exc:
            plan.refused[source.camera_code] = str(exc)
            plan.release.add(source.camera_code)
        except Exception as exc:
            # only the type: an unexpected message could hold the source URL
            log.error("feed %s could not start: %s", source.camera_code, type(exc).__name__)
            plan.refused[source.camera_code] = f"could not start ({type(exc).__name__}); see the relay log"
            plan.release.add(source.camera_code)


def _write_back(manager, session: Session, plan: SyncPlan) -> None:
    node = manager.config.node_id
    feed_repo.release_leases(session, node, plan.release - set(manager.entries), manager.now())
    for code, reason in plan.refused.items():
        feed_repo.write_observed(session, code, ObservedState(state=FeedState.STOPPED, last_error=reason))
    now = manager.monotonic()
    for code, entry in manager.entries.items():
        observed = observed_from(entry.status())
        if _worth_writing(entry, observed, now):
            feed_repo.write_observed(session, code, observed, node_id=node)
            entry.written, entry.written_at = observed, now


def _worth_writing(entry, observed: ObservedState, now: float) -> bool:
    """Write on any change of state, error, restarts or picture; rates alone only every REFRESH_S."""
    last = entry.written
    if last is None or now - entry.written_at >= REFRESH_S:
        return True
    steady = ("state", "state_since", "codec", "width", "height", "restarts", "last_error")
    return any(getattr(last, f) != getattr(observed, f) for f in steady)


def same_run(a: FeedSource, b: FeedSource) -> bool:
    """Whether two sources run the same ffmpeg (mode changes alone need no restart)."""
    return (a.source_url, a.profile, a.audio) == (b.source_url, b.profile, b.audio)


def observed_from(status) -> ObservedState:
    return ObservedState(state=status.state, state_since=status.since, fps=status.fps,
                         bitrate_kbps=status.bitrate_kbps, codec=status.codec, width=status.width,
                         height=status.height, restarts=status.restarts, last_error=status.last_error)


def fair_share(pinned: int, live_nodes: int) -> int:
    """How many always-on feeds one node should hold when the load is spread evenly."""
    return math.ceil(pinned / max(1, live_nodes))
