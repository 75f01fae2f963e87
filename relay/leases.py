"""Scale-out: relay nodes share feeds through leases in the feed table.

Each node keeps a row in ``relay_node`` with a heartbeat, and holds a feed while ``feed.node_id`` is
its id and ``feed.lease_expires_at`` is in the future. Nodes renew their leases on every sync; a
dead node stops renewing, its leases expire, and the next sync of a live node claims them (rows
locked with ``SELECT ... FOR UPDATE SKIP LOCKED`` so two nodes never claim the same feed). With
SQLite there is one node (``single_node=True``): leases are still written, so the API and the
database say which node serves a feed, but nothing waits for another node's lease to expire.

Functions take a Session and never commit: the manager runs each sync in one transaction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from db.models import Camera, Feed, RelayNode
from geo.vocabulary import FeedMode, FeedState


@dataclass(frozen=True)
class LeasePolicy:
    lease_ttl_s: float = 10.0   # a lease not renewed for this long is free for another node
    node_ttl_s: float = 10.0    # a node without a heartbeat for this long is dead
    single_node: bool = False   # SQLite: this node serves every feed


@dataclass(frozen=True)
class LeaseHolder:
    """Who serves a feed right now (None when nobody holds a live lease)."""

    node_id: str | None
    public_url: str | None


def heartbeat(session: Session, node_id: str, public_url: str, now: datetime) -> None:
    """Record that this node is alive (and where browsers reach it)."""
    node = session.get(RelayNode, node_id)
    if node is None:
        session.add(RelayNode(node_id=node_id, public_url=public_url, heartbeat_at=now, started_at=now))
    else:
        node.heartbeat_at = now
        node.public_url = public_url
    session.flush()


def live_node_count(session: Session, now: datetime, policy: LeasePolicy) -> int:
    if policy.single_node:
        return 1
    cutoff = now - timedelta(seconds=policy.node_ttl_s)
    rows = session.execute(select(RelayNode.node_id).where(RelayNode.heartbeat_at >= cutoff)).all()
    return max(1, len(rows))


def renew(session: Session, node_id: str, now: datetime, policy: LeasePolicy) -> set[str]:
    """Extend every lease this node holds; the camera codes it holds."""
    expires = now + timedelta(seconds=policy.lease_ttl_s)
    session.execute(update(Feed).where(Feed.node_id == node_id).values(lease_expires_at=expires)
                    .execution_options(synchronize_session=False))
    return held(session, node_id)


def held(session: Session, node_id: str) -> set[str]:
    rows = session.execute(select(Camera.code).join(Feed, Feed.camera_id == Camera.id)
                           .where(Feed.node_id == node_id))
    return {code for (code,) in rows.all()}


def _claimable(node_id: str, now: datetime, policy: LeasePolicy, free_before: datetime | None = None):
    """Feeds this node may take: unheld or expired (and, with free_before, free since before it)."""
    if policy.single_node:
        return True
    if free_before is not None:
        return or_(Feed.lease_expires_at.is_(None), Feed.lease_expires_at < free_before)
    return or_(Feed.node_id.is_(None), Feed.node_id == node_id, Feed.lease_expires_at.is_(None),
               Feed.lease_expires_at < now)


def _take(session: Session, feed_ids: list[int], node_id: str, now: datetime, policy: LeasePolicy) -> None:
    if not feed_ids:
        return
    expires = now + timedelta(seconds=policy.lease_ttl_s)
    session.execute(update(Feed).where(Feed.id.in_(feed_ids))
                    .values(node_id=node_id, lease_expires_at=expires)
                    .execution_options(synchronize_session=False))


def claim_pinned(session: Session, node_id: str, now: datetime, policy: LeasePolicy, limit: int,
                 free_before: datetime | None = None) -> list[str]:
    """Claim up to ``limit`` always-on feeds nobody (alive) holds; the codes newly claimed.

    With ``free_before``, only feeds that nobody has held since before that moment: the overflow a
    node takes beyond its fair share when the others have no room (never what another node just shed).
    """
    if limit <= 0:
        return []
    stmt = (select(Feed.id, Camera.code).join(Camera, Feed.camera_id == Camera.id)
            .where(Feed.mode == FeedMode.ALWAYS_ON, or_(Feed.node_id.is_(None), Feed.node_id != node_id),
                   _claimable(node_id, now, policy, free_before))
            .order_by(Feed.id).limit(limit).with_for_update(of=Feed, skip_locked=True))
    rows = session.execute(stmt).all()
    _take(session, [feed_id for feed_id, _ in rows], node_id, now, policy)
    return [code for _, code in rows]


def claim_one(session: Session, node_id: str, camera_code: str, now: datetime,
              policy: LeasePolicy) -> LeaseHolder:
    """Claim one feed (an on-demand start); the holder afterwards, which may be another live node."""
    stmt = (select(Feed).join(Camera, Feed.camera_id == Camera.id).where(Camera.code == camera_code)
            .with_for_update(of=Feed))
    feed = session.execute(stmt).scalar_one_or_none()
    if feed is None:
        return LeaseHolder(None, None)
    free = (policy.single_node or feed.node_id in (None, node_id) or feed.lease_expires_at is None
            or feed.lease_expires_at < now)
    if free:
        _take(session, [feed.id], node_id, now, policy)
        session.expire(feed)
        return holder(session, camera_code)
    return holder(session, camera_code)


def holder(session: Session, camera_code: str) -> LeaseHolder:
    row = session.execute(select(Feed.node_id, RelayNode.public_url)
                          .join(Camera, Feed.camera_id == Camera.id)
                          .outerjoin(RelayNode, Feed.node_id == RelayNode.node_id)
                          .where(Camera.code == camera_code)).first()
    if row is None or row[0] is None:
        return LeaseHolder(None, None)
    return LeaseHolder(row[0], row[1])


def release(session: Session, node_id: str, camera_codes: list[str] | set[str], now: datetime) -> None:
    """Give feeds up (idle, off, shed, shutdown) and mark them stopped.

    ``lease_expires_at`` keeps the release time, so overflow claims can tell a feed just shed
    (meant for a node below its share) from one nobody has picked up for a while."""
    if not camera_codes:
        return
    ids = select(Camera.id).where(Camera.code.in_(list(camera_codes)))
    session.execute(update(Feed).where(Feed.node_id == node_id, Feed.camera_id.in_(ids))
                    .values(node_id=None, lease_expires_at=now, state=FeedState.STOPPED,
                            fps=None, bitrate_kbps=None)
                    .execution_options(synchronize_session=False))


def leave(session: Session, node_id: str, now: datetime) -> None:
    """Clean shutdown: release every feed and remove the node, so others take over at once."""
    release(session, node_id, held(session, node_id), now)
    session.execute(delete(RelayNode).where(RelayNode.node_id == node_id))


def pinned_count(session: Session) -> int:
    return len(session.execute(select(Feed.id).where(Feed.mode == FeedMode.ALWAYS_ON)).all())


def fair_share(pinned: int, live_nodes: int) -> int:
    """How many always-on feeds one node should hold when the load is spread evenly."""
    return math.ceil(pinned / max(1, live_nodes))
