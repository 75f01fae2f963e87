"""Incidents on the real backends: creation from a point, typed text or a camera; dispatch; close;
role checks on direct calls; audit events; nothing written on bad input."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from db.incidents import (
    IncidentError,
    IncidentInput,
    create_incident,
    dispatch_incident,
    get_incident,
    list_incidents,
    set_incident_status,
)
from db.models import AuditEvent
from db.models_ops import Incident
from db.users import Actor, PermissionDenied
from geo.urgency import IncidentStatus
from geo.vocabulary import Role
from tests.support.ops_registry import POINT, seed_registry

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 10:00 WIB
EVENT = NOW - timedelta(hours=2)
BBOX = (106.64, -6.26, 106.86, -6.08)
COMMANDER = Actor("budi", Role.COMMANDER)


@pytest.fixture
def registry(session_factory):
    with session_factory.begin() as s:
        return seed_registry(s)


def _create(session_factory, **kw):
    data = IncidentInput(**({"event_time": EVENT, "category": "theft"} | kw))
    with session_factory.begin() as s:
        inc = create_incident(s, COMMANDER, data, region_bbox=BBOX, now=NOW)
        return inc.code, inc.lon, inc.lat, inc.camera_id


def test_create_from_point_typed_text_and_camera(session_factory, registry):
    first = _create(session_factory, lon=POINT[0], lat=POINT[1], description="<script>alert(1)</script>")
    second = _create(session_factory, coordinates="-6.1700, 106.7500")
    third = _create(session_factory, camera_code="CAM-TWO")
    assert first[:3] == ("INC-20261122-0001", *POINT)
    assert second[:3] == ("INC-20261122-0002", *POINT)
    assert third[0] == "INC-20261122-0003" and third[3] == registry["CAM-TWO"]
    with session_factory() as s:
        inc = get_incident(s, COMMANDER, "INC-20261122-0001")
        assert inc.description == "<script>alert(1)</script>"  # stored as typed, escaped when shown
        assert inc.status is IncidentStatus.OPEN and inc.created_by == "budi"
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "incident_create")
                           .order_by(AuditEvent.id)).all()
        assert [e.target for e in events] == ["INC-20261122-0001", "INC-20261122-0002", "INC-20261122-0003"]
        assert events[2].detail["camera"] == "CAM-TWO"


@pytest.mark.parametrize("kw,match", [
    ({"coordinates": "somewhere"}, "lat, lon"),
    ({"coordinates": "-7.5, 110.4"}, "outside the region"),
    ({"lon": POINT[0], "lat": POINT[1], "category": "alien"}, "unknown category"),
    ({"lon": POINT[0], "lat": POINT[1], "event_time": NOW + timedelta(hours=2)}, "future"),
    ({"lon": POINT[0], "lat": POINT[1], "event_time": datetime(2026, 11, 22, 1, 0)}, "time zone"),
    ({"lon": POINT[0], "lat": POINT[1], "event_time": NOW - timedelta(days=400)}, "year old"),
    ({"lon": POINT[0], "lat": POINT[1], "description": "x" * 2001}, "at most 2000"),
    ({"camera_code": "NOPE"}, "no camera"),
    ({}, "say where"),
])
def test_bad_input_says_what_is_wrong_and_writes_nothing(session_factory, registry, kw, match):
    with pytest.raises(IncidentError, match=match):
        _create(session_factory, **kw)
    with session_factory() as s:
        assert s.scalar(select(func.count(Incident.id))) == 0
        assert s.scalar(select(func.count(AuditEvent.id))) == 0


def test_dispatch_then_close_with_audit(session_factory, registry):
    code = _create(session_factory, lon=POINT[0], lat=POINT[1])[0]
    with session_factory.begin() as s:
        dispatch_incident(s, COMMANDER, code, "POS-1", now=NOW)
    with session_factory.begin() as s, pytest.raises(IncidentError, match="allowed next"):
        dispatch_incident(s, COMMANDER, code, "PS-KJ", now=NOW)
    with session_factory.begin() as s:
        set_incident_status(s, COMMANDER, code, "closed", now=NOW + timedelta(hours=1))
    with session_factory() as s:
        inc = get_incident(s, COMMANDER, code)
        assert inc.status is IncidentStatus.CLOSED
        assert (inc.dispatched_to.code, inc.dispatched_by, inc.dispatched_at) == ("POS-1", "budi", NOW)
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["incident_create", "incident_dispatch", "incident_status"]
        assert [i.code for i in list_incidents(s, COMMANDER, (IncidentStatus.OPEN,))] == []


def test_dispatch_to_unknown_post_refused(session_factory, registry):
    code = _create(session_factory, lon=POINT[0], lat=POINT[1])[0]
    with pytest.raises(IncidentError, match="no post"), session_factory.begin() as s:
        dispatch_incident(s, COMMANDER, code, "NOPE", now=NOW)


def test_briefing_role_cannot_create_or_read_even_directly(session_factory, registry):
    briefing = Actor("screen", Role.BRIEFING)
    with pytest.raises(PermissionDenied), session_factory.begin() as s:
        create_incident(s, briefing, IncidentInput(EVENT, "theft", lon=POINT[0], lat=POINT[1]), now=NOW)
    with session_factory() as s:
        with pytest.raises(PermissionDenied):
            list_incidents(s, briefing)
        assert s.scalar(select(func.count(Incident.id))) == 0
