"""Operations tables: incidents, footage requests to camera owners and their status history, and the
sign-in control columns of app_user. Created by migration 0002.

Importing this module registers the tables on ``db.models.Base.metadata``. It builds on db/models.py,
never the other way round: the code that needs the whole schema (the Alembic environment,
db/migrations/env.py) imports both. The sign-in columns of ``app_user`` live in db/models.py.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models import Base, Camera, Owner, Post, UTCDateTime, utcnow
from geo.urgency import FootageStatus, IncidentStatus


def _status(enum_cls, name: str) -> Enum:
    return Enum(enum_cls, name=name, native_enum=False, create_constraint=True, length=24,
                values_callable=lambda e: [m.value for m in e], validate_strings=True)


class Incident(Base):
    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # the case reference on letters
    event_time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("camera.id", ondelete="SET NULL"))
    status: Mapped[IncidentStatus] = mapped_column(_status(IncidentStatus, "incident_status"), index=True,
                                                   default=IncidentStatus.OPEN)
    dispatched_to_post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"))
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_by: Mapped[str | None] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    camera: Mapped[Camera | None] = relationship()
    dispatched_to: Mapped[Post | None] = relationship()


class FootageRequest(Base):
    __tablename__ = "footage_request"
    __table_args__ = (UniqueConstraint("incident_id", "camera_id", name="uq_footage_request_incident_camera"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("camera.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owner.id", ondelete="SET NULL"), index=True)
    polsek_post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"), index=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    retention_days: Mapped[int | None] = mapped_column(Integer)  # as registered when requested
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    status: Mapped[FootageStatus] = mapped_column(_status(FootageStatus, "footage_status"), index=True,
                                                  default=FootageStatus.REQUESTED)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    incident: Mapped[Incident] = relationship()
    camera: Mapped[Camera | None] = relationship()
    owner: Mapped[Owner | None] = relationship()
    polsek: Mapped[Post | None] = relationship()


class FootageRequestEvent(Base):
    """One status change of a footage request: who, when, from what to what, and a note."""

    __tablename__ = "footage_request_event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("footage_request.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    from_status: Mapped[FootageStatus | None] = mapped_column(_status(FootageStatus, "footage_event_from"))
    to_status: Mapped[FootageStatus] = mapped_column(_status(FootageStatus, "footage_event_to"))
    note: Mapped[str | None] = mapped_column(Text)


__all__ = ["FootageRequest", "FootageRequestEvent", "Incident"]
