"""Consent changes written by a registry import or edit, recorded in the audit ledger as they happen.

Before cameras are upserted, the incoming consent level and end date of every camera already in the
registry are compared with the stored ones (geo/consent.consent_change); each change becomes one
``consent_change`` event in the same transaction as the write (target: the camera code; detail:
from, to and the kind), so the monthly transparency report counts consent changes from the ledger,
not from the registry's current state. Cameras new to the registry are registrations, not changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.models import Camera
from geo.consent import ConsentChange, consent_change

FIELDS = ("consent", "consent_expires_on")


@dataclass(frozen=True)
class ConsentChangeRow:
    camera_code: str
    kind: ConsentChange
    old_level: str | None
    new_level: str | None
    old_expires: date | None
    new_expires: date | None


def _level(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(getattr(value, "value", value))


def _day(value) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    return value.date() if hasattr(value, "date") and type(value) is not date else value


def consent_changes(session: Session, frame: pd.DataFrame) -> list[ConsentChangeRow]:
    """The consent changes ``frame`` (camera rows by code, table column names) would write."""
    present = [f for f in FIELDS if f in frame.columns]
    if not present or "code" not in frame.columns or not len(frame):
        return []
    codes = [str(c) for c in frame["code"]]
    stored = {code: (level, expires) for code, level, expires in session.execute(
        select(Camera.code, Camera.consent, Camera.consent_expires_on).where(Camera.code.in_(codes)))}
    changes = []
    for row in frame[["code", *present]].itertuples(index=False):
        code = str(row.code)
        if code not in stored:
            continue
        old_level, old_expires = _level(stored[code][0]), stored[code][1]
        new_level = _level(row.consent) if "consent" in present else old_level
        new_expires = _day(row.consent_expires_on) if "consent_expires_on" in present else old_expires
        kind = consent_change(old_level, old_expires, new_level, new_expires)
        if kind is not None:
            changes.append(ConsentChangeRow(code, kind, old_level, new_level, old_expires, new_expires))
    return changes


def record_consent_changes(session: Session, actor: str, changes: list[ConsentChangeRow]) -> None:
    for change in changes:
        audit.record(session, actor, audit.AuditAction.CONSENT_CHANGE, target=change.camera_code,
                     detail={"kind": change.kind.value, "from": change.old_level, "to": change.new_level,
                             "expires_from": change.old_expires.isoformat() if change.old_expires else None,
                             "expires_to": change.new_expires.isoformat() if change.new_expires else None})
