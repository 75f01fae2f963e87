"""Feed repository: desired state (mode, profile, audio), observed state, and which node serves a feed.

The one module that reads and writes the ``feed`` and ``relay_node`` tables (a test holds every other
module to it). Takes a Session and never commits. The camera's stream URL is a secret: only ``feed_source`` reads it
(for the relay, which hands it to ffmpeg), and it is validated here too, so a ``file:`` or ``http:``
source that reached the table by another path is still refused before any process sees it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from db.io.stream_url import StreamURLError, validate_stream_url
from db.models import Camera, Feed, RelayNode, utcnow
from geo.consent import live_consent
from geo.vocabulary import AudioPolicy, Connection, FeedMode, FeedState


class FeedError(ValueError):
    """A feed operation cannot be done; the message says why and never holds a stream URL."""


class FeedNotFound(FeedError):
    """No camera (or no feed) with that code."""


class FeedSourceRefused(FeedError):
    """The camera's stream URL is missing or not an rtsp:// / rtsps:// URL."""


class FeedConsentRefused(FeedSourceRefused):
    """The owner's consent does not allow a live view (not 'live', or expired): geo/consent.py."""


@dataclass(frozen=True)
class FeedRecord:
    """A feed as the API and dashboard see it: no stream URL."""

    camera_code: str
    camera_name: str
    mode: FeedMode
    profile: str
    audio: str
    state: FeedState
    state_since: datetime | None
    fps: float | None
    bitrate_kbps: float | None
    codec: str | None
    width: int | None
    height: int | None
    restarts: int
    last_error: str | None
    node_id: str | None
    node_url: str | None
    lease_expires_at: datetime | None
    observed_at: datetime | None


@dataclass(frozen=True)
class FeedSource:
    """What the relay needs to run a feed, including the (secret) source URL."""

    camera_code: str
    source_url: str
    mode: FeedMode
    profile: str
    audio: str

    def __repr__(self) -> str:  # the URL holds credentials: keep it out of reprs and tracebacks
        return f"FeedSource(camera_code={self.camera_code!r}, mode={self.mode.value}, profile={self.profile!r})"


@dataclass(frozen=True)
class ObservedState:
    """What a relay node saw of a feed, written back so the map shows real health."""

    state: FeedState
    state_since: datetime | None = None
    fps: float | None = None
    bitrate_kbps: float | None = None
    codec: str | None = None
    width: int | None = None
    height: int | None = None
    restarts: int = 0
    last_error: str | None = None


def _record_query():
    return (select(Feed, Camera.code, Camera.name, RelayNode.public_url)
            .join(Camera, Feed.camera_id == Camera.id)
            .outerjoin(RelayNode, Feed.node_id == RelayNode.node_id)
            .order_by(Camera.code))


def _record(feed: Feed, code: str, name: str, node_url: str | None) -> FeedRecord:
    return FeedRecord(camera_code=code, camera_name=name, mode=feed.mode, profile=feed.profile,
                      audio=feed.audio, state=feed.state, state_since=feed.state_since, fps=feed.fps,
                      bitrate_kbps=feed.bitrate_kbps, codec=feed.codec, width=feed.width, height=feed.height,
                      restarts=feed.restarts or 0, last_error=feed.last_error, node_id=feed.node_id,
                      node_url=node_url if feed.node_id else None, lease_expires_at=feed.lease_expires_at,
                      observed_at=feed.observed_at)


def list_feeds(session: Session, node_id: str | None = None) -> list[FeedRecord]:
    stmt = _record_query()
    if node_id is not None:
        stmt = stmt.where(Feed.node_id == node_id)
    return [_record(*row) for row in session.execute(stmt).all()]


def get_feed(session: Session, camera_code: str) -> FeedRecord:
    row = session.execute(_record_query().where(Camera.code == camera_code)).first()
    if row is None:
        raise FeedNotFound(f"no feed for camera '{camera_code}'")
    return _record(*row)


def _camera(session: Session, camera_code: str) -> Camera:
    camera = session.execute(select(Camera).where(Camera.code == camera_code)).scalar_one_or_none()
    if camera is None:
        raise FeedNotFound(f"no camera with code '{camera_code}'")
    return camera


def _checked_url(camera_code: str, url: str | None) -> str:
    if not url:
        raise FeedSourceRefused(f"camera '{camera_code}' has no stream URL; add an rtsp:// URL in the registry")
    try:
        return validate_stream_url(url)
    except StreamURLError as exc:
        raise FeedSourceRefused(f"camera '{camera_code}': {exc}") from None


def set_stream_url(session: Session, camera_code: str, url: str) -> None:
    """Store a camera's stream URL after checking it (rtsp:// or rtsps:// only)."""
    camera = _camera(session, camera_code)
    camera.stream_url = _checked_url(camera_code, url)


def _source_query():
    return (select(Feed, Camera.code, Camera.stream_url, Camera.consent, Camera.consent_expires_on)
            .join(Camera, Feed.camera_id == Camera.id))


def _source(feed: Feed, code: str, url: str | None, consent, expires_on, today: date) -> FeedSource:
    answer = live_consent(consent, expires_on, today)
    if not answer.allowed:
        raise FeedConsentRefused(f"camera '{code}': {answer.reason}")
    return FeedSource(camera_code=code, source_url=_checked_url(code, url), mode=feed.mode, profile=feed.profile,
                      audio=feed.audio)


def feed_source(session: Session, camera_code: str, today: date) -> FeedSource:
    """The feed's desired state and validated source URL, for the relay only; refused (FeedConsentRefused)
    unless the owner's live consent holds on ``today`` (the programme's local date)."""
    row = session.execute(_source_query().where(Camera.code == camera_code)).first()
    if row is None:
        raise FeedNotFound(f"no feed for camera '{camera_code}'")
    feed, _code, url, consent, expires_on = row
    return _source(feed, camera_code, url, consent, expires_on, today)


def feed_sources(session: Session, camera_codes: set[str] | list[str],
                 today: date) -> dict[str, FeedSource | FeedSourceRefused]:
    """Sources for several feeds at once; a feed whose URL or consent is refused maps to the refusal."""
    if not camera_codes:
        return {}
    rows = session.execute(_source_query().where(Camera.code.in_(list(camera_codes)))).all()
    result: dict[str, FeedSource | FeedSourceRefused] = {}
    for feed, code, url, consent, expires_on in rows:
        try:
            result[code] = _source(feed, code, url, consent, expires_on, today)
        except FeedSourceRefused as exc:
            result[code] = exc
    return result


def cameras_with_feed(session: Session) -> set[str]:
    """Codes of the cameras that have a feed row."""
    return set(session.scalars(select(Camera.code).join(Feed, Feed.camera_id == Camera.id)))


def desired_modes(session: Session) -> dict[str, FeedMode]:
    """Every feed's camera code and mode."""
    rows = session.execute(select(Camera.code, Feed.mode).join(Camera, Feed.camera_id == Camera.id))
    return {code: mode for code, mode in rows.all()}


def _validated_desired(mode, profile, audio) -> tuple[FeedMode | None, str | None, str | None]:
    mode = FeedMode.parse(mode) if mode is not None else None
    if audio is not None and audio not in set(AudioPolicy):
        raise FeedError(f"audio '{audio}' is not valid; use one of: {', '.join(AudioPolicy)}")
    if profile is not None and not str(profile).strip():
        raise FeedError("profile must not be empty; use 'copy' to remux")
    return mode, profile, audio


def set_desired(session: Session, camera_code: str, mode: FeedMode | str | None = None,
                profile: str | None = None, audio: str | None = None) -> FeedRecord:
    """Change a feed's desired state, creating the feed for a camera that has none."""
    mode, profile, audio = _validated_desired(mode, profile, audio)
    camera = _camera(session, camera_code)
    feed = session.execute(select(Feed).where(Feed.camera_id == camera.id)).scalar_one_or_none()
    if feed is None:
        _checked_url(camera_code, camera.stream_url)
        feed = Feed(camera_id=camera.id, mode=FeedMode.ON_DEMAND, profile="copy", audio=AudioPolicy.AAC,
                    state=FeedState.STOPPED, restarts=0)
        session.add(feed)
    if mode is not None:
        feed.mode = mode
    if profile is not None:
        feed.profile = profile
    if audio is not None:
        feed.audio = audio
    session.flush()
    return get_feed(session, camera_code)


def write_observed(session: Session, camera_code: str, observed: ObservedState,
                   node_id: str | None = None) -> bool:
    """Write what a node saw; with node_id, only while that node holds the feed. True if written."""
    values = {f.name: getattr(observed, f.name) for f in fields(observed)}
    values["observed_at"] = utcnow()
    if observed.state == FeedState.RUNNING:     # a playing feed is the best evidence its camera answers
        values.update(ran_at=values["observed_at"], checked_at=values["observed_at"], answered=True)
    camera_id = select(Camera.id).where(Camera.code == camera_code).scalar_subquery()
    stmt = update(Feed).where(Feed.camera_id == camera_id).values(**values)
    if node_id is not None:
        stmt = stmt.where(Feed.node_id == node_id)
    result = cast(CursorResult, session.execute(stmt.execution_options(synchronize_session=False)))
    return result.rowcount > 0


STATE_COLUMNS = ("code", "mode", "state", "state_since", "last_error", "ran_at", "checked_at", "answered",
                 "consent", "consent_expires_on")


def connected_feed_states(session: Session) -> list[dict]:
    """Every connected camera's feed: STATE_COLUMNS (the feed's are None without one)."""
    stmt = (select(Camera.code, Feed.mode, Feed.state, Feed.state_since, Feed.last_error, Feed.ran_at,
                   Feed.checked_at, Feed.answered, Camera.consent, Camera.consent_expires_on)
            .outerjoin(Feed, Feed.camera_id == Camera.id)
            .where(Camera.connection == Connection.CONNECTED)
            .order_by(Camera.code))
    return [dict(zip(STATE_COLUMNS, row, strict=True)) for row in session.execute(stmt).all()]


# ---- camera checks: does an idle on-demand camera answer? -------------------------------------------
#
# Nobody watches most on-demand cameras most of the time, so their feed says nothing about them. The
# relay asks each such camera now and then (relay/camera_checks.py) and writes the answer here; the
# map calls a camera "live, healthy" only with that evidence (geo/feed_health.py).

@dataclass(frozen=True)
class CheckTarget:
    camera_code: str
    source_url: str = field(repr=False)     # a secret: handed to the check, never logged


def claim_checks(session: Session, now: datetime, every_s: float, limit: int, today: date) -> list[CheckTarget]:
    """Up to ``limit`` idle on-demand feeds not checked for ``every_s``, oldest first, claimed for this
    node (their ``checked_at`` set to ``now``, so another node skips them). Cameras without live consent
    or a usable stream URL are not asked."""
    cutoff = now - timedelta(seconds=every_s)
    stmt = (select(Feed, Camera.code, Camera.stream_url, Camera.consent, Camera.consent_expires_on)
            .join(Camera, Feed.camera_id == Camera.id)
            .where(Camera.connection == Connection.CONNECTED, Feed.mode == FeedMode.ON_DEMAND,
                   Feed.state == FeedState.STOPPED, Camera.stream_url.is_not(None),
                   or_(Feed.checked_at.is_(None), Feed.checked_at < cutoff))
            .order_by(Feed.checked_at.is_not(None), Feed.checked_at)
            .limit(limit)
            .with_for_update(of=Feed, skip_locked=True))
    targets = []
    for feed, code, url, consent, expires_on in session.execute(stmt).all():
        feed.checked_at = now
        try:
            source = _source(feed, code, url, consent, expires_on, today)
        except FeedSourceRefused:
            continue
        targets.append(CheckTarget(code, source.source_url))
    session.flush()
    return targets


def write_check(session: Session, camera_code: str, answered: bool, at: datetime) -> None:
    camera_id = select(Camera.id).where(Camera.code == camera_code).scalar_subquery()
    session.execute(update(Feed).where(Feed.camera_id == camera_id).values(answered=answered, checked_at=at)
                    .execution_options(synchronize_session=False))


# ---- leases: which relay node serves a feed -----------------------------------------------------
#
# Relay nodes share feeds through leases in this table. Each node keeps a row in ``relay_node`` with
# a heartbeat, and holds a feed while ``feed.node_id`` is its id and ``feed.lease_expires_at`` is in
# the future. Nodes renew their leases on every sync; a dead node stops renewing, its leases expire,
# and the next sync of a live node claims them (rows locked with ``SELECT ... FOR UPDATE SKIP
# LOCKED`` so two nodes never claim the same feed). With SQLite there is one node
# (``single_node=True``): leases are still written, so the API and the database say which node
# serves a feed, but nothing waits for another node's lease to expire. The relay's manager
# (relay/manager.py, relay/manager_sync.py) decides when; these functions only read and write.


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


def relay_alive(session: Session, now: datetime, within_s: float) -> bool:
    """Whether any relay node sent a heartbeat within ``within_s`` (every node beats on each sync)."""
    cutoff = now - timedelta(seconds=within_s)
    return session.execute(select(RelayNode.node_id).where(RelayNode.heartbeat_at >= cutoff).limit(1)).first() \
        is not None


def renew_leases(session: Session, node_id: str, now: datetime, policy: LeasePolicy) -> set[str]:
    """Extend every lease this node holds; the camera codes it holds."""
    expires = now + timedelta(seconds=policy.lease_ttl_s)
    session.execute(update(Feed).where(Feed.node_id == node_id).values(lease_expires_at=expires)
                    .execution_options(synchronize_session=False))
    return held_by(session, node_id)


def held_by(session: Session, node_id: str) -> set[str]:
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


def claim_feed(session: Session, node_id: str, camera_code: str, now: datetime,
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
        return lease_holder(session, camera_code)
    return lease_holder(session, camera_code)


def lease_holder(session: Session, camera_code: str) -> LeaseHolder:
    row = session.execute(select(Feed.node_id, RelayNode.public_url)
                          .join(Camera, Feed.camera_id == Camera.id)
                          .outerjoin(RelayNode, Feed.node_id == RelayNode.node_id)
                          .where(Camera.code == camera_code)).first()
    if row is None or row[0] is None:
        return LeaseHolder(None, None)
    return LeaseHolder(row[0], row[1])


def release_leases(session: Session, node_id: str, camera_codes: list[str] | set[str], now: datetime) -> None:
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


def leave_node(session: Session, node_id: str, now: datetime) -> None:
    """Clean shutdown: release every feed and remove the node, so others take over at once."""
    release_leases(session, node_id, held_by(session, node_id), now)
    session.execute(delete(RelayNode).where(RelayNode.node_id == node_id))


def pinned_count(session: Session) -> int:
    return len(session.execute(select(Feed.id).where(Feed.mode == FeedMode.ALWAYS_ON)).all())

