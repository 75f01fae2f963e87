"""Duty roster and positions on the real backends: imports are all-or-nothing with line-numbered
problems, positions never go back in time, personnel edits are admin-only and audited."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from db.audit import AuditAction
from db.models import AuditEvent, DutyUnit, Post
from db.roster import (
    RosterError,
    RosterRejected,
    import_positions_csv,
    import_roster_csv,
    report_position,
    set_post_personnel,
)
from db.users import Actor, PermissionDenied
from geo.vocabulary import Role
from tests.support.ops_registry import seed_registry

ADMIN = Actor("sari", Role.ADMIN)
BBOX = (106.64, -6.26, 106.86, -6.08)
GOOD = ("unit,post,headcount,shift_start,shift_end\n"
        "RAIMAS-01,PS-KJ,6,2026-11-22 07:00,2026-11-22 19:00\n"
        "POS-1-A,POS-1,2,2026-11-22T19:00+07:00,2026-11-23T07:00+07:00\n")


@pytest.fixture
def registry(session_factory):
    with session_factory.begin() as s:
        seed_registry(s)


def _units(session_factory):
    with session_factory() as s:
        units = {u.callsign: u for u in s.scalars(select(DutyUnit))}
        for unit in units.values():
            unit.post_code = unit.post.code if unit.post else None
        return units


def test_roster_import_adds_then_updates_and_audits(session_factory, registry):
    with session_factory.begin() as s:
        report = import_roster_csv(s, ADMIN, GOOD.encode("utf-8-sig"), source="shift.csv")
    assert (report.rows, report.added, report.updated) == (2, 2, 0)
    units = _units(session_factory)
    assert units["RAIMAS-01"].headcount == 6
    assert units["RAIMAS-01"].shift_start == datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # 07:00 WIB
    assert units["POS-1-A"].post_code == "POS-1"
    semicolons = GOOD.replace(",", ";").replace("RAIMAS-01;PS-KJ;6", "RAIMAS-01;PS-KJ;8")
    with session_factory.begin() as s:
        report = import_roster_csv(s, ADMIN, semicolons, source="shift2.csv")
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    assert _units(session_factory)["RAIMAS-01"].headcount == 8
    with session_factory() as s:
        targets = s.scalars(select(AuditEvent.target).where(AuditEvent.action == AuditAction.ROSTER_IMPORT)).all()
    assert targets == ["shift.csv", "shift2.csv"]


def test_bad_rows_are_reported_by_line_and_nothing_is_written(session_factory, registry):
    bad = ("unit,post,headcount,shift_start,shift_end\n"
           "RAIMAS-01,PS-KJ,6,2026-11-22 07:00,2026-11-22 19:00\n"   # line 2 fine
           "=HYPERLINK(1),PS-KJ,6,2026-11-22 07:00,2026-11-22 19:00\n"  # 3 formula as call sign
           "U3,NOPE,6,2026-11-22 07:00,2026-11-22 19:00\n"            # 4 unknown post
           "U4,PS-KJ,zero,2026-11-22 07:00,2026-11-22 19:00\n"         # 5 headcount
           "U5,PS-KJ,3,2026-11-22 19:00,2026-11-22 07:00\n"            # 6 ends before start
           "U6,PS-KJ,3,tomorrow,2026-11-22 07:00\n"                    # 7 not a time
           "RAIMAS-01,PS-KJ,2,2026-11-22 07:00,2026-11-22 19:00\n")   # 8 duplicate
    with pytest.raises(RosterRejected) as info, session_factory.begin() as s:
        import_roster_csv(s, ADMIN, bad)
    problems = dict(info.value.report.errors)
    assert sorted(problems) == [3, 4, 5, 6, 7, 8]
    assert "call sign" in problems[3] and "not in the registry" in problems[4]
    assert "not a number" in problems[5] and "ends before" in problems[6]
    assert "not a time" in problems[7] and "line 2" in problems[8]
    assert "nothing was imported" in info.value.report.as_text()
    with session_factory() as s:
        assert s.scalar(select(func.count(DutyUnit.id))) == 0
        assert s.scalar(select(func.count(AuditEvent.id))) == 0


@pytest.mark.parametrize("text,match", [("callsign;post\nA;B\n", "missing column"),
                                        ("unit,post,headcount,shift_start,shift_end\n", "no rows")])
def test_unusable_files(session_factory, registry, text, match):
    with pytest.raises(RosterRejected, match=match), session_factory.begin() as s:
        import_roster_csv(s, ADMIN, text)


def test_positions_keep_the_newest_report(session_factory, registry):
    with session_factory.begin() as s:
        import_roster_csv(s, ADMIN, GOOD)
    track = ("unit,lon,lat,at\n"
             "RAIMAS-01,106.751,-6.171,2026-11-22 08:05\n"
             "RAIMAS-01,106.752,-6.172,2026-11-22 08:00\n")
    with session_factory.begin() as s:
        report = import_positions_csv(s, ADMIN, track, bbox=BBOX)
    assert report.rows == 2  # applied in time order: the 08:05 report is the one kept
    unit = _units(session_factory)["RAIMAS-01"]
    assert (unit.last_lon, unit.last_lat) == (106.751, -6.171)
    at = datetime(2026, 11, 22, 1, 10, tzinfo=UTC)
    with session_factory.begin() as s:
        assert report_position(s, "RAIMAS-01", 106.753, -6.173, at, bbox=BBOX) is True
        assert report_position(s, "RAIMAS-01", 106.7, -6.1, at - timedelta(hours=1), bbox=BBOX) is False
    unit = _units(session_factory)["RAIMAS-01"]
    assert (unit.last_lon, unit.last_seen_at) == (106.753, at)


@pytest.mark.parametrize("args,match", [(("GHOST", 106.75, -6.17), "unknown unit"),
                                        (("RAIMAS-01", 106.0, -6.17), "outside the region"),
                                        (("RAIMAS-01", float("nan"), -6.17), "not a position"),
                                        (("<b>x</b>", 106.75, -6.17), "call sign")])
def test_bad_position_reports(session_factory, registry, args, match):
    with session_factory.begin() as s:
        import_roster_csv(s, ADMIN, GOOD)
    with pytest.raises(RosterError, match=match), session_factory.begin() as s:
        report_position(s, *args, datetime.now(UTC), bbox=BBOX)


def test_positions_file_with_unknown_unit_writes_nothing(session_factory, registry):
    with pytest.raises(RosterRejected, match="unknown unit"), session_factory.begin() as s:
        import_positions_csv(s, ADMIN, "unit,lon,lat,at\nGHOST,106.75,-6.17,2026-11-22 08:00\n")


def test_personnel_edit_admin_only_and_audited(session_factory, registry):
    with pytest.raises(PermissionDenied), session_factory.begin() as s:
        set_post_personnel(s, Actor("andi", Role.OPERATOR), "PS-KJ", 70)
    with pytest.raises(PermissionDenied), session_factory.begin() as s:
        import_roster_csv(s, Actor("budi", Role.COMMANDER), GOOD)
    with pytest.raises(RosterError, match="whole number"), session_factory.begin() as s:
        set_post_personnel(s, ADMIN, "PS-KJ", -1)
    with session_factory.begin() as s:
        set_post_personnel(s, ADMIN, "PS-KJ", 70)
    with session_factory() as s:
        assert s.scalar(select(Post.personnel).where(Post.code == "PS-KJ")) == 70
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "registry_edit"))
        assert event.detail == {"field": "personnel", "from": 60, "to": 70}
