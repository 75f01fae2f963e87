"""Feed repository: desired state (mode, profile, audio), observed state, and which node serves a feed.

Takes a Session and never commits. The camera's stream URL is a secret: only ``feed_source`` reads it
(for the relay, which hands it to ffmpeg), and it is validated here too, so a ``file:`` or ``http:``
source that reached the table by another path is still refused before any process sees it.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from db.io.stream_url import StreamURLError, validate_stream_url
from db.models import Camera, Feed, RelayNode, utcnow
from geo.vocabulary import Connection, FeedMode, FeedState

AUDIO_CHOICES = ("aac", "drop")


class FeedError(ValueError):
    """A feed operation cannot be done; the message says why and never holds a stream URL."""


class FeedNotFound(FeedError):
    """No camera (or no feed) with that code."""


class FeedSourceRefused(FeedError):
    """The camera's stream URL is missing or not an rtsp:// / rtsps:// URL."""


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


def feed_source(session: Session, camera_code: str) -> FeedSource:
    """The feed's desired state and validated source URL, for the relay only."""
    row = session.execute(select(Feed, Camera.stream_url).join(Camera, Feed.camera_id == Camera.id)
                          .where(Camera.code == camera_code)).first()
    if row is None:
        raise FeedNotFound(f"no feed for camera '{camera_code}'")
    feed, url = row
    return FeedSource(camera_code=camera_code, source_url=_checked_url(camera_code, url), mode=feed.mode,
                      profile=feed.profile, audio=feed.audio)


def feed_sources(session: Session, camera_codes: set[str] | list[str]) -> dict[str, FeedSource | FeedSourceRefused]:
    """Sources for several feeds at once; a feed whose URL is refused maps to the refusal."""
    if not camera_codes:
        return {}
    rows = session.execute(select(Feed, Camera.code, Camera.stream_url).join(Camera, Feed.camera_id == Camera.id)
                           .where(Camera.code.in_(list(camera_codes)))).all()
    result: dict[str, FeedSource | FeedSourceRefused] = {}
    for feed, code, url in rows:
        try:
            result[code] = FeedSource(camera_code=code, source_url=_checked_url(code, url), mode=feed.mode,
                                      profile=feed.profile, audio=feed.audio)
        except FeedSourceRefused as exc:
            result[code] = exc
    return result


def desired_modes(session: Session) -> dict[str, FeedMode]:
    """Every feed's camera code and mode."""
    rows = session.execute(select(Camera.code, Feed.mode).join(Camera, Feed.camera_id == Camera.id))
    return {code: mode for code, mode in rows.all()}


def _validated_desired(mode, profile, audio) -> tuple[FeedMode | None, str | None, str | None]:
    mode = FeedMode.parse(mode) if mode is not None else None
    if audio is not None and audio not in AUDIO_CHOICES:
        raise FeedError(f"audio '{audio}' is not valid; use one of: {', '.join(AUDIO_CHOICES)}")
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
        feed = Feed(camera_id=camera.id, mode=FeedMode.ON_DEMAND, profile="copy", audio="aac",
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
    camera_id = select(Camera.id).where(Camera.code == camera_code).scalar_subquery()
    stmt = update(Feed).where(Feed.camera_id == camera_id).values(**values)
    if node_id is not None:
        stmt = stmt.where(Feed.node_id == node_id)
    result = cast(CursorResult, session.execute(stmt.execution_options(synchronize_session=False)))
    return result.rowcount > 0


def connected_feed_states(session: Session) -> list[dict]:
    """code, mode, state, state_since, last_error of every connected camera's feed (all None without one)."""
    stmt = (select(Camera.code, Feed.mode, Feed.state, Feed.state_since, Feed.last_error)
            .outerjoin(Feed, Feed.camera_id == Camera.id)
            .where(Camera.connection == Connection.CONNECTED)
            .order_by(Camera.code))
    return [{"code": code, "mode": mode, "state": state, "state_since": since, "last_error": error}
            for code, mode, state, since, error in session.execute(stmt).all()]
