"""Footage hand-over: upload links for camera owners, the files they send, and their download.

Staff make a link for a footage request (``create_upload_link``; the token is shown once and only
its SHA-256 kept). The owner's page (relay/intake.py) opens it (``open_link``), uploads files into
the store's staging area and hands each over (``receive_file``): hashed, identified by ffprobe,
moved read-only into ``files/`` or, when it is no video, into ``quarantine/`` (kept, never deleted),
and recorded. The first accepted file moves the request to *received* by itself. The owner ends with
``finish_link``; staff may ``revoke_link``. Every step is audited; nothing here commits.

Owner-side refusals are ``LinkRefused`` with a ``reason`` code the owner page translates; staff-side
refusals are ``EvidenceError`` (a ``FootageError``) with a plain English message.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from db.audit import AuditAction, record
from db.evidence_probe import ffprobe_file
from db.evidence_store import (
    DEFAULT_MAX_UPLOAD_BYTES,
    EvidenceStore,
    EvidenceStoreError,
    clean_name,
    extension,
    sha256_of,
)
from db.footage import FootageError, FootageNotFound, apply_status
from db.incidents import IncidentError, clean_text
from db.models import Camera, Owner, utcnow
from db.models_evidence import DEFAULT_MAX_FILES, EvidenceFile, FootageUploadLink
from db.models_ops import FootageRequest, Incident
from db.permissions import Actor
from geo.media_info import EvidenceVerdict, MediaInfo, NotMedia, RefusalReason
from geo.urgency import OPEN_FOOTAGE, FootageStatus, IncidentStatus

DEFAULT_LINK_HOURS = 72
MAX_LINK_HOURS = 24 * 14
MAX_PURPOSE = 200
RECEIVED_NOTE = "uploaded by owner via link"
NO_LINK_STATUSES = frozenset({FootageStatus.RECEIVED, FootageStatus.REVIEWED, FootageStatus.UNAVAILABLE})
Probe = Callable[[Path], MediaInfo]   # raises NotMedia for a file that is no video evidence


class EvidenceError(FootageError):
    """A link, download or bundle that staff cannot make; the message says why."""


class EvidenceNotFound(LookupError):
    """No upload link or evidence file with that id."""


class LinkRefused(Exception):
    """The owner's link cannot be used; ``reason`` (unknown, expired, closed, full) picks the owner's text."""

    reason = "refused"


class LinkUnknown(LinkRefused):
    reason = "unknown"


class LinkExpired(LinkRefused):
    reason = "expired"


class LinkClosed(LinkRefused):
    reason = "closed"


class LinkFull(LinkRefused):
    reason = "full"


@dataclass(frozen=True)
class ReceivedFile:
    """A file already handed over through the link, as the owner may see it."""

    name: str
    verdict: EvidenceVerdict
    size_bytes: int
    received_at: datetime
    sha256: str


@dataclass(frozen=True)
class LinkGrant:
    """What the owner page may show and enforce for one open link."""

    link_id: int
    request_id: int
    case_code: str                  # the incident's code
    camera_code: str | None
    camera_name: str | None
    owner_name: str | None
    window_start: datetime
    window_end: datetime
    expires_at: datetime
    files: tuple[ReceivedFile, ...]
    max_files: int
    max_bytes: int

    @property
    def files_received(self) -> int:
        return len(self.files)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_actor(link: FootageUploadLink | int) -> str:
    """How the owner acting through a link is named in histories and the audit log."""
    return f"owner-link:{link if isinstance(link, int) else link.id}"


def evidence_target(incident_code: str, request_id: int) -> str:
    """Audit target of every evidence event: under the incident's code, so a case extract finds it."""
    return f"{incident_code}/request-{request_id}"


# --- staff: links ------------------------------------------------------------------------------------------

def create_upload_link(session: Session, actor: Actor, request_id: int, hours: int = DEFAULT_LINK_HOURS,
                       now: datetime | None = None,
                       max_files: int = DEFAULT_MAX_FILES) -> tuple[FootageUploadLink, str]:
    """A new link for the request's owner and its token (show it once: only its hash is kept). Earlier
    open links of the request are closed as 'replaced'."""
    actor.require("footage.edit")
    now = now or utcnow()
    if not isinstance(hours, int) or not 1 <= hours <= MAX_LINK_HOURS:
        raise EvidenceError(f"an upload link lasts between 1 and {MAX_LINK_HOURS} hours, not {hours!r}")
    if not isinstance(max_files, int) or not 1 <= max_files <= 1000:
        raise EvidenceError("an upload link takes between 1 and 1000 files")
    request, incident = _request(session, request_id)
    if incident.status == IncidentStatus.CLOSED:
        raise EvidenceError(f"incident {incident.code} is closed: re-open it before asking the owner for footage")
    if FootageStatus(request.status) in NO_LINK_STATUSES:
        raise EvidenceError(f"footage request {request.id} is already '{FootageStatus(request.status).value}': "
                            "an upload link is only for a request still waiting for footage")
    for old in session.scalars(select(FootageUploadLink).where(FootageUploadLink.request_id == request.id)
                               .where(FootageUploadLink.closed_at.is_(None))):
        _close(session, actor, old, incident, "replaced", now)
    token = secrets.token_urlsafe(32)
    link = FootageUploadLink(request_id=request.id, token_hash=token_hash(token), created_by=actor.username,
                             created_at=now, expires_at=now + timedelta(hours=hours), max_files=max_files)
    session.add(link)
    session.flush()
    record(session, actor, AuditAction.UPLOAD_LINK_CREATED, target=evidence_target(incident.code, request.id),
           detail={"request": request.id, "link": link.id, "expires": link.expires_at.isoformat(),
                   "max_files": max_files}, at=now)
    return link, token


def revoke_link(session: Session, actor: Actor, link_id: int, now: datetime | None = None) -> FootageUploadLink:
    actor.require("footage.edit")
    link = session.get(FootageUploadLink, link_id)
    if link is None:
        raise EvidenceNotFound(f"no upload link {link_id}")
    if link.closed_at is not None:
        raise EvidenceError(f"upload link {link_id} is already closed ({link.closed_reason})")
    _close(session, actor, link, _request(session, link.request_id)[1], "revoked", now or utcnow())
    return link


def _close(session: Session, actor: Actor | str, link: FootageUploadLink, incident: Incident, reason: str,
           now: datetime) -> None:
    link.closed_at, link.closed_reason = now, reason
    record(session, actor, AuditAction.UPLOAD_LINK_CLOSED, target=evidence_target(incident.code, link.request_id),
           detail={"request": link.request_id, "link": link.id, "reason": reason,
                   "files": _files_on(session, link.id)}, at=now)
    session.flush()


def _request(session: Session, request_id: int) -> tuple[FootageRequest, Incident]:
    request = session.get(FootageRequest, request_id)
    if request is None:
        raise FootageNotFound(f"no footage request {request_id}")
    incident = session.get(Incident, request.incident_id)
    assert incident is not None   # footage_request.incident_id is NOT NULL with a foreign key
    return request, incident


def _files_on(session: Session, link_id: int) -> int:
    return session.scalar(select(func.count(EvidenceFile.id)).where(EvidenceFile.link_id == link_id)) or 0


# --- owner: open, hand over, finish ------------------------------------------------------------------------

def _find(session: Session, token: str, lock: bool = False) -> FootageUploadLink:
    if not isinstance(token, str) or not 16 <= len(token) <= 128:
        raise LinkUnknown("no upload link matches this address")
    stmt = select(FootageUploadLink).where(FootageUploadLink.token_hash == token_hash(token))
    link = session.scalar(stmt.with_for_update() if lock else stmt)
    if link is None:
        raise LinkUnknown("no upload link matches this address")
    return link


def _check_open(link: FootageUploadLink, now: datetime) -> None:
    if link.closed_at is not None:
        raise LinkClosed(f"this upload link was closed ({link.closed_reason})")
    if now >= link.expires_at:
        raise LinkExpired("this upload link has expired; ask the police station for a new one")


def usable_link_ids(session: Session, link_ids: set[int], now: datetime) -> set[int]:
    """Which of these links can still receive (open and unexpired): partial uploads of the others are
    abandoned and may be removed from staging."""
    if not link_ids:
        return set()
    stmt = (select(FootageUploadLink.id).where(FootageUploadLink.id.in_(link_ids))
            .where(FootageUploadLink.closed_at.is_(None)).where(FootageUploadLink.expires_at > now))
    return set(session.scalars(stmt))


def open_link(session: Session, token: str, now: datetime | None = None,
              max_bytes: int | None = None) -> LinkGrant:
    """The grant behind an owner's link; LinkUnknown / LinkExpired / LinkClosed otherwise. The link is
    found by its token's hash, never by the token."""
    link = _find(session, token)
    _check_open(link, now or utcnow())
    return _grant(session, link, max_bytes if max_bytes is not None else DEFAULT_MAX_UPLOAD_BYTES)


def _grant(session: Session, link: FootageUploadLink, max_bytes: int) -> LinkGrant:
    request, incident = _request(session, link.request_id)
    camera = session.get(Camera, request.camera_id) if request.camera_id is not None else None
    owner = session.get(Owner, request.owner_id) if request.owner_id is not None else None
    files = tuple(ReceivedFile(f.original_name, EvidenceVerdict(f.verdict), f.size_bytes, f.received_at, f.sha256)
                  for f in session.scalars(select(EvidenceFile).where(EvidenceFile.link_id == link.id)
                                           .order_by(EvidenceFile.id)))
    return LinkGrant(link.id, request.id, incident.code, camera.code if camera else None,
                     camera.name if camera else None, owner.name if owner else None, request.window_start,
                     request.window_end, link.expires_at, files, link.max_files, max_bytes)


def finish_link(session: Session, token: str, now: datetime | None = None) -> LinkGrant:
    """The owner is done: the link closes ('finished'); using it again is LinkClosed."""
    now = now or utcnow()
    link = _find(session, token, lock=True)
    _check_open(link, now)
    grant = _grant(session, link, DEFAULT_MAX_UPLOAD_BYTES)
    _close(session, link_actor(link), link, _request(session, link.request_id)[1], "finished", now)
    return grant


def receive_file(session: Session, link: LinkGrant | int, staged_path: Path, original_name: str | None,
                 client_address: str | None, store: EvidenceStore, probe: Probe = ffprobe_file,
                 now: datetime | None = None) -> EvidenceFile:
    """Hand one fully uploaded file over: hash, identify, record, then move it into the store.

    A file that is empty, too large or no video is recorded as refused and kept in quarantine. Every
    database write is flushed before the file moves, so a failing write leaves the staged file where
    it was; a file moved in by a transaction that then rolls back (or is closed uncommitted) is put
    aside under quarantine/unrecorded/ and logged, never left in files/ without a row."""
    now = now or utcnow()
    found = session.get(FootageUploadLink, link.link_id if isinstance(link, LinkGrant) else link,
                        with_for_update=True)
    if found is None:
        raise LinkUnknown("no upload link matches this address")
    _check_open(found, now)
    if _files_on(session, found.id) >= found.max_files:
        raise LinkFull(f"this upload link takes at most {found.max_files} files")
    request, incident = _request(session, found.request_id)
    name = clean_name(original_name)
    sha256, size = sha256_of(Path(staged_path))
    info, reason = _identify(Path(staged_path), size, store.max_bytes, probe)
    row = _row(session, found, request, name, sha256, size, info, reason, client_address, now)
    row.stored_path = store.relative_path(request.id, row.id, sha256, extension(name), accepted=info is not None)
    if info is not None and FootageStatus(request.status) in OPEN_FOOTAGE:
        apply_status(session, link_actor(found), request, FootageStatus.RECEIVED, RECEIVED_NOTE, now)
    action = AuditAction.EVIDENCE_RECEIVED if info is not None else AuditAction.EVIDENCE_REFUSED
    record(session, link_actor(found), action, target=evidence_target(incident.code, request.id),
           detail={"request": request.id, "file": row.id, "sha256": sha256, "size": size,
                   "reason": reason.value if reason else None, "name": name}, at=now)
    session.flush()
    _set_aside_unless_committed(session, store, store.admit(Path(staged_path), row.stored_path, sha256))
    return row


def _identify(path: Path, size: int, max_bytes: int, probe: Probe) -> tuple[MediaInfo | None, RefusalReason | None]:
    if size == 0:
        return None, RefusalReason.EMPTY
    if size > max_bytes:
        return None, RefusalReason.TOO_LARGE
    try:
        return probe(path), None
    except NotMedia as exc:
        return None, exc.reason


def _row(session: Session, link: FootageUploadLink, request: FootageRequest, name: str, sha256: str, size: int,
         info: MediaInfo | None, reason: RefusalReason | None, client_address: str | None,
         now: datetime) -> EvidenceFile:
    owner = session.get(Owner, request.owner_id) if request.owner_id is not None else None
    row = EvidenceFile(request_id=request.id, link_id=link.id, original_name=name, stored_path="", sha256=sha256,
                       size_bytes=size, verdict=EvidenceVerdict.ACCEPTED if info else EvidenceVerdict.REFUSED,
                       refusal_reason=reason.value if reason else None, received_at=now,
                       received_from=f"owner link #{link.id}" + (f" ({owner.name})" if owner else ""),
                       client_address=(client_address or None) and str(client_address)[:64])
    if info is not None:
        row.container, row.video_codec, row.width, row.height = info.container, info.video_codec[:40], \
            info.width, info.height
        row.duration_s, row.media_start, row.media_end = info.duration_s, info.media_start, info.media_end
    session.add(row)
    session.flush()
    return row


_PENDING = "evidence_moved_in"


def _set_aside_unless_committed(session: Session, store: EvidenceStore, path: Path) -> None:
    if not event.contains(session, "after_transaction_end", _transaction_ended):
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_transaction_end", _transaction_ended)
    session.info.setdefault(_PENDING, []).append((store, path))


def _committed(session: Session) -> None:
    session.info[_PENDING] = []


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    for store, path in session.info.pop(_PENDING, []):
        if path.exists():
            store.set_aside(path)


# --- staff: reading and downloading ------------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceRow:
    id: int
    request_id: int
    incident_code: str
    camera_code: str | None
    original_name: str
    verdict: EvidenceVerdict
    refusal_reason: str | None
    sha256: str
    size_bytes: int
    container: str | None
    video_codec: str | None
    width: int | None
    height: int | None
    duration_s: float | None
    media_start: datetime | None
    media_end: datetime | None
    received_at: datetime
    received_from: str
    stored_path: str


def list_evidence(session: Session, actor: Actor, request_id: int | None = None,
                  incident: int | str | None = None) -> list[EvidenceRow]:
    """Files received for one request or for every request of one incident, oldest first."""
    actor.require("footage")
    if (request_id is None) == (incident is None):
        raise EvidenceError("list the evidence of one footage request or of one incident")
    stmt = (select(EvidenceFile, Incident.code, Camera.code)
            .join(FootageRequest, EvidenceFile.request_id == FootageRequest.id)
            .join(Incident, FootageRequest.incident_id == Incident.id)
            .outerjoin(Camera, FootageRequest.camera_id == Camera.id)
            .order_by(EvidenceFile.received_at, EvidenceFile.id))
    if request_id is not None:
        stmt = stmt.where(EvidenceFile.request_id == request_id)
    else:
        stmt = stmt.where(Incident.id == incident if isinstance(incident, int) else Incident.code == incident)
    return [EvidenceRow(f.id, f.request_id, code, camera, f.original_name, EvidenceVerdict(f.verdict),
                        f.refusal_reason, f.sha256, f.size_bytes, f.container, f.video_codec, f.width, f.height,
                        f.duration_s, f.media_start, f.media_end, f.received_at, f.received_from, f.stored_path)
            for f, code, camera in session.execute(stmt).all()]


def clean_purpose(purpose: str | None) -> str:
    """Why evidence leaves the store (``case:INC-...``, ``reason:investigation``, or a short text)."""
    try:
        text = clean_text(purpose, MAX_PURPOSE, "purpose")
    except IncidentError as exc:
        raise EvidenceError(str(exc)) from None
    if not text:
        raise EvidenceError("state the purpose of the download (the case, or why the footage leaves the store)")
    return text


def open_evidence_file(session: Session, actor: Actor, file_id: int, store: EvidenceStore, purpose: str,
                       now: datetime | None = None) -> Path:
    """The stored file's path (read-only) for a download; the download and its purpose are audited."""
    actor.require("footage.edit")
    why = clean_purpose(purpose)
    row = session.get(EvidenceFile, file_id)
    if row is None:
        raise EvidenceNotFound(f"no evidence file {file_id}")
    path = store.path_of(row.stored_path)
    if not path.is_file():
        raise EvidenceStoreError(f"evidence file {file_id} is missing from the store ({row.stored_path})")
    incident = _request(session, row.request_id)[1]
    record(session, actor, AuditAction.EVIDENCE_DOWNLOAD, target=evidence_target(incident.code, row.request_id),
           detail={"request": row.request_id, "file": row.id, "sha256": row.sha256, "purpose": why}, at=now)
    return path


__all__ = ["EvidenceError", "EvidenceNotFound", "EvidenceRow", "LinkClosed", "LinkExpired", "LinkFull",
           "LinkGrant", "LinkRefused", "LinkUnknown", "ReceivedFile", "clean_purpose", "create_upload_link",
           "evidence_target", "finish_link", "link_actor", "list_evidence", "open_evidence_file", "open_link",
           "receive_file", "revoke_link", "token_hash", "usable_link_ids"]
