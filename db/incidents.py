"""Incidents: created from a point, typed coordinates or a camera; dispatched to a post; closed.

Service functions take an open Session and the acting user, check the role against the permission
table (so a forbidden call fails here, whatever the page showed), validate everything before writing
anything, record the audit event, and never commit.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from db.audit import AuditAction, record
from db.models import Camera, Post, utcnow
from db.models_ops import FootageRequest, Incident
from db.users import Actor
from geo.urgency import FootageStatus, IncidentStatus, TransitionError, check_transition

CASE_TZ = ZoneInfo("Asia/Jakarta")
CATEGORIES = ("theft", "robbery", "assault", "brawl", "traffic_accident", "fire", "flood", "vandalism",
              "suspicious", "missing_person", "other")
MAX_DESCRIPTION = 2000
FUTURE_TOLERANCE = timedelta(minutes=10)
MAX_AGE = timedelta(days=366)
_NUMBER = r"[-+]?\d+(?:[.,]\d+)?"
_POINT_WKT = re.compile(rf"^\s*POINT\s*\(\s*({_NUMBER})\s+({_NUMBER})\s*\)\s*$", re.IGNORECASE)
_TWO_NUMBERS = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*([,;]|\s)\s*([-+]?\d+(?:\.\d+)?)\s*$")


class IncidentError(ValueError):
    """Incident input that cannot be accepted; the message says what to fix."""


class IncidentNotFound(LookupError):
    """No incident with that id or case code."""


def parse_coordinates(text: str) -> tuple[float, float]:
    """(lon, lat) from what people type: "lat, lon" (as map apps copy it), "lon lat" (GIS order),
    or WKT "POINT(lon lat)". A value beyond +-90 can only be a longitude, so a swapped pair whose
    order is unambiguous is read the right way round."""
    raw = (text or "").strip()
    wkt = _POINT_WKT.match(raw)
    if wkt:
        return _checked(float(wkt.group(1)), float(wkt.group(2)))
    match = _TWO_NUMBERS.match(raw)
    if not match:
        raise IncidentError("type the coordinates as 'lat, lon' (e.g. -6.1683, 106.7589) or 'lon lat' "
                            "(e.g. 106.7589 -6.1683)")
    first, sep, second = float(match.group(1)), match.group(2), float(match.group(3))
    lon, lat = (second, first) if sep in ",;" else (first, second)
    if abs(lat) > 90 >= abs(lon):
        lon, lat = lat, lon
    return _checked(lon, lat)


def _checked(lon: float, lat: float) -> tuple[float, float]:
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
        raise IncidentError(f"({lon}, {lat}) is not a position on Earth: longitude is -180..180, "
                            "latitude -90..90")
    return lon, lat


def check_in_region(lon: float, lat: float, bbox: tuple[float, float, float, float] | None) -> None:
    if bbox is None:
        return
    minx, miny, maxx, maxy = bbox
    if not (minx <= lon <= maxx and miny <= lat <= maxy):
        hint = " (latitude and longitude swapped?)" if minx <= lat <= maxx and miny <= lon <= maxy else ""
        raise IncidentError(f"the point {lat:.5f}, {lon:.5f} (lat, lon) is outside the region "
                            f"{miny}..{maxy} N, {minx}..{maxx} E{hint}")


def clean_text(text: str | None, limit: int, what: str) -> str:
    """User text kept as typed (it is escaped wherever shown), minus control characters."""
    value = "".join(ch for ch in (text or "") if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
    if len(value) > limit:
        raise IncidentError(f"the {what} is {len(value)} characters; shorten it to at most {limit}")
    return value


def check_category(category: str) -> str:
    value = (category or "").strip().lower().replace(" ", "_")
    if value not in CATEGORIES:
        raise IncidentError(f"unknown category {category!r}; choose one of: {', '.join(CATEGORIES)}")
    return value


def check_event_time(event_time: datetime, now: datetime) -> datetime:
    if not isinstance(event_time, datetime) or event_time.tzinfo is None:
        raise IncidentError("the event time needs a date, a time and a time zone")
    if event_time > now + FUTURE_TOLERANCE:
        raise IncidentError("the event time is in the future; check the date and the time zone (WIB)")
    if event_time < now - MAX_AGE:
        raise IncidentError("the event is more than a year old; no DVR keeps footage that long")
    return event_time.astimezone(UTC)


@dataclass(frozen=True)
class IncidentInput:
    event_time: datetime
    category: str
    description: str = ""
    lon: float | None = None
    lat: float | None = None
    coordinates: str | None = None  # typed text, used when lon/lat are not given
    camera_code: str | None = None  # the incident was seen on this camera


def _camera(session: Session, code: str) -> Camera:
    camera = session.scalar(select(Camera).where(Camera.code == code.strip()))
    if camera is None:
        raise IncidentError(f"no camera with code {code!r}; check the code on the map or registry")
    return camera


def _position(session: Session, data: IncidentInput) -> tuple[tuple[float, float], Camera | None]:
    camera = _camera(session, data.camera_code) if data.camera_code else None
    if data.lon is not None and data.lat is not None:
        return _checked(float(data.lon), float(data.lat)), camera
    if data.coordinates and data.coordinates.strip():
        return parse_coordinates(data.coordinates), camera
    if camera is not None:
        return (camera.lon, camera.lat), camera
    raise IncidentError("say where it happened: a point on the map, typed coordinates or a camera")


def next_case_code(session: Session, event_time: datetime) -> str:
    """INC-YYYYMMDD-NNNN, numbered per day of the event in Jakarta time."""
    prefix = f"INC-{event_time.astimezone(CASE_TZ):%Y%m%d}-"
    taken = session.scalar(select(func.count(Incident.id)).where(Incident.code.like(prefix + "%"))) or 0
    number = taken + 1
    while session.scalar(select(Incident.id).where(Incident.code == f"{prefix}{number:04d}")) is not None:
        number += 1
    return f"{prefix}{number:04d}"


def create_incident(session: Session, actor: Actor, data: IncidentInput,
                    region_bbox: tuple[float, float, float, float] | None = None,
                    now: datetime | None = None) -> Incident:
    actor.require("incidents.edit")
    now = now or utcnow()
    event_time = check_event_time(data.event_time, now)
    category = check_category(data.category)
    description = clean_text(data.description, MAX_DESCRIPTION, "description")
    (lon, lat), camera = _position(session, data)
    check_in_region(lon, lat, region_bbox)
    incident = Incident(code=next_case_code(session, event_time), event_time=event_time, category=category,
                        description=description, lon=lon, lat=lat, camera_id=camera.id if camera else None,
                        status=IncidentStatus.OPEN, created_by=actor.username, created_at=now, updated_at=now)
    session.add(incident)
    session.flush()
    record(session, actor, AuditAction.INCIDENT_CREATE, target=incident.code,
           detail={"category": category, "lon": round(lon, 6), "lat": round(lat, 6),
                   "camera": camera.code if camera else None}, at=now)
    return incident


def get_incident(session: Session, actor: Actor, incident: int | str) -> Incident:
    actor.require("incidents")
    column = Incident.id if isinstance(incident, int) else Incident.code
    found = session.scalar(select(Incident).options(selectinload(Incident.dispatched_to)).where(column == incident))
    if found is None:
        raise IncidentNotFound(f"no incident {incident!r}")
    return found


def list_incidents(session: Session, actor: Actor, statuses: tuple[IncidentStatus, ...] = (),
                   limit: int = 500) -> list[Incident]:
    actor.require("incidents")
    stmt = (select(Incident).options(selectinload(Incident.dispatched_to))
            .order_by(Incident.event_time.desc(), Incident.id.desc()).limit(limit))
    if statuses:
        stmt = stmt.where(Incident.status.in_([IncidentStatus(s) for s in statuses]))
    return list(session.scalars(stmt))


def dispatch_incident(session: Session, actor: Actor, incident: int | str, post_code: str,
                      now: datetime | None = None) -> Incident:
    """Record that officers of ``post_code`` were sent to the incident."""
    found = get_incident(session, actor, incident)
    actor.require("incidents.edit")
    now = now or utcnow()
    post = session.scalar(select(Post).where(Post.code == (post_code or "").strip()))
    if post is None:
        raise IncidentError(f"no post with code {post_code!r}")
    _transition(found, IncidentStatus.DISPATCHED)
    found.dispatched_to_post_id, found.dispatched_at, found.dispatched_by = post.id, now, actor.username
    found.updated_at = now
    record(session, actor, AuditAction.INCIDENT_DISPATCH, target=found.code,
           detail={"post": post.code, "post_kind": getattr(post.kind, "value", post.kind)}, at=now)
    return found


def set_incident_status(session: Session, actor: Actor, incident: int | str, status: IncidentStatus | str,
                        now: datetime | None = None) -> Incident:
    """Close an incident (or re-open a closed one); dispatching goes through dispatch_incident."""
    found = get_incident(session, actor, incident)
    actor.require("incidents.edit")
    now = now or utcnow()
    try:
        new = IncidentStatus(status)
    except ValueError:
        raise IncidentError(f"unknown incident status {status!r}") from None
    if new is IncidentStatus.DISPATCHED:
        raise IncidentError("choose the post to dispatch to (dispatch), not just the status")
    previous = found.status
    _transition(found, new)
    found.updated_at = now
    record(session, actor, AuditAction.INCIDENT_STATUS, target=found.code,
           detail={"from": IncidentStatus(previous).value, "to": new.value}, at=now)
    return found


def _transition(incident: Incident, new: IncidentStatus) -> None:
    try:
        incident.status = check_transition(IncidentStatus(incident.status), new)
    except TransitionError as exc:
        raise IncidentError(str(exc)) from None


def open_incident_codes(session: Session, limit: int = 500) -> list[str]:
    """Codes of the incidents not closed, newest first: the cases a look at a camera may cite."""
    return list(session.scalars(select(Incident.code).where(Incident.status != IncidentStatus.CLOSED)
                                .order_by(Incident.event_time.desc(), Incident.id.desc()).limit(limit)))


def open_operations(session: Session) -> dict[str, int]:
    """Open incidents and footage requests still waiting for the owner (the briefing screen's counts)."""
    pending = (FootageStatus.REQUESTED, FootageStatus.OWNER_CONTACTED)
    incidents = session.scalar(select(func.count()).select_from(Incident)
                               .where(Incident.status != IncidentStatus.CLOSED))
    footage = session.scalar(select(func.count()).select_from(FootageRequest)
                             .where(FootageRequest.status.in_(pending)))
    return {"incidents": int(incidents or 0), "footage": int(footage or 0)}
