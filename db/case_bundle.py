"""The case bundle: one incident's evidence in a zip a prosecutor or court can check on its own.

    files/<request>/<file>_<sha256[:12]><ext>   each accepted file, stored (video does not compress)
    letters/<request>.html                      each footage request's letter, as issued
    audit.jsonl                                 the incident's part of the audit log, with its hashes
    README.txt                                  how to check the bundle (Bahasa Indonesia, English)
    manifest.json                               what is in it, each member's SHA-256, the chain digest

Refused files (quarantine) are not included, only listed in the manifest with the reason. The zip is
written to a temporary file beside ``out_path`` and renamed when complete, so a bundle is never half
written; the export is audited with its purpose and the manifest's SHA-256, which lets a reader
check the manifest itself against the audit log. ``verify_bundle`` re-hashes every listed member.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from db import audit
from db.evidence import EvidenceError, EvidenceRow, clean_purpose, list_evidence
from db.evidence_store import BLOCK, EvidenceStore
from db.footage import QueueRow, footage_queue
from db.incidents import get_incident
from db.models import utcnow
from db.models_ops import FootageRequest
from db.permissions import Actor
from db.users import signature_of
from geo.letter import letter_from_row, render_letter_html
from geo.media_info import EvidenceVerdict

FORMAT = "noblindspot-case-bundle"
VERSION = 1
MANIFEST = "manifest.json"
README = """Berkas perkara {code} / Case bundle {code}

[ID] Cara memeriksa keutuhan berkas ini
manifest.json mencantumkan setiap berkas di dalam arsip ini beserta sidik SHA-256-nya. Hitung
ulang sidik setiap berkas (misalnya `sha256sum files/...` di Linux, `certutil -hashfile BERKAS
SHA256` di Windows) dan bandingkan dengan manifest, atau jalankan `noblindspot evidence verify
{name}`. Sidik manifest.json sendiri tercatat pada log audit (kejadian evidence_bundle_export),
dan audit_chain.last_hash di manifest adalah ujung rantai log audit saat berkas ini dibuat.
Berkas yang ditolak (bukan video) tidak disertakan; manifest mencantumkannya di bagian "refused".

[EN] How to check this bundle
manifest.json lists every file in this archive with its SHA-256. Recompute each file's hash
(`sha256sum files/...` on Linux, `certutil -hashfile FILE SHA256` on Windows) and compare it with
the manifest, or run `noblindspot evidence verify {name}`. The SHA-256 of manifest.json itself is
recorded in the audit log (event evidence_bundle_export), and audit_chain.last_hash in the manifest
is the head of the audit log's hash chain when the bundle was made. Refused files (not video) are
not included; the manifest lists them under "refused".
"""


class NotABundle(ValueError):
    """The file is no case bundle (not a zip, or no readable manifest)."""


@dataclass(frozen=True)
class BundleSummary:
    path: Path
    incident: str
    files: int
    refused: int
    members: int
    manifest_sha256: str


@dataclass(frozen=True)
class BundleVerdict:
    incident: str | None
    checked: int
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered or self.unlisted)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _entry(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data)}


def build_case_bundle(session: Session, actor: Actor, incident: int | str, store: EvidenceStore, out_path: Path,
                      purpose: str, now: datetime | None = None) -> BundleSummary:
    """Write the incident's bundle to ``out_path`` (nothing there until it is complete) and audit it.
    EvidenceError when a stored file no longer matches its recorded hash or is missing."""
    actor.require("footage.edit")
    why = clean_purpose(purpose)
    now = now or utcnow()
    case = get_incident(session, actor, incident)
    evidence = list_evidence(session, actor, incident=case.code)
    requests = footage_queue(session, actor, incident=case.code, include_finished=True, now=now)
    out_path = Path(out_path)
    handle, temp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            files = [_add_evidence(zf, store, row) for row in evidence if row.verdict is EvidenceVerdict.ACCEPTED]
            members = [_add_letter(zf, session, row) for row in requests]
            members.append(_add(zf, "audit.jsonl", _audit_lines(session, case.code, [r.id for r in requests])))
            members.append(_add(zf, "README.txt", README.format(code=case.code, name=out_path.name).encode()))
            manifest = _manifest(session, actor, case, why, now, files, members, evidence)
            zf.writestr(MANIFEST, manifest)
        manifest_sha = hashlib.sha256(manifest).hexdigest()
        refused = len(evidence) - len(files)
        audit.record(session, actor, audit.AuditAction.EVIDENCE_BUNDLE_EXPORT, target=case.code,
                     detail={"purpose": why, "files": len(files), "refused": refused, "manifest_sha256": manifest_sha,
                             "bundle": out_path.name}, at=now)
        session.flush()
        os.replace(temp, out_path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return BundleSummary(out_path, case.code, len(files), refused, len(members), manifest_sha)


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> dict[str, Any]:
    zf.writestr(name, data)
    return _entry(name, data)


def _add_letter(zf: zipfile.ZipFile, session: Session, row: QueueRow) -> dict[str, Any]:
    # the letter as issued: signed by the officer who asked, dated the day of the request
    request = session.get(FootageRequest, row.id)
    assert request is not None   # the row was just read from it
    signer = signature_of(session, request.created_by)
    letter = letter_from_row(row, signer.name, request.created_at, signer.rank, signer.nrp)
    return {**_add(zf, f"letters/{row.id}.html", render_letter_html(letter).encode()), "request": row.id}


def _add_evidence(zf: zipfile.ZipFile, store: EvidenceStore, row: EvidenceRow) -> dict[str, Any]:
    source = store.path_of(row.stored_path)
    name = f"files/{row.request_id}/{source.name}"
    digest = hashlib.sha256()
    try:
        with open(source, "rb") as src, zf.open(zipfile.ZipInfo(name, _zip_time(row.received_at)), "w",
                                                force_zip64=True) as dst:
            while block := src.read(BLOCK):
                digest.update(block)
                dst.write(block)
    except FileNotFoundError:
        raise EvidenceError(f"evidence file {row.id} is missing from the store ({row.stored_path})") from None
    if digest.hexdigest() != row.sha256:
        raise EvidenceError(f"evidence file {row.id} ({row.stored_path}) no longer matches the SHA-256 recorded "
                            "when it was received; no bundle was written")
    return {"path": name, "sha256": row.sha256, "size_bytes": row.size_bytes, "original_name": row.original_name,
            "request": row.request_id, "camera": row.camera_code, "container": row.container,
            "video_codec": row.video_codec, "width": row.width, "height": row.height, "duration_s": row.duration_s,
            "media_start": _iso(row.media_start), "media_end": _iso(row.media_end),
            "received_at": _iso(row.received_at), "received_from": row.received_from}


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    utc = moment.astimezone(UTC)
    return (max(utc.year, 1980), utc.month, utc.day, utc.hour, utc.minute, utc.second)


def _audit_lines(session: Session, code: str, request_ids: list[int]) -> bytes:
    lines = (json.dumps({"id": e.id, "at": _iso(e.at), "actor": e.actor, "action": e.action, "target": e.target,
                         "detail": e.detail, "prev_hash": e.prev_hash, "hash": e.hash},
                        ensure_ascii=False, sort_keys=True) for e in audit.case_events(session, code, request_ids))
    return "".join(line + "\n" for line in lines).encode()


def _manifest(session: Session, actor: Actor, case, purpose: str, now: datetime, files: list[dict],
              members: list[dict], evidence: list[EvidenceRow]) -> bytes:
    chain = audit.digest(session, now)
    refused = [{"original_name": r.original_name, "sha256": r.sha256, "size_bytes": r.size_bytes,
                "reason": r.refusal_reason, "request": r.request_id, "received_at": _iso(r.received_at),
                "received_from": r.received_from} for r in evidence if r.verdict is EvidenceVerdict.REFUSED]
    body = {"format": FORMAT, "version": VERSION,
            "incident": {"code": case.code, "category": case.category, "event_time": _iso(case.event_time),
                         "status": str(case.status)},
            "generated_at": _iso(now), "generated_by": actor.username, "purpose": purpose,
            "files": files, "refused": refused, "members": members,
            "audit_chain": {"events": chain.events, "last_id": chain.last_id, "last_hash": chain.last_hash}}
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True).encode()


# --- verification ------------------------------------------------------------------------------------------

def verify_bundle(path: Path) -> BundleVerdict:
    """Re-hash every member the manifest lists; name the missing, altered and unlisted ones."""
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = _read_manifest(zf)
            names = zf.namelist()
            listed = {e["path"]: e["sha256"] for e in [*manifest.get("files", []), *manifest.get("members", [])]}
            twice = sorted({n for n in names if names.count(n) > 1})
            missing = sorted(p for p in listed if p not in names)
            altered = sorted({*twice, *(p for p, sha in listed.items() if p in names and _sha(zf, p) != sha)})
            unlisted = sorted({n for n in names if n not in listed and n != MANIFEST and not n.endswith("/")})
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotABundle(f"{path} is not a case bundle: {exc}") from None
    incident = manifest.get("incident", {}).get("code") if isinstance(manifest.get("incident"), dict) else None
    return BundleVerdict(incident, len(listed), missing, altered, unlisted)


def _read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise NotABundle("the zip holds no manifest.json: it is not a case bundle") from None
    except (ValueError, zipfile.BadZipFile, zlib.error) as exc:
        raise NotABundle(f"manifest.json cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise NotABundle("manifest.json is not a case bundle manifest")
    entries = [*manifest.get("files", []), *manifest.get("members", [])]
    if not all(isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("sha256"), str)
               for e in entries):
        raise NotABundle("manifest.json lists a member without its path and SHA-256")
    return manifest


def _sha(zf: zipfile.ZipFile, name: str) -> str | None:
    """The member's SHA-256, or None when it cannot be read back (a changed byte breaks its CRC)."""
    digest = hashlib.sha256()
    try:
        with zf.open(name) as member:
            while block := member.read(BLOCK):
                digest.update(block)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
        return None
    return digest.hexdigest()
