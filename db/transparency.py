"""The transparency report's inputs for one month, read from the ledger (audit log, footage requests).

Months are calendar months in the programme's time zone (Asia/Jakarta by default). Live views are
the dashboard's ``live_view`` events (one per user, camera and viewing window, with their purpose);
a camera's Polsek is the Polsek of its kecamatan (db/footage.jurisdiction_polsek_id). Footage
requests are those made in the month, with the hours from the request to its first "received".
Reading the report is itself audited by the caller.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import audit
from db.footage import jurisdiction_polsek_id
from db.models import AppUser, AuditEvent, Camera, Post
from db.models_ops import FootageRequest, FootageRequestEvent, Incident
from db.permissions import can
from geo.transparency import NO_POLSEK, Tables, tabulate
from geo.urgency import FootageStatus

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class ReportError(ValueError):
    """A report that cannot be made as asked (the message says how to ask)."""


def month_bounds(month: str, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of ``YYYY-MM`` in the programme's time zone."""
    found = MONTH.match(month or "")
    if not found:
        raise ReportError(f"month {month!r} is not YYYY-MM, e.g. 2026-11")
    year, number = int(found.group(1)), int(found.group(2))
    zone = ZoneInfo(timezone)
    start = datetime(year, number, 1, tzinfo=zone)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class TransparencyData:
    month: str
    tables: Tables
    accounts: dict[str, int]          # role -> enabled accounts that may watch live
    digest: audit.Digest


def _polsek_names(session: Session, codes: set[str]) -> dict[str, str]:
    names = dict(session.execute(select(Post.id, Post.name)).all())
    cameras = session.scalars(select(Camera).where(Camera.code.in_(codes))).all() if codes else []
    found = {c.code: jurisdiction_polsek_id(session, c) for c in cameras}
    return {code: names.get(post_id, NO_POLSEK) if post_id is not None else NO_POLSEK
            for code, post_id in found.items()}


def gather(session: Session, month: str, timezone: str) -> TransparencyData:
    start, end = month_bounds(month, timezone)
    views = session.execute(select(AuditEvent.target, AuditEvent.detail)
                            .where(AuditEvent.action == audit.AuditAction.LIVE_VIEW.value)
                            .where(AuditEvent.at >= start, AuditEvent.at < end)).all()
    polsek = _polsek_names(session, {t for t, _ in views if t})
    view_rows = pd.DataFrame([{"polsek": polsek.get(t or "", NO_POLSEK), "camera": t,
                               "purpose": (d or {}).get("purpose")} for t, d in views],
                             columns=["polsek", "camera", "purpose"])
    received = (select(FootageRequestEvent.request_id, func.min(FootageRequestEvent.at).label("at"))
                .where(FootageRequestEvent.to_status == FootageStatus.RECEIVED)
                .group_by(FootageRequestEvent.request_id).subquery())
    requests = session.execute(
        select(FootageRequest.created_at, FootageRequest.status, Post.name, Incident.code, received.c.at)
        .join(Incident, Incident.id == FootageRequest.incident_id)
        .outerjoin(Post, Post.id == FootageRequest.polsek_post_id)
        .outerjoin(received, received.c.request_id == FootageRequest.id)
        .where(FootageRequest.created_at >= start, FootageRequest.created_at < end)).all()
    request_rows = pd.DataFrame([{"polsek": name or NO_POLSEK, "purpose": f"case:{code}",
                                  "status": getattr(status, "value", status),
                                  "hours_to_receipt": (got - created).total_seconds() / 3600 if got else float("nan")}
                                 for created, status, name, code, got in requests],
                                columns=["polsek", "purpose", "status", "hours_to_receipt"])
    consent = _consent_rows(session, start, end)
    roles = session.execute(select(AppUser.role, func.count()).where(AppUser.disabled.is_(False))
                            .group_by(AppUser.role)).all()
    accounts = {getattr(role, "value", str(role)): int(n) for role, n in roles if can(role, "live_view")}
    return TransparencyData(month, tabulate(view_rows, request_rows, consent), accounts, audit.digest(session))


def make_report(session: Session, actor, month: str, timezone: str, lang: str) -> TransparencyData:
    """The month's figures, and the audit event that they were read (who, which month, which language,
    how long the ledger was): the one way the command line and the admin page make the report."""
    data = gather(session, month, timezone)
    audit.record(session, actor, audit.AuditAction.AUDIT_EXPORT, target=f"transparency:{month}",
                 detail={"lang": lang, "events": data.digest.events})
    return data


def _consent_rows(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """One row per consent change in the month (db/io/consent_log.py wrote them), with the Polsek of
    the camera's kecamatan."""
    changes = session.execute(select(AuditEvent.target, AuditEvent.detail)
                              .where(AuditEvent.action == audit.AuditAction.CONSENT_CHANGE.value)
                              .where(AuditEvent.at >= start, AuditEvent.at < end)).all()
    polsek = _polsek_names(session, {t for t, _ in changes if t})
    return pd.DataFrame([{"polsek": polsek.get(t or "", NO_POLSEK), "kind": (d or {}).get("kind")}
                         for t, d in changes], columns=["polsek", "kind"])
