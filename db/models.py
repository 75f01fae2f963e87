"""The persistent model: SQLAlchemy 2 typed tables.

Geometry is stored as WKB in a plain binary column so the same schema runs on SQLite and on
PostgreSQL without spatial extensions; spatial work happens in geo/ with shapely/geopandas.
Timestamps are timezone-aware and stored in UTC. The schema changes only through Alembic
migrations in db/migrations.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from geo.vocabulary import (
    CameraKind,
    Connection,
    ConsentLevel,
    DistrictLevel,
    FeedMode,
    FeedState,
    OwnerClass,
    PostKind,
    Role,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes on both backends (SQLite drops tzinfo on the way back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _enum(enum_cls, name: str) -> Enum:
    # Stored as the enum's value (e.g. "security_post"), checked by a CHECK constraint, no native type
    # so PostgreSQL migrations stay simple when a value is added.
    return Enum(enum_cls, name=name, native_enum=False, create_constraint=True, length=24,
                values_callable=lambda e: [m.value for m in e], validate_strings=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class District(Base):
    __tablename__ = "district"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[DistrictLevel] = mapped_column(_enum(DistrictLevel, "district_level"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("district.id", ondelete="SET NULL"))
    population: Mapped[int | None] = mapped_column(Integer)
    area_km2: Mapped[float | None] = mapped_column(Float)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(200))

    parent: Mapped[District | None] = relationship(remote_side=[id])


class Owner(Base):
    __tablename__ = "owner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_class: Mapped[OwnerClass] = mapped_column(_enum(OwnerClass, "owner_class"), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Camera(Base):
    __tablename__ = "camera"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owner.id", ondelete="SET NULL"), index=True)
    kind: Mapped[CameraKind] = mapped_column(_enum(CameraKind, "camera_kind"), default=CameraKind.FIXED)
    bearing_deg: Mapped[float | None] = mapped_column(Float)
    fov_deg: Mapped[float | None] = mapped_column(Float)
    range_m: Mapped[float | None] = mapped_column(Float)
    height_m: Mapped[float | None] = mapped_column(Float)
    bearing_adjustable: Mapped[bool] = mapped_column(Boolean, default=True)
    connection: Mapped[Connection] = mapped_column(_enum(Connection, "connection"), index=True,
                                                   default=Connection.REGISTERED)
    consent: Mapped[ConsentLevel] = mapped_column(_enum(ConsentLevel, "consent_level"),
                                                  default=ConsentLevel.ON_REQUEST)
    consent_signed_on: Mapped[date | None] = mapped_column(Date)
    consent_expires_on: Mapped[date | None] = mapped_column(Date)
    dvr_retention_days: Mapped[int | None] = mapped_column(Integer)
    sticker_installed: Mapped[bool] = mapped_column(Boolean, default=False)
    stream_url: Mapped[str | None] = mapped_column(Text)  # secret: holds RTSP credentials
    notes: Mapped[str | None] = mapped_column(Text)
    registered_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[Owner | None] = relationship()
    district: Mapped[District | None] = relationship()


class Post(Base):
    __tablename__ = "post"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[PostKind] = mapped_column(_enum(PostKind, "post_kind"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id", ondelete="SET NULL"))
    personnel: Mapped[int] = mapped_column(Integer, default=0)

    district: Mapped[District | None] = relationship()


class DutyUnit(Base):
    __tablename__ = "duty_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callsign: Mapped[str] = mapped_column(String(64), unique=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"), index=True)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    shift_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shift_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_lon: Mapped[float | None] = mapped_column(Float)
    last_lat: Mapped[float | None] = mapped_column(Float)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post: Mapped[Post | None] = relationship()


class AppUser(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # sign-in control (migration 0002)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # how an officer signs official letters (migration 0007): rank (pangkat) and NRP
    rank: Mapped[str | None] = mapped_column(String(40))
    nrp: Mapped[str | None] = mapped_column(String(20))


class WebSession(Base):
    """A dashboard sign-in that survives a reload or a new tab (migration 0003).

    The browser holds a random token in a cookie; only its SHA-256 is stored here (db/web_sessions.py).
    """

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    method: Mapped[str] = mapped_column(String(16))
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict | None] = mapped_column(JSON)
    # the hash chain (db/audit_chain.py): the previous event's hash, and this event's
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(Base):
    """One row: the latest event's id and hash, and how many events were ever chained. Writers lock
    it (UPDATE first), so two processes never chain onto the same event."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger, default=0)
    last_id: Mapped[int | None] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


class Layer(Base):
    """A named auxiliary spatial layer (priority areas, buildings for occlusion)."""

    __tablename__ = "layer_feature"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)


class DataVersion(Base):
    """A counter per dataset, bumped by every write, so caches key on it instead of recomputing."""

    __tablename__ = "data_version"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Feed(Base):
    """Desired (mode, profile) and observed (state ...) relay state for one camera."""

    __tablename__ = "feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id", ondelete="CASCADE"), unique=True)
    mode: Mapped[FeedMode] = mapped_column(_enum(FeedMode, "feed_mode"), default=FeedMode.ON_DEMAND)
    profile: Mapped[str] = mapped_column(String(40), default="copy")
    audio: Mapped[str] = mapped_column(String(16), default="aac")
    state: Mapped[FeedState] = mapped_column(_enum(FeedState, "feed_state"), default=FeedState.STOPPED)
    state_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fps: Mapped[float | None] = mapped_column(Float)
    bitrate_kbps: Mapped[float | None] = mapped_column(Float)
    codec: Mapped[str | None] = mapped_column(String(32))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    restarts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    node_id: Mapped[str | None] = mapped_column(String(64), index=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    observed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # evidence for the map's health (geo/feed_health.py): the last time the feed ran, and what the
    # relay's latest check of the camera heard (relay/camera_checks.py) while nobody watched it
    ran_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered: Mapped[bool | None] = mapped_column(Boolean)

    camera: Mapped[Camera] = relationship()


class RelayNode(Base):
    __tablename__ = "relay_node"

    node_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_url: Mapped[str] = mapped_column(String(300))
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = [
    "AppUser",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "Camera",
    "DataVersion",
    "District",
    "DutyUnit",
    "Feed",
    "Layer",
    "Owner",
    "Post",
    "RelayNode",
    "UniqueConstraint",
    "WebSession",
    "utcnow",
]
