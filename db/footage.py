"""Footage requests: asking owners of registered cameras for their DVR recording of an incident.

Each request carries a deadline (event time + the camera's DVR retention), a status with its history
(who changed it, when, with what note) and the Polsek whose jurisdiction holds the camera, so each
station works its own queue. The queue is ordered by urgency (hours left before the recorder
overwrites the event). Service functions check the actor's role, validate before writing, audit,
and never commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from db.audit import AuditAction, record
from db.incidents import IncidentError, clean_text, get_incident
from db.models import Camera, District, Owner, Post, utcnow
from db.models_ops import FootageRequest, FootageRequestEvent, Incident
from db.users import Actor
from geo.urgency import (
    FootageStatus,
    TransitionError,
    Urgency,
    WindowError,
    by_urgency,
    check_transition,
    check_window,
    footage_deadline,
    footage_window,
    urgency_of,
)
from geo.vocabulary import PostKind

MAX_NOTE = 1000


class FootageError(ValueError):
    """A footage request or status change that cannot be made; the message says why."""


class FootageNotFound(LookupError):
    """No footage request with that id."""


@dataclass(frozen=True)
class Skipped:
    camera_code: str
    reason: str


@dataclass(frozen=True)
class RequestOutcome:
    created: list[FootageRequest]
    skipped: list[Skipped]


def jurisdiction_polsek_id(session: Session, camera: Camera) -> int | None:
    """The Polsek in the camera's kecamatan (a Polsek's jurisdiction is its kecamatan)."""
    if camera.district_id is None:
        return None
    district = session.get(District, camera.district_id)
    if district is None:
        return None
    kecamatan_id = district.parent_id or district.id
    post_district = aliased(District)
    stmt = (select(Post.id).join(post_district, Post.district_id == post_district.id)
            .where(Post.kind == PostKind.POLSEK)
            .where(or_(post_district.id == kecamatan_id, post_district.parent_id == kecamatan_id))
            .order_by(Post.code).limit(1))
    return session.scalar(stmt)


def _window(incident: Incident, window: tuple[datetime, datetime] | None) -> tuple[datetime, datetime]:
    try:
        return check_window(*window) if window is not None else footage_window(incident.event_time)
    except WindowError as exc:
        raise FootageError(str(exc)) from None


def _skip_reason(camera: Camera | None, code: str, existing: set[int]) -> str | None:
    if camera is None:
        return f"no camera with code {code!r}"
    if camera.owner_id is None:
        return "the camera has no registered owner to ask"
    if camera.id in existing:
        return "footage was already requested for this incident"
    return None


def request_footage(session: Session, actor: Actor, incident: int | str, camera_codes: list[str],
                    window: tuple[datetime, datetime] | None = None, now: datetime | None = None) -> RequestOutcome:
    """One request per camera (owners of cameras that saw the incident). Cameras that cannot be asked
    are returned as skipped with the reason; nothing is written when no camera qualifies."""
    actor.require("footage.edit")
    found = get_incident(session, actor, incident)
    now = now or utcnow()
    start, end = _window(found, window)
    codes = list(dict.fromkeys(c.strip() for c in camera_codes if c and c.strip()))
    if not codes:
        raise FootageError("choose at least one camera to request footage from")
    cameras = {c.code: c for c in session.scalars(select(Camera).where(Camera.code.in_(codes)))}
    existing = {cid for cid in session.scalars(select(FootageRequest.camera_id)
                                               .where(FootageRequest.incident_id == found.id)) if cid is not None}
    created, skipped = [], []
    for code in codes:
        reason = _skip_reason(cameras.get(code), code, existing)
        if reason:
            skipped.append(Skipped(code, reason))
            continue
        created.append(_new_request(session, actor, found, cameras[code], start, end, now))
    if not created:
        raise FootageError("no request made: " + "; ".join(f"{s.camera_code}: {s.reason}" for s in skipped))
    return RequestOutcome(created, skipped)


def _new_request(session: Session, actor: Actor, incident: Incident, camera: Camera, start: datetime,
                 end: datetime, now: datetime) -> FootageRequest:
    retention = camera.dvr_retention_days
    request = FootageRequest(incident_id=incident.id, camera_id=camera.id, owner_id=camera.owner_id,
                             polsek_post_id=jurisdiction_polsek_id(session, camera), window_start=start,
                             window_end=end, retention_days=retention,
                             deadline=footage_deadline(incident.event_time, retention),
                             status=FootageStatus.REQUESTED, created_by=actor.username, created_at=now,
                             updated_at=now)
    session.add(request)
    session.flush()
    session.add(FootageRequestEvent(request_id=request.id, at=now, actor=actor.username, from_status=None,
                                    to_status=FootageStatus.REQUESTED))
    record(session, actor, AuditAction.FOOTAGE_REQUEST, target=f"{incident.code}/{camera.code}",
           detail={"request": request.id, "deadline": request.deadline.isoformat() if request.deadline else None,
                   "purpose": f"case:{incident.code}"},   # a footage request's purpose is its incident
           at=now)
    return request


def change_status(session: Session, actor: Actor, request_id: int, status: FootageStatus | str,
                  note: str | None = None, now: datetime | None = None) -> FootageRequest:
    actor.require("footage.edit")
    request = session.get(FootageRequest, request_id)
    if request is None:
        raise FootageNotFound(f"no footage request {request_id}")
    now = now or utcnow()
    try:
        note = (clean_text(note, MAX_NOTE, "note") or None) if note else None
    except IncidentError as exc:
        raise FootageError(str(exc)) from None
    try:
        new = check_transition(FootageStatus(request.status), FootageStatus(status))
    except ValueError as exc:  # TransitionError, or an unknown status
        raise FootageError(str(exc) if isinstance(exc, TransitionError) else f"unknown status {status!r}") from None
    return apply_status(session, actor, request, new, note, now)


def apply_status(session: Session, actor: Actor | str, request: FootageRequest, new: FootageStatus,
                 note: str | None, now: datetime) -> FootageRequest:
    """Move an already checked request to ``new``: its history row and its audit event. For callers
    that checked the transition themselves; a system actor (``owner-link:<id>``) is a plain name."""
    previous = FootageStatus(request.status)
    request.status, request.updated_at = new, now
    name = actor if isinstance(actor, str) else actor.username
    session.add(FootageRequestEvent(request_id=request.id, at=now, actor=name, from_status=previous,
                                    to_status=new, note=note))
    record(session, actor, AuditAction.FOOTAGE_STATUS, target=str(request.id),
           detail={"from": previous.value, "to": new.value}, at=now)
    session.flush()
    return request


@dataclass(frozen=True)
class QueueRow:
    """One request as the footage page shows it; owner contacts only for roles allowed to see them."""

    id: int
    incident_code: str
    incident_category: str
    event_time: datetime
    camera_code: str | None
    camera_name: str | None
    owner_name: str | None
    owner_phone: str | None
    owner_email: str | None
    owner_address: str | None
    polsek_code: str | None
    polsek_name: str | None
    window_start: datetime
    window_end: datetime
    retention_days: int | None
    deadline: datetime | None
    status: FootageStatus
    urgency: Urgency


def _queue_stmt():
    return (select(FootageRequest, Incident, Camera, Owner, Post)
            .join(Incident, FootageRequest.incident_id == Incident.id)
            .outerjoin(Camera, FootageRequest.camera_id == Camera.id)
            .outerjoin(Owner, FootageRequest.owner_id == Owner.id)
            .outerjoin(Post, FootageRequest.polsek_post_id == Post.id))


def footage_queue(session: Session, actor: Actor, polsek_code: str | None = None, incident: int | str | None = None,
                  include_finished: bool = False, now: datetime | None = None) -> list[QueueRow]:
    """Requests most urgent first; optionally one Polsek's or one incident's only."""
    actor.require("footage")
    now = now or utcnow()
    stmt = _queue_stmt()
    if polsek_code:
        stmt = stmt.where(Post.code == polsek_code)
    if incident is not None:
        stmt = stmt.where(Incident.id == get_incident(session, actor, incident).id)
    if not include_finished:
        stmt = stmt.where(FootageRequest.status.in_([FootageStatus.REQUESTED, FootageStatus.OWNER_CONTACTED]))
    contacts = actor.can("owner_contacts")
    rows = [_row(r, i, c, o, p, contacts, now) for r, i, c, o, p in session.execute(stmt).all()]
    return by_urgency(rows, now)


def _row(r: FootageRequest, i: Incident, c: Camera | None, o: Owner | None, p: Post | None, contacts: bool,
         now: datetime) -> QueueRow:
    status = FootageStatus(r.status)
    return QueueRow(r.id, i.code, i.category, i.event_time, c.code if c else None, c.name if c else None,
                    o.name if o else None, o.phone if o and contacts else None,
                    o.email if o and contacts else None, o.address if o and contacts else None,
                    p.code if p else None, p.name if p else None, r.window_start, r.window_end,
                    r.retention_days, r.deadline, status, urgency_of(status, r.deadline, now))


def grouped_by_polsek(rows: list[QueueRow]) -> dict[str, list[QueueRow]]:
    """Rows per Polsek name (in urgency order within each; '' for cameras outside any jurisdiction)."""
    groups: dict[str, list[QueueRow]] = {}
    for row in rows:
        groups.setdefault(row.polsek_name or "", []).append(row)
    return groups


def history(session: Session, actor: Actor, request_id: int) -> list[FootageRequestEvent]:
    actor.require("footage")
    return list(session.scalars(select(FootageRequestEvent).where(FootageRequestEvent.request_id == request_id)
                                .order_by(FootageRequestEvent.at, FootageRequestEvent.id)))


def request_row(session: Session, actor: Actor, request_id: int, now: datetime | None = None) -> QueueRow:
    actor.require("footage")
    found = session.execute(_queue_stmt().where(FootageRequest.id == request_id)).first()
    if found is None:
        raise FootageNotFound(f"no footage request {request_id}")
    request, incident, camera, owner, post = found
    return _row(request, incident, camera, owner, post, actor.can("owner_contacts"), now or utcnow())


def record_letter_printed(session: Session, actor: Actor, request_id: int) -> None:
    actor.require("footage.edit")
    record(session, actor, AuditAction.FOOTAGE_LETTER, target=str(request_id))


__all__ = ["FootageError", "FootageNotFound", "IncidentError", "QueueRow", "RequestOutcome", "Skipped",
           "apply_status", "change_status", "footage_queue", "grouped_by_polsek", "history", "jurisdiction_polsek_id",
           "record_letter_printed", "request_footage", "request_row"]
