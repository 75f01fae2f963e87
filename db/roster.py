"""Duty roster and duty-unit positions: CSV imports (all rows or none, with a report by line number),
position reports one at a time (for an API endpoint), and post personnel edits by admins.

Times without an offset are read as Asia/Jakarta (WIB), the way rosters are written in the command
centre; times with an offset are kept as given. Nothing commits here.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditAction, record
from db.io.writers import upsert_duty_units
from db.models import DutyUnit, Post
from db.repositories import bump_version
from db.users import Actor

WIB = ZoneInfo("Asia/Jakarta")
MAX_HEADCOUNT = 500
MAX_SHIFT = timedelta(hours=24)
MAX_ROWS = 20_000
MAX_PERSONNEL = 10_000
CALLSIGN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,63}$")
ROSTER_COLUMNS = {"unit": ("unit", "callsign", "satuan", "unit_callsign"), "post": ("post", "post_code", "pos"),
                  "headcount": ("headcount", "personnel", "jumlah", "personel"),
                  "shift_start": ("shift_start", "start", "mulai"), "shift_end": ("shift_end", "end", "selesai")}
POSITION_COLUMNS = {"unit": ROSTER_COLUMNS["unit"], "lon": ("lon", "longitude", "bujur"),
                    "lat": ("lat", "latitude", "lintang"), "at": ("at", "time", "reported_at", "waktu")}


class RosterError(ValueError):
    """One value that cannot be accepted; the message says what to change (English, for the command
    line and logs). ``code`` and ``params`` let the dashboard say the same in the user's language."""

    def __init__(self, message: str, code: str = "other", **params: object) -> None:
        super().__init__(message)
        self.code, self.params = code, params


@dataclass
class RosterReport:
    source: str
    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[int, RosterError]] = field(default_factory=list)   # the same, with their codes
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, line: int, problem: RosterError) -> None:
        self.errors.append((line, str(problem)))
        self.problems.append((line, problem))

    def as_text(self) -> str:
        if self.errors:
            lines = [f"{self.source}: {len(self.errors)} problem(s) in {self.rows} row(s); nothing was imported"]
            lines += [f"  line {line}: {message}" for line, message in self.errors]
            return "\n".join(lines)
        return (f"{self.source}: {self.rows} row(s): {self.added} added, {self.updated} updated, "
                f"{self.unchanged} unchanged")


class RosterRejected(ValueError):
    """The file had problems; nothing was written. ``report`` lists them by line."""

    def __init__(self, report: RosterReport) -> None:
        super().__init__(report.as_text())
        self.report = report


def _require(actor: Actor | str) -> None:
    if isinstance(actor, Actor):
        actor.require("roster_edit")


def parse_time(raw: str, what: str) -> datetime:
    text = (raw or "").strip()
    if not text:
        raise RosterError(f"{what} is empty; write it as YYYY-MM-DD HH:MM (WIB)", "time_empty", what=what)
    try:
        value = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise RosterError(f"{what} {text!r} is not a time; write it as YYYY-MM-DD HH:MM (WIB)", "time_bad", what=what,
                          value=text) from None
    return value.replace(tzinfo=WIB) if value.tzinfo is None else value


def check_callsign(raw: str) -> str:
    value = (raw or "").strip()
    if not CALLSIGN_RE.match(value):
        raise RosterError(f"unit {raw!r} is not a call sign: 1-64 letters, digits, spaces and . _ / - "
                          "(starting with a letter or digit)", "callsign_bad", value=raw)
    return value


def _number(raw: str, what: str) -> float:
    try:
        value = float((raw or "").strip().replace(",", "."))
    except ValueError:
        raise RosterError(f"{what} {raw!r} is not a number", "number_bad", what=what, value=raw) from None
    if not math.isfinite(value):
        raise RosterError(f"{what} {raw!r} is not a finite number", "number_bad", what=what, value=raw)
    return value


def _headcount(raw: str) -> int:
    value = _number(raw, "headcount")
    if value != int(value) or not 1 <= value <= MAX_HEADCOUNT:
        raise RosterError(f"headcount {raw!r} must be a whole number from 1 to {MAX_HEADCOUNT}", "headcount_bad",
                          value=raw, max=MAX_HEADCOUNT)
    return int(value)


def _reader(data: bytes | str, columns: dict[str, tuple[str, ...]], report: RosterReport):
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = {(h or "").strip().lower(): h for h in (reader.fieldnames or [])}
    mapping = {name: next((header[a] for a in aliases if a in header), None) for name, aliases in columns.items()}
    missing = [name for name, column in mapping.items() if column is None]
    if missing:
        message = f"missing column(s): {', '.join(missing)}; the header must name {', '.join(columns)}"
        report.add(1, RosterError(message, "columns_missing", missing=", ".join(missing),
                                  expected=", ".join(columns)))
        raise RosterRejected(report)
    return reader, mapping


def _rows(data, columns, report):
    reader, mapping = _reader(data, columns, report)
    for row in reader:
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.add(reader.line_num, RosterError(f"more than {MAX_ROWS} rows; split the file", "too_many_rows",
                                                    max=MAX_ROWS))
            raise RosterRejected(report)
        yield reader.line_num, {name: (row.get(col) or "") for name, col in mapping.items()}


def _roster_row(values: dict[str, str], posts: set[str]) -> dict:
    unit = check_callsign(values["unit"])
    post = values["post"].strip()
    if post not in posts:
        raise RosterError(f"post {post!r} is not in the registry; import the posts first or fix the code",
                          "post_unknown", post=post)
    start, end = parse_time(values["shift_start"], "shift start"), parse_time(values["shift_end"], "shift end")
    if end <= start:
        raise RosterError("the shift ends before it starts", "shift_inverted")
    if end - start > MAX_SHIFT:
        raise RosterError("the shift is longer than 24 hours; split it", "shift_too_long")
    return {"callsign": unit, "post_code": post, "headcount": _headcount(values["headcount"]),
            "shift_start": start, "shift_end": end}


def _validated(data, columns, report, parse_row, unique: bool = True) -> list[dict]:
    good: list[dict] = []
    seen: dict[str, int] = {}
    for line, values in _rows(data, columns, report):
        try:
            row = parse_row(values)
        except RosterError as exc:
            report.add(line, exc)
            continue
        if unique and row["callsign"] in seen:
            report.add(line, RosterError(f"unit {row['callsign']!r} is already on line {seen[row['callsign']]}",
                                         "unit_twice", unit=row["callsign"], line=seen[row["callsign"]]))
            continue
        seen[row["callsign"]] = line
        good.append(row)
    if not report.rows and not report.errors:
        report.add(1, RosterError("the file has a header but no rows", "no_rows"))
    if report.errors:
        raise RosterRejected(report)
    return good


def import_roster_csv(session: Session, actor: Actor | str, data: bytes | str,
                      source: str = "roster.csv") -> RosterReport:
    """Upsert duty units by call sign from a roster CSV; on any bad row nothing is written."""
    _require(actor)
    report = RosterReport(source)
    posts = set(session.scalars(select(Post.code)))
    rows = _validated(data, ROSTER_COLUMNS, report, lambda v: _roster_row(v, posts))
    summary = upsert_duty_units(session, pd.DataFrame(rows))
    report.added, report.updated, report.unchanged = summary.added, summary.updated, summary.unchanged
    record(session, actor, AuditAction.ROSTER_IMPORT, target=source,
           detail={"rows": report.rows, "added": report.added, "updated": report.updated})
    return report


def _position_row(values: dict[str, str], bbox) -> dict:
    unit = check_callsign(values["unit"])
    lon, lat = _number(values["lon"], "lon"), _number(values["lat"], "lat")
    check_position(lon, lat, bbox)
    return {"callsign": unit, "lon": lon, "lat": lat, "at": parse_time(values["at"], "time")}


def check_position(lon: float, lat: float, bbox) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise RosterError(f"({lon}, {lat}) is not a position: give longitude then latitude in degrees",
                          "position_bad", lon=lon, lat=lat)
    if bbox is not None and not (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]):
        raise RosterError(f"({lon}, {lat}) is outside the region; check the order (lon, lat) and the numbers",
                          "position_outside", lon=lon, lat=lat)


def import_positions_csv(session: Session, actor: Actor | str, data: bytes | str, source: str = "positions.csv",
                         bbox=None) -> RosterReport:
    """Last known positions of duty units (unit, lon, lat, at); older reports never replace newer ones."""
    _require(actor)
    report = RosterReport(source)
    rows = _validated(data, POSITION_COLUMNS, report, lambda v: _position_row(v, bbox), unique=False)
    rows.sort(key=lambda r: r["at"])  # a track of reports: the newest one per unit ends up stored
    units = {u.callsign: u for u in session.scalars(select(DutyUnit).where(
        DutyUnit.callsign.in_([r["callsign"] for r in rows])))}
    unknown = [r["callsign"] for r in rows if r["callsign"] not in units]
    if unknown:
        report.add(0, RosterError(f"unknown unit(s): {', '.join(unknown[:10])}; import the roster first",
                                  "units_unknown", units=", ".join(unknown[:10])))
        raise RosterRejected(report)
    for row in rows:
        changed = _apply_position(units[row["callsign"]], row["lon"], row["lat"], row["at"])
        report.updated += changed
        report.unchanged += not changed
    if report.updated:
        bump_version(session)
    record(session, actor, AuditAction.ROSTER_IMPORT, target=source,
           detail={"positions": report.rows, "updated": report.updated})
    return report


def _apply_position(unit: DutyUnit, lon: float, lat: float, at: datetime) -> bool:
    if unit.last_seen_at is not None and unit.last_seen_at >= at:
        return False
    unit.last_lon, unit.last_lat, unit.last_seen_at = lon, lat, at
    return True


def report_position(session: Session, callsign: str, lon: float, lat: float, at: datetime, bbox=None) -> bool:
    """One position report from a unit (e.g. a radio/GPS gateway through an API endpoint).

    Returns True when stored, False when an equal or newer report is already there. The caller
    authenticates the gateway; reports are frequent, so they are not written to the audit log.
    """
    callsign = check_callsign(callsign)
    lon, lat = float(lon), float(lat)
    check_position(lon, lat, bbox)
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise RosterError("the report time must be a timezone-aware datetime")
    unit = session.scalar(select(DutyUnit).where(DutyUnit.callsign == callsign))
    if unit is None:
        raise RosterError(f"unknown unit {callsign!r}; import the roster first", "units_unknown", units=callsign)
    changed = _apply_position(unit, lon, lat, at)
    if changed:
        session.flush()
        bump_version(session)
    return changed


def set_post_personnel(session: Session, actor: Actor | str, post_code: str, personnel: int) -> None:
    """An admin corrects a post's personnel count (audited as a registry edit)."""
    _require(actor)
    if not isinstance(personnel, int) or not 0 <= personnel <= MAX_PERSONNEL:
        raise RosterError(f"personnel must be a whole number from 0 to {MAX_PERSONNEL}", "personnel_bad",
                          max=MAX_PERSONNEL)
    post = session.scalar(select(Post).where(Post.code == (post_code or "").strip()))
    if post is None:
        raise RosterError(f"no post with code {post_code!r}", "post_unknown", post=post_code)
    previous, post.personnel = post.personnel, personnel
    bump_version(session)
    record(session, actor, AuditAction.REGISTRY_EDIT, target=post.code,
           detail={"field": "personnel", "from": previous, "to": personnel})
