"""Owner footage intake over HTTP: the page an owner opens from a request link, and a tus upload.

A footage request's link (db/evidence.py makes it; only its hash is stored) is the capability: it
opens one page about one request and an upload that can only add files to that request. Nothing else
of the product is reachable through it. Uploads use the tus 1.0.0 resumable protocol (core +
``creation`` + ``termination``), spoken on the page by tus-js-client (npm), so a phone that loses its
connection resumes where it stopped:

    POST   /intake/{link}/files            Upload-Length, Upload-Metadata  -> 201 Location
    HEAD   /intake/{link}/files/{upload}   -> Upload-Offset, Upload-Length
    PATCH  /intake/{link}/files/{upload}   Upload-Offset, application/offset+octet-stream -> 204
    DELETE /intake/{link}/files/{upload}   the owner cancels -> 204

Partial uploads live in the evidence store's staging directory (outside any served path). When the
last byte arrives the file is handed to ``db.evidence.receive_file`` (hashed, identified with ffprobe,
stored or kept aside, recorded, the request marked received) in a worker thread. Each PATCH body is
one chunk (``CHUNK_BYTES``, 1 MiB), so the relay's 30 s body deadline holds on a 0.3 Mbit/s line.

Errors are JSON ``{"detail": ...}`` in English for logs and tools, plus ``reason`` codes that the
page turns into Bahasa Indonesia; the link itself never appears in a log line or an error text.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import math
import os
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from db import evidence
from db.evidence_probe import ffprobe_file
from db.evidence_store import EvidenceStore
from db.models import utcnow
from geo.media_info import MediaInfo
from relay.rate_limit import RateLimiter

log = logging.getLogger(__name__)
PAGE_DIR = Path(__file__).resolve().parent / "intake_page"
TUS_JS_DEFAULT = Path(__file__).resolve().parents[1] / "node_modules" / "tus-js-client" / "dist" / "tus.min.js"
TUS_VERSION = "1.0.0"
CHUNK_BYTES = 1024 * 1024
FREE_MARGIN = 512 * 1024 * 1024   # disk left for the database, HLS segments and logs
UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
LINK_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; "
                                           "style-src 'self'; img-src 'self'; form-action 'none'; "
                                           "base-uri 'none'; frame-ancestors 'none'",
                "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", **NO_STORE}
# what the page tells an owner for each refusal (codes from db.evidence.LinkRefused and this module)
REFUSAL_STATUS = {"unknown": 404, "expired": 410, "closed": 410, "full": 409}


@dataclass(frozen=True)
class IntakeSettings:
    store: EvidenceStore               # its max_bytes is the size limit of one file
    probe: Callable[[Path], MediaInfo] = ffprobe_file
    per_client_s: float = 20.0          # requests a second from one address (a resuming phone: 1-3)
    tus_js_path: Path = TUS_JS_DEFAULT
    clock: Callable[[], datetime] = utcnow


@dataclass
class _Upload:
    """A tus upload's state, kept beside its partial file as ``<id>.json`` (survives a relay restart)."""
    upload_id: str
    link_id: int
    length: int
    name: str

    def to_json(self) -> str:
        return json.dumps({"upload_id": self.upload_id, "link_id": self.link_id, "length": self.length,
                           "name": self.name})


class IntakeRefused(HTTPException):
    """An intake request refused: an HTTP status, the English detail and the reason code the page words."""

    def __init__(self, status: int, reason: str, detail: str, headers: dict | None = None) -> None:
        super().__init__(status, detail, headers={**NO_STORE, **(headers or {})})
        self.reason = reason


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def public_view(found: evidence.LinkGrant) -> dict:
    """What the owner's page shows: the request's camera and time, the link's expiry and what arrived
    (never the owner's registry record, other requests or who in the police asked)."""
    return {"case_code": found.case_code, "camera_name": found.camera_name,
            "window_start": _iso(found.window_start), "window_end": _iso(found.window_end),
            "expires_at": _iso(found.expires_at), "max_files": found.max_files,
            "files": [{"name": f.name, "verdict": str(f.verdict), "size_bytes": f.size_bytes,
                       "received_at": _iso(f.received_at),
                       "sha256": f.sha256 if str(f.verdict) == "accepted" else None} for f in found.files]}


def file_name_from_metadata(header: str | None) -> str:
    """The ``filename`` of a tus ``Upload-Metadata`` header (``key base64,key base64``), or "upload"."""
    for pair in (header or "").split(","):
        key, _, value = pair.strip().partition(" ")
        if key in ("filename", "name") and value:
            try:
                return base64.b64decode(value, validate=True).decode("utf-8", "replace")[:255] or "upload"
            except (binascii.Error, ValueError):
                raise IntakeRefused(400, "metadata", "Upload-Metadata filename is not base64") from None
    return "upload"


def declared_length(header: str | None, limit: int) -> int:
    """The ``Upload-Length`` an upload announces, checked against the size limit before any byte."""
    if header is None or not header.isascii() or not header.isdigit():
        raise IntakeRefused(400, "length", "Upload-Length (a whole number of bytes) is required")
    length = int(header)
    if length <= 0:
        raise IntakeRefused(400, "empty", "the file is empty")
    if length > limit:
        raise IntakeRefused(413, "too_large", f"the file is {length} bytes; at most {limit} bytes are accepted")
    return length


def intake_router(sessions: sessionmaker[Session], settings: IntakeSettings) -> APIRouter:
    router = APIRouter(prefix="/intake", tags=["intake"], include_in_schema=False)   # tus: headers, not JSON
    staging = settings.store.staging
    limiter = RateLimiter(settings.per_client_s, 3 * settings.per_client_s)
    locks: dict[str, asyncio.Lock] = {}
    tus = {"Tus-Resumable": TUS_VERSION}

    def budget(request: Request) -> None:
        wait = limiter.take(request.client.host if request.client else "?")
        if wait is not None:
            raise IntakeRefused(429, "slow_down", "too many requests from this client; slow down",
                           {"Retry-After": str(max(1, math.ceil(wait)))})

    def grant(link: str) -> evidence.LinkGrant:
        """The request this link opens, or a refusal that names why (never the link)."""
        if not LINK_TOKEN.match(link):
            raise IntakeRefused(404, "unknown", "this upload link is not valid")
        try:
            with sessions.begin() as session:
                return evidence.open_link(session, link, settings.clock())
        except evidence.LinkRefused as exc:
            raise IntakeRefused(REFUSAL_STATUS.get(exc.reason, 410), exc.reason, str(exc)) from None

    def upload_of(found: evidence.LinkGrant, upload_id: str) -> tuple[_Upload, Path]:
        if not UPLOAD_ID.match(upload_id):
            raise IntakeRefused(404, "no_upload", "no such upload")
        state = staging / f"{upload_id}.json"
        try:
            data = json.loads(state.read_text("utf-8"))
        except (OSError, ValueError):
            raise IntakeRefused(404, "no_upload", "no such upload (it finished, was cancelled or expired)") from None
        upload = _Upload(**data)
        if upload.link_id != found.link_id:    # another request's upload: the same answer as none
            raise IntakeRefused(404, "no_upload", "no such upload")
        return upload, staging / f"{upload_id}.part"

    @router.get("/static/intake.js", response_class=FileResponse, include_in_schema=False)
    def script() -> Response:
        return FileResponse(PAGE_DIR / "intake.js", media_type="text/javascript", headers=NO_STORE)

    @router.get("/static/intake.css", response_class=FileResponse, include_in_schema=False)
    def style() -> Response:
        return FileResponse(PAGE_DIR / "intake.css", media_type="text/css", headers=NO_STORE)

    @router.get("/static/tus.min.js", response_class=FileResponse, include_in_schema=False)
    def tus_js() -> Response:
        if not settings.tus_js_path.is_file():
            raise HTTPException(503, "tus-js-client is not installed; run `npm ci` in the repository root")
        return FileResponse(settings.tus_js_path, media_type="text/javascript")

    @router.get("/{link}", response_class=Response, include_in_schema=False)
    def page(link: str, request: Request) -> Response:
        budget(request)
        return FileResponse(PAGE_DIR / "index.html", media_type="text/html", headers=PAGE_HEADERS)

    @router.get("/{link}/info")
    def info(link: str, request: Request) -> JSONResponse:
        """What the owner needs to see: which camera and time, until when, what arrived."""
        budget(request)
        found = grant(link)
        return JSONResponse({**public_view(found), "max_upload_bytes": settings.store.max_bytes,
                             "chunk_bytes": CHUNK_BYTES}, headers=NO_STORE)

    @router.post("/{link}/finish")
    def finish(link: str, request: Request) -> JSONResponse:
        """The owner has sent everything: the link closes, and a replay of it is refused."""
        budget(request)
        grant(link)
        with sessions.begin() as session:
            evidence.finish_link(session, link, settings.clock())
        return JSONResponse({"closed": True}, headers=NO_STORE)

    @router.options("/{link}/files")
    def discover(link: str) -> Response:
        return Response(status_code=204, headers={**tus, "Tus-Version": TUS_VERSION,
                                                  "Tus-Extension": "creation,termination",
                                                  "Tus-Max-Size": str(settings.store.max_bytes)})

    @router.post("/{link}/files", status_code=201)
    def create(link: str, request: Request) -> Response:
        budget(request)
        found = grant(link)
        sweep_staging(sessions, staging, settings.clock())
        if found.files_received >= found.max_files:
            raise IntakeRefused(409, "full", f"this link has received its {found.max_files} files")
        length = declared_length(request.headers.get("upload-length"), settings.store.max_bytes)
        name = file_name_from_metadata(request.headers.get("upload-metadata"))
        upload = _Upload(secrets.token_urlsafe(16), found.link_id, length, name)
        staging.mkdir(parents=True, exist_ok=True, mode=0o750)
        if shutil.disk_usage(staging).free < length + FREE_MARGIN:   # stored by a hard link: one copy
            log.error("intake: %d bytes announced, too little free space under %s", length, settings.store.root)
            raise IntakeRefused(507, "storage", "the relay cannot store a file this large now; try again later")
        part = staging / f"{upload.upload_id}.part"
        part.touch(mode=0o640, exist_ok=False)
        (staging / f"{upload.upload_id}.json").write_text(upload.to_json(), "utf-8")
        location = f"{request.url.path.rstrip('/')}/{upload.upload_id}"
        return Response(status_code=201, headers={**tus, **NO_STORE, "Location": location, "Upload-Offset": "0"})

    @router.head("/{link}/files/{upload_id}")
    def offset(link: str, upload_id: str, request: Request) -> Response:
        budget(request)
        upload, part = upload_of(grant(link), upload_id)
        return Response(status_code=200, headers={**tus, **NO_STORE, "Upload-Offset": str(part.stat().st_size),
                                                  "Upload-Length": str(upload.length)})

    @router.patch("/{link}/files/{upload_id}")
    async def append(link: str, upload_id: str, request: Request) -> Response:
        budget(request)
        if request.headers.get("content-type") != "application/offset+octet-stream":
            raise IntakeRefused(415, "content_type", "Content-Type must be application/offset+octet-stream")
        found = await run_in_threadpool(grant, link)
        upload, part = upload_of(found, upload_id)
        lock = locks.setdefault(upload_id, asyncio.Lock())
        if lock.locked():
            raise IntakeRefused(423, "busy", "this upload is already receiving; retry after the other request ends")
        async with lock:
            try:
                written = await _append(request, part, upload.length)
            finally:
                locks.pop(upload_id, None)
            if written < upload.length:
                return Response(status_code=204, headers={**tus, **NO_STORE, "Upload-Offset": str(written)})
            result = await run_in_threadpool(_complete, upload, part, found, request)
        return Response(status_code=204, headers={**tus, **NO_STORE, "Upload-Offset": str(upload.length),
                                                  "Evidence-Verdict": result})

    def _complete(upload: _Upload, part: Path, found: evidence.LinkGrant, request: Request) -> str:
        client = request.client.host if request.client else None
        with sessions.begin() as session:
            received = evidence.receive_file(session, found.link_id, part, upload.name, client,
                                             settings.store, probe=settings.probe, now=settings.clock())
        (staging / f"{upload.upload_id}.json").unlink(missing_ok=True)
        log.info("footage request %d: file %d received (%s, %d bytes)", found.request_id, received.id,
                 received.verdict, received.size_bytes)
        return str(received.verdict)

    @router.delete("/{link}/files/{upload_id}", status_code=204)
    def cancel(link: str, upload_id: str, request: Request) -> Response:
        budget(request)
        _, part = upload_of(grant(link), upload_id)
        part.unlink(missing_ok=True)
        (staging / f"{upload_id}.json").unlink(missing_ok=True)
        return Response(status_code=204, headers={**tus, **NO_STORE})

    return router


def sweep_staging(sessions: sessionmaker[Session], staging: Path, now: datetime) -> int:
    """Remove the partial uploads of links that can no longer receive (finished, revoked, replaced or
    expired): an owner who gave up must not fill the disk. Returns how many uploads were removed."""
    states: dict[Path, int] = {}
    for state in staging.glob("*.json") if staging.is_dir() else ():
        try:
            states[state] = int(json.loads(state.read_text("utf-8"))["link_id"])
        except (OSError, ValueError, KeyError, TypeError):
            continue                      # being written, or not ours: left alone
    if not states:
        return 0
    with sessions() as session:
        usable = evidence.usable_link_ids(session, set(states.values()), now)
    removed = 0
    for state, link_id in states.items():
        if link_id not in usable:
            state.with_suffix(".part").unlink(missing_ok=True)
            state.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("intake: removed %d abandoned partial uploads", removed)
    return removed


async def _append(request: Request, part: Path, length: int) -> int:
    """Append the request body at the upload's offset; the offset header must match what is stored
    (tus: 409 otherwise). Bytes past the announced length are refused, and what was written stays."""
    at = part.stat().st_size
    claimed = request.headers.get("upload-offset", "")
    if not claimed.isascii() or not claimed.isdigit() or int(claimed) != at:
        raise IntakeRefused(409, "offset", f"Upload-Offset must be {at}", {"Upload-Offset": str(at)})
    with part.open("ab") as out:
        async for chunk in request.stream():
            if at + len(chunk) > length:
                raise IntakeRefused(413, "too_large", "more bytes than the upload announced")
            try:
                out.write(chunk)
                if at + len(chunk) == length:
                    out.flush()
                    os.fsync(out.fileno())
            except OSError as exc:
                log.error("intake staging write failed: %s", exc.strerror)
                raise IntakeRefused(507, "storage", "the relay cannot store the file now; try again later") from None
            at += len(chunk)
    return at


async def refusal_response(request: Request, exc: Exception) -> JSONResponse:
    """The app's handler for intake refusals: the English detail and the reason code the page translates."""
    assert isinstance(exc, IntakeRefused)
    return JSONResponse({"detail": exc.detail, "reason": exc.reason}, status_code=exc.status_code,
                        headers=exc.headers)

