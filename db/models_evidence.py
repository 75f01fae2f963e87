"""Evidence tables: the upload links owners hand footage over through, and each file received.
Created by migration 0006.

Importing this module registers the tables on ``db.models.Base.metadata`` (db/migrations/env.py
imports it for the whole schema). A link's token is never stored, only its SHA-256; a file's
``stored_path`` is relative to the evidence root (db/evidence_store.py), so the store can move.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Enum, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models import Base, UTCDateTime, utcnow
from db.models_ops import FootageRequest
from geo.media_info import EvidenceVerdict

DEFAULT_MAX_FILES = 20


class FootageUploadLink(Base):
    __tablename__ = "footage_upload_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("footage_request.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)   # sha256 hex of the token
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(String(24))      # finished, revoked, replaced
    max_files: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_FILES)

    request: Mapped[FootageRequest] = relationship()


class EvidenceFile(Base):
    __tablename__ = "evidence_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("footage_request.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("footage_upload_link.id", ondelete="SET NULL"),
                                                index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    verdict: Mapped[EvidenceVerdict] = mapped_column(
        Enum(EvidenceVerdict, name="evidence_verdict", native_enum=False, create_constraint=True, length=24,
             values_callable=lambda e: [m.value for m in e], validate_strings=True), index=True)
    refusal_reason: Mapped[str | None] = mapped_column(String(24))
    container: Mapped[str | None] = mapped_column(String(80))
    video_codec: Mapped[str | None] = mapped_column(String(40))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    duration_s: Mapped[float | None] = mapped_column(Float)
    media_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    media_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_from: Mapped[str] = mapped_column(Text)
    client_address: Mapped[str | None] = mapped_column(String(64))

    request: Mapped[FootageRequest] = relationship()
    link: Mapped[FootageUploadLink | None] = relationship()


__all__ = ["DEFAULT_MAX_FILES", "EvidenceFile", "FootageUploadLink"]
