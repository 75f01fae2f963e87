"""The audit log on the real backends: append, filter, export with neutralised formulas, purge."""
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db import audit
from db.audit import (
    AuditAction,
    AuditError,
    AuditFilter,
    export_csv,
    purge_older_than,
    read_events,
    record,
    record_feed_control,
    record_live_view,
    record_registry_change,
    spreadsheet_safe,
)
from db.models import AuditEvent
from db.users import Actor, PermissionDenied
from geo.vocabulary import Role

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
ADMIN = Actor("sari", Role.ADMIN)
OPERATOR = Actor("andi", Role.OPERATOR)


def _seed(session_factory):
    with session_factory.begin() as s:
        record_live_view(s, OPERATOR, "CAM-001")
        s.execute(select(1))
        record(s, "budi", AuditAction.SIGN_IN, target="budi", at=T0)
        record(s, "budi", AuditAction.LIVE_VIEW, target="CAM-002", at=T0 + timedelta(hours=1))
        record_feed_control(s, OPERATOR, "CAM-002", "restart", {"profile": "low",
                                                                 "stream_url": "rtsp://u:p@h/x",
                                                                 "token": "abc"})
        record_registry_change(s, ADMIN, "import", "=HYPERLINK(\"http://evil\")", {"rows": 3})
        record_registry_change(s, ADMIN, "edit", "CAM-003", {"field": "name"})


def test_events_for_each_helper_and_no_secrets(session_factory):
    _seed(session_factory)
    with session_factory() as s:
        rows = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [(r.actor, r.action, r.target) for r in rows] == [
        ("andi", "live_view", "CAM-001"), ("budi", "sign_in", "budi"), ("budi", "live_view", "CAM-002"),
        ("andi", "feed_control", "CAM-002"), ("sari", "registry_import", "=HYPERLINK(\"http://evil\")"),
        ("sari", "registry_edit", "CAM-003")]
    assert rows[3].detail == {"command": "restart", "profile": "low"}
    assert rows[0].at.tzinfo is not None


def test_filters_by_actor_action_time_and_target(session_factory):
    _seed(session_factory)
    with session_factory() as s:
        by_actor = read_events(s, ADMIN, AuditFilter(actor="budi"))
        assert [r.action for r in by_actor] == ["live_view", "sign_in"]  # newest first
        views = read_events(s, ADMIN, AuditFilter(actions=("live_view",)))
        assert {r.target for r in views} == {"CAM-001", "CAM-002"}
        window = read_events(s, ADMIN, AuditFilter(since=T0, until=T0 + timedelta(minutes=30)))
        assert [r.action for r in window] == ["sign_in"]
        assert [r.target for r in read_events(s, ADMIN, AuditFilter(target_contains="cam-00_"))] == []
        assert {r.target for r in read_events(s, ADMIN, AuditFilter(target_contains="cam-002"))} == {"CAM-002"}


def test_reading_needs_the_audit_permission(session_factory):
    _seed(session_factory)
    with session_factory() as s:
        with pytest.raises(PermissionDenied):
            read_events(s, OPERATOR)
        with pytest.raises(PermissionDenied):
            export_csv(s, Actor("c", Role.COMMANDER))


@pytest.mark.parametrize("flt", [{"actions": ("drop_tables",)}, {"since": datetime(2026, 1, 1)},
                                 {"since": T0, "until": T0 - timedelta(days=1)}])
def test_bad_filters_say_what_is_wrong(flt):
    with pytest.raises(AuditError):
        AuditFilter(**flt)


def test_export_neutralises_formulas_and_is_audited(session_factory):
    _seed(session_factory)
    with session_factory.begin() as s:
        text = export_csv(s, ADMIN)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["at_utc", "actor", "action", "target", "detail"]
    targets = [r[3] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in targets
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows[1:] for cell in r)
    with session_factory() as s:
        assert s.scalar(select(AuditEvent.detail).where(AuditEvent.action == "audit_export")) == {"rows": 6}


@pytest.mark.parametrize("raw,expected", [("=1+1", "'=1+1"), ("+62 812", "'+62 812"), ("-5", "'-5"),
                                          ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("CAM-1", "CAM-1"),
                                          (None, ""), (12, "12")])
def test_spreadsheet_safe(raw, expected):
    assert spreadsheet_safe(raw) == expected


def test_purge_removes_only_old_events_and_leaves_a_trace(session_factory):
    with session_factory.begin() as s:
        record(s, "budi", AuditAction.SIGN_IN, at=T0 - timedelta(days=400))
        record(s, "budi", AuditAction.SIGN_IN, at=T0 - timedelta(days=10))
    with session_factory.begin() as s:
        assert purge_older_than(s, ADMIN, 365, now=T0) == 1
    with session_factory() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.at))]
        assert actions == ["sign_in", "audit_purge"]
    with pytest.raises(AuditError, match="at least 30"), session_factory.begin() as s:
        purge_older_than(s, ADMIN, 1, now=T0)
    with pytest.raises(PermissionDenied), session_factory.begin() as s:
        purge_older_than(s, OPERATOR, 365, now=T0)


def test_module_offers_no_update_or_delete_besides_purge():
    public = {name for name, obj in vars(audit).items()
              if callable(obj) and getattr(obj, "__module__", None) == audit.__name__}
    assert {"record", "read_events", "purge_older_than"} <= public
    assert not {n for n in public if n.startswith(("update", "delete", "edit", "remove"))}
