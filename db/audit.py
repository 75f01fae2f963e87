"""The audit log: who watched what, who asked whom for footage, who changed what.

Append-only from the application's side: this module writes events and reads them; the only way
rows leave the table is the retention purge, which itself leaves an event behind. Functions take an
open Session and never commit (the caller's unit of work does).

Event details never carry secrets: keys that look like credentials are dropped before writing.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from db import audit_segments
from db.audit_chain import GENESIS, Verdict, canonical_json, event_hash, iso_utc, verify
from db.models import AuditChainHead, AuditEvent, utcnow
from db.permissions import Actor

MAX_TARGET = 200
MAX_ACTOR = 80
DEFAULT_RETENTION_DAYS = 730
READ_LIMIT = 5000
SECRET_KEYS = ("password", "token", "secret", "stream_url", "credential", "authorization")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


class AuditAction(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    LIVE_VIEW = "live_view"
    TOKEN_GRANT = "token_grant"      # the relay handed out a viewing token (relay/api_audit.py)
    FEED_CONTROL = "feed_control"
    INCIDENT_CREATE = "incident_create"
    INCIDENT_STATUS = "incident_status"
    INCIDENT_DISPATCH = "incident_dispatch"
    FOOTAGE_REQUEST = "footage_request"
    FOOTAGE_STATUS = "footage_status"
    FOOTAGE_LETTER = "footage_letter"
    UPLOAD_LINK_CREATED = "upload_link_created"      # an owner's upload link (db/evidence.py)
    UPLOAD_LINK_CLOSED = "upload_link_closed"        # finished by the owner, revoked or replaced
    EVIDENCE_RECEIVED = "evidence_received"
    EVIDENCE_REFUSED = "evidence_refused"            # kept in quarantine, never deleted
    EVIDENCE_DOWNLOAD = "evidence_download"
    EVIDENCE_BUNDLE_EXPORT = "evidence_bundle_export"
    REGISTRY_IMPORT = "registry_import"
    REGISTRY_EDIT = "registry_edit"
    CONSENT_CHANGE = "consent_change"                # an owner's consent level or end date changed (db/io/consent_log)
    REGISTRY_EXPORT = "registry_export"
    ROSTER_IMPORT = "roster_import"
    USER_ADD = "user_add"
    USER_PASSWORD = "user_password"
    USER_DISABLE = "user_disable"
    USER_ENABLE = "user_enable"
    USER_ROLE = "user_role"
    USER_IDENTITY = "user_identity"                  # name, rank, NRP for signing letters
    AUDIT_EXPORT = "audit_export"
    AUDIT_PURGE = "audit_purge"


class AuditError(ValueError):
    """An audit filter or setting that cannot be used."""


def actor_name(actor: Actor | str) -> str:
    name = actor if isinstance(actor, str) else actor.username
    name = (name or "").strip()
    if not name:
        raise AuditError("an audit event needs the name of who acted")
    return name[:MAX_ACTOR]


def _clean_detail(detail: dict[str, Any] | None) -> dict[str, Any] | None:
    if not detail:
        return None
    clean = {}
    for key, value in detail.items():
        if any(word in str(key).lower() for word in SECRET_KEYS):
            continue
        clean[str(key)] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
    return clean or None


def record(session: Session, actor: Actor | str, action: AuditAction | str, target: str | None = None,
           detail: dict[str, Any] | None = None, at: datetime | None = None) -> AuditEvent:
    """Append one event. ``actor`` is an Actor or a user name (e.g. 'cli:root' for the command line)."""
    moment = (at or utcnow()).astimezone(UTC)
    event = AuditEvent(at=moment, actor=actor_name(actor),
                       action=str(AuditAction(action)), target=None if target is None else str(target)[:MAX_TARGET],
                       detail=_clean_detail(detail))
    _chain(session, event)
    return event


HEAD_ID = 1     # the one row of audit_chain_head
NO_HEAD = "the audit log's chain head is missing; run `noblindspot db upgrade`"


def _head(session: Session) -> AuditChainHead:
    head = session.get(AuditChainHead, HEAD_ID)
    if head is None:
        raise AuditError(NO_HEAD)
    return head


def _chain(session: Session, event: AuditEvent) -> None:
    """Append ``event`` to the hash chain. The head row is updated first, so a second writer waits
    for this transaction (a row lock on PostgreSQL, the write lock on SQLite) and chains onto it."""
    prev = session.execute(update(AuditChainHead).where(AuditChainHead.id == HEAD_ID)
                           .values(events=AuditChainHead.events + 1)
                           .returning(AuditChainHead.last_hash)).scalar_one_or_none()
    if prev is None:
        raise AuditError(NO_HEAD)
    event.prev_hash = prev
    session.add(event)
    session.flush()                                    # the id is part of what the hash covers
    # what the engine stores for the detail is canonical_json(detail) (db/engine.py): hash that text
    detail = canonical_json(event.detail) if event.detail is not None else None
    event.hash = event_hash(prev, event.id, iso_utc(event.at), event.actor, event.action, event.target, detail)
    session.execute(update(AuditChainHead).where(AuditChainHead.id == HEAD_ID)
                    .values(last_id=event.id, last_hash=event.hash))
    session.flush()


def record_live_view(session: Session, user: Actor | str, camera_code: str,
                     purpose: str | None = None) -> AuditEvent:
    """A user started watching a camera live (the player calls this when it mints a token), and why
    (geo/purpose.py: ``case:INC-...`` or ``reason:...``)."""
    return record(session, user, AuditAction.LIVE_VIEW, target=camera_code,
                  detail={"purpose": purpose} if purpose else None)


def record_feed_control(session: Session, user: Actor | str, camera_code: str, command: str,
                        detail: dict[str, Any] | None = None) -> AuditEvent:
    """An operator started/stopped/restarted/pinned a feed or changed its profile."""
    return record(session, user, AuditAction.FEED_CONTROL, target=camera_code,
                  detail={"command": command, **(detail or {})})


def record_registry_change(session: Session, user: Actor | str, kind: str, target: str,
                           detail: dict[str, Any] | None = None) -> AuditEvent:
    """A registry import (``kind='import'``, target = file name) or edit (``kind='edit'``, target = code)."""
    actions = {"import": AuditAction.REGISTRY_IMPORT, "edit": AuditAction.REGISTRY_EDIT}
    if kind not in actions:
        raise AuditError(f"registry change kind must be 'import' or 'edit', not {kind!r}")
    return record(session, user, actions[kind], target=target, detail=detail)


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    actions: tuple[str, ...] = ()
    target_contains: str | None = None

    def __post_init__(self) -> None:
        for when in (self.since, self.until):
            if when is not None and when.tzinfo is None:
                raise AuditError("audit filter times must be timezone-aware")
        if self.since and self.until and self.until < self.since:
            raise AuditError("the 'until' time is before the 'since' time; swap them")
        for action in self.actions:
            try:
                AuditAction(action)
            except ValueError:
                raise AuditError(f"unknown audit action {action!r}") from None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any] | None


def _like_literal(text: str) -> str:
    """``text`` matched literally by LIKE ... ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(stmt, flt: AuditFilter):
    if flt.since is not None:
        stmt = stmt.where(AuditEvent.at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(AuditEvent.at < flt.until)
    if flt.actor:
        stmt = stmt.where(AuditEvent.actor == flt.actor.strip())
    if flt.actions:
        stmt = stmt.where(AuditEvent.action.in_(list(flt.actions)))
    if flt.target_contains:
        pattern = "%" + _like_literal(flt.target_contains) + "%"
        stmt = stmt.where(AuditEvent.target.ilike(pattern, escape="\\"))
    return stmt


def read_events(session: Session, actor: Actor, flt: AuditFilter = AuditFilter(),
                limit: int = READ_LIMIT) -> list[AuditRow]:
    """Events matching the filter, newest first. Only roles allowed to read the audit log may."""
    actor.require("audit")
    stmt = _filtered(select(AuditEvent), flt).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return [AuditRow(e.id, e.at, e.actor, e.action, e.target, e.detail) for e in session.scalars(stmt)]


def count_events(session: Session, flt: AuditFilter = AuditFilter()) -> int:
    return session.scalar(_filtered(select(func.count(AuditEvent.id)), flt)) or 0


CASE_REQUEST_ACTIONS = (AuditAction.FOOTAGE_STATUS.value, AuditAction.FOOTAGE_LETTER.value)


def case_events(session: Session, case_code: str, request_ids: Iterable[int]) -> list[AuditEvent]:
    """One incident's part of the log, in chain order: events whose target is its code or starts with
    ``CODE/`` (requests, links, evidence, exports), and the status changes and letters of its footage
    requests (those name the request's id). For a case bundle; the caller checks who may export it."""
    pattern = _like_literal(case_code) + "/%"
    ids = [str(int(i)) for i in request_ids]
    mine = or_(AuditEvent.target == case_code, AuditEvent.target.like(pattern, escape="\\"))
    if ids:
        mine = or_(mine, and_(AuditEvent.action.in_(CASE_REQUEST_ACTIONS), AuditEvent.target.in_(ids)))
    return list(session.scalars(select(AuditEvent).where(mine).order_by(AuditEvent.id)))


def spreadsheet_safe(value: Any) -> str:
    """Text a spreadsheet will show, never evaluate: a leading = + - @ or control character gets a '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_text(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """CSV with every cell neutralised against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")   # CRLF: a cell with CR or LF is quoted (RFC 4180)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


def export_csv(session: Session, actor: Actor, flt: AuditFilter = AuditFilter()) -> str:
    """The filtered log as CSV (times in UTC, ISO 8601); the export is itself audited."""
    rows = read_events(session, actor, flt, limit=10 * READ_LIMIT)
    record(session, actor, AuditAction.AUDIT_EXPORT, detail={"rows": len(rows)})
    return csv_text(["at_utc", "actor", "action", "target", "detail"],
                    ([r.at.astimezone(UTC).isoformat(), r.actor, r.action, r.target or "",
                      json.dumps(r.detail, ensure_ascii=False, sort_keys=True) if r.detail else ""]
                     for r in rows))


def purge_older_than(session: Session, actor: Actor | str, retention_days: int,
                     now: datetime | None = None) -> int:
    """Delete events older than the retention period; the purge is recorded as a new event."""
    if not isinstance(retention_days, int) or retention_days < 30:
        raise AuditError("audit retention must be a whole number of days, at least 30")
    if not isinstance(actor, str):
        actor.require("audit")
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    # the chain stays verifiable: the purge event says which hash the first kept event links to
    last_gone = session.execute(select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.at < cutoff)
                                .order_by(AuditEvent.id.desc()).limit(1)).first()
    result = cast(CursorResult, session.execute(delete(AuditEvent).where(AuditEvent.id <= last_gone.id))
                  if last_gone is not None else None)
    deleted = (result.rowcount or 0) if result is not None else 0
    detail = {"deleted": deleted, "before": cutoff.isoformat(), "retention_days": retention_days}
    if last_gone is not None:
        detail.update(chain_anchor=last_gone.hash, chain_anchor_id=last_gone.id)
    record(session, actor, AuditAction.AUDIT_PURGE, detail=detail)
    return deleted


def _anchor(session: Session) -> str:
    """Where the chain starts: genesis, or the hash the latest purge removed last."""
    purges = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == AuditAction.AUDIT_PURGE.value)
                             .order_by(AuditEvent.id.desc()))
    for detail in purges:
        if detail and detail.get("chain_anchor"):
            return str(detail["chain_anchor"])
    return GENESIS


def verify_chain(session: Session, parallel_from: int | None = None, workers: int | None = None) -> Verdict:
    """Check every event and link of the whole log, in id segments walked in parallel from
    ``parallel_from`` events on (db/audit_segments.py); the verdict is always ``verify_chain_reference``'s."""
    head = _head(session)
    anchor = _anchor(session)
    engine = session.get_bind().engine
    connection = session.connection().connection
    return audit_segments.verify(connection, engine.dialect.name, audit_segments.Database.of(engine.url), anchor,
                                 head.last_hash, head.last_id, parallel_from=parallel_from, workers=workers)


def verify_chain_reference(session: Session, batch: int = 20_000) -> Verdict:
    """The sequential walk over the whole log in id order (rows read in batches); see db/audit_chain.py."""
    head = _head(session)
    anchor = _anchor(session)
    # plain rows from the driver's own cursor, the detail as its stored text: nothing is parsed or
    # rebuilt per row (SQLAlchemy's row objects cost more than the hashing)
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(VERIFY_QUERY)
        return verify(_batches(cursor, batch), anchor=anchor, head_hash=head.last_hash, head_id=head.last_id)
    finally:
        cursor.close()


VERIFY_QUERY = ("SELECT id, at, actor, action, target, CAST(detail AS TEXT), prev_hash, hash "
                "FROM audit_event ORDER BY id")


def _batches(cursor, size: int):
    while rows := cursor.fetchmany(size):
        yield from rows


@dataclass(frozen=True)
class Digest:
    at: datetime
    events: int
    last_id: int | None
    last_hash: str


def digest(session: Session, now: datetime | None = None) -> Digest:
    """The chain's latest hash, to keep outside the system (a later rewrite no longer ends in it)."""
    head = _head(session)
    return Digest(at=now or utcnow(), events=head.events, last_id=head.last_id, last_hash=head.last_hash)
