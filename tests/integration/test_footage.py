"""Footage requests on the real backends: deadlines from DVR retention, urgency order, Polsek
grouping, status history with who/when, contacts by role, and the audit trail."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from db.footage import (
    FootageError,
    change_status,
    footage_queue,
    grouped_by_polsek,
    history,
    request_footage,
    request_row,
)
from db.incidents import IncidentInput, create_incident
from db.models import AuditEvent
from db.models_ops import FootageRequest
from db.users import Actor, PermissionDenied
from geo.urgency import FootageStatus
from geo.vocabulary import Role
from tests.support.ops_registry import POINT, seed_registry

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
EVENT = NOW - timedelta(hours=30)
COMMANDER = Actor("budi", Role.COMMANDER)


@pytest.fixture
def incident(session_factory):
    with session_factory.begin() as s:
        seed_registry(s)
        return create_incident(s, COMMANDER, IncidentInput(EVENT, "robbery", lon=POINT[0], lat=POINT[1]),
                               now=NOW).code


def _request(session_factory, incident, codes, **kw):
    with session_factory.begin() as s:
        outcome = request_footage(s, COMMANDER, incident, codes, now=NOW, **kw)
        return [r.id for r in outcome.created], outcome.skipped


def test_requests_have_deadlines_and_come_in_urgency_order(session_factory, incident):
    created, skipped = _request(session_factory, incident,
                                ["CAM-WEEK", "CAM-TWO", "CAM-UNK", "CAM-NOOWNER", "CAM-FAR", "GHOST"])
    assert len(created) == 4
    assert {(s.camera_code, s.reason.split()[0]) for s in skipped} == {("CAM-NOOWNER", "the"), ("GHOST", "no")}
    with session_factory() as s:
        rows = footage_queue(s, COMMANDER, now=NOW)
    # unknown retention counts as no time left; then 2 days (18 h left), 7 days, 14 days
    assert [r.camera_code for r in rows] == ["CAM-UNK", "CAM-TWO", "CAM-WEEK", "CAM-FAR"]
    by_code = {r.camera_code: r for r in rows}
    assert by_code["CAM-TWO"].deadline == EVENT + timedelta(days=2)
    assert by_code["CAM-TWO"].urgency.hours_left == pytest.approx(18.0)
    assert by_code["CAM-WEEK"].deadline == EVENT + timedelta(days=7)
    assert by_code["CAM-UNK"].deadline is None and by_code["CAM-UNK"].urgency.unknown
    assert by_code["CAM-WEEK"].window_start == EVENT - timedelta(minutes=30)
    assert by_code["CAM-WEEK"].owner_phone == "+62 811 111"


def test_grouped_by_jurisdiction_polsek(session_factory, incident):
    _request(session_factory, incident, ["CAM-WEEK", "CAM-UNK", "CAM-FAR"])
    with session_factory() as s:
        rows = footage_queue(s, COMMANDER, now=NOW)
        groups = grouped_by_polsek(rows)
        assert {k: [r.camera_code for r in v] for k, v in groups.items()} == {
            "Polsek Kebon Jeruk": ["CAM-UNK", "CAM-WEEK"],  # kelurahan and kecamatan cameras of K1
            "Polsek Kembangan": ["CAM-FAR"]}
        assert [r.camera_code for r in footage_queue(s, COMMANDER, polsek_code="PS-KB", now=NOW)] == ["CAM-FAR"]


def test_status_changes_keep_history_and_audit(session_factory, incident):
    [rid], _ = _request(session_factory, incident, ["CAM-TWO"])
    steps = [("owner_contacted", "called RT head"), ("received", None), ("reviewed", "suspect visible")]
    for i, (status, note) in enumerate(steps):
        with session_factory.begin() as s:
            change_status(s, Actor(f"officer{i}", Role.OPERATOR), rid, status, note,
                          now=NOW + timedelta(hours=i + 1))
    with session_factory() as s:
        events = history(s, COMMANDER, rid)
        assert [(e.from_status, e.to_status, e.actor) for e in events] == [
            (None, FootageStatus.REQUESTED, "budi"),
            (FootageStatus.REQUESTED, FootageStatus.OWNER_CONTACTED, "officer0"),
            (FootageStatus.OWNER_CONTACTED, FootageStatus.RECEIVED, "officer1"),
            (FootageStatus.RECEIVED, FootageStatus.REVIEWED, "officer2")]
        assert events[1].note == "called RT head" and events[3].at == NOW + timedelta(hours=3)
        assert footage_queue(s, COMMANDER, now=NOW) == []  # finished requests leave the open queue
        assert [r.status for r in footage_queue(s, COMMANDER, include_finished=True, now=NOW)] == ["reviewed"]
        audit = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert audit == ["incident_create", "footage_request"] + ["footage_status"] * 3


def test_invalid_transition_and_duplicates_refused_without_writes(session_factory, incident):
    [rid], _ = _request(session_factory, incident, ["CAM-TWO"])
    with pytest.raises(FootageError, match="allowed next"), session_factory.begin() as s:
        change_status(s, COMMANDER, rid, "reviewed", now=NOW)
    with pytest.raises(FootageError, match="unknown status"), session_factory.begin() as s:
        change_status(s, COMMANDER, rid, "lost", now=NOW)
    with pytest.raises(FootageError, match="already requested"):
        _request(session_factory, incident, ["CAM-TWO"])
    with pytest.raises(FootageError, match="longer than 24"):
        _request(session_factory, incident, ["CAM-WEEK"], window=(EVENT, EVENT + timedelta(hours=30)))
    with session_factory() as s:
        assert s.scalar(select(func.count(FootageRequest.id))) == 1
        assert s.scalar(select(FootageRequest.status)) is FootageStatus.REQUESTED


def test_roles_on_direct_calls_and_commander_sees_owner_contacts(session_factory, incident):
    [rid], _ = _request(session_factory, incident, ["CAM-WEEK"])
    briefing = Actor("screen", Role.BRIEFING)
    with session_factory.begin() as s:
        with pytest.raises(PermissionDenied):
            request_footage(s, briefing, incident, ["CAM-TWO"], now=NOW)
        with pytest.raises(PermissionDenied):
            change_status(s, briefing, rid, "owner_contacted", now=NOW)
        with pytest.raises(PermissionDenied):
            footage_queue(s, briefing, now=NOW)
    with session_factory() as s:
        row = request_row(s, COMMANDER, rid, now=NOW)
        assert (row.owner_name, row.owner_email) == ("Toko =Maju", "maju@example.id")
