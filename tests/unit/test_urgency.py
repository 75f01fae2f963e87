"""Deadlines, hours left, urgency order and status transitions: pure logic."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from geo.urgency import (
    FootageStatus,
    IncidentStatus,
    TransitionError,
    WindowError,
    by_urgency,
    check_transition,
    check_window,
    footage_deadline,
    footage_window,
    hours_left,
    urgency_of,
)

EVENT = datetime(2026, 11, 20, 22, 15, tzinfo=timezone(timedelta(hours=7)))  # WIB


def test_deadline_is_event_time_plus_retention():
    assert footage_deadline(EVENT, 7) == EVENT + timedelta(days=7)
    assert footage_deadline(EVENT, 7).utcoffset() == timedelta(hours=7)
    assert footage_deadline(EVENT, None) is None


@pytest.mark.parametrize("days", [0, -3, 5000])
def test_impossible_retention_refused(days):
    with pytest.raises(ValueError, match="retention"):
        footage_deadline(EVENT, days)


def test_naive_times_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        footage_deadline(datetime(2026, 11, 20), 3)


def test_hours_left_counts_down_and_goes_negative():
    deadline = footage_deadline(EVENT, 2)
    assert hours_left(deadline, EVENT) == pytest.approx(48.0)
    assert hours_left(deadline, EVENT + timedelta(days=2, hours=3)) == pytest.approx(-3.0)
    assert hours_left(None, EVENT) is None


@dataclass
class Req:
    name: str
    status: FootageStatus
    deadline: datetime | None


def test_urgency_order_open_first_by_hours_left_unknown_counts_as_none_left():
    now = EVENT + timedelta(days=1)
    reqs = [Req("week", FootageStatus.REQUESTED, footage_deadline(EVENT, 7)),
            Req("done", FootageStatus.RECEIVED, footage_deadline(EVENT, 1)),
            Req("two", FootageStatus.OWNER_CONTACTED, footage_deadline(EVENT, 2)),
            Req("unknown", FootageStatus.REQUESTED, None),
            Req("overdue", FootageStatus.REQUESTED, EVENT + timedelta(hours=12)),
            Req("three", FootageStatus.REQUESTED, footage_deadline(EVENT, 3))]
    assert [r.name for r in by_urgency(reqs, now)] == ["overdue", "unknown", "two", "three", "week", "done"]
    u = urgency_of(FootageStatus.REQUESTED, EVENT + timedelta(hours=12), now)
    assert u.overdue and u.open and u.hours_left == pytest.approx(-12)


def test_default_window_is_half_an_hour_each_side():
    assert footage_window(EVENT) == (EVENT - timedelta(minutes=30), EVENT + timedelta(minutes=30))


@pytest.mark.parametrize("start,end,match", [(EVENT, EVENT, "end after"),
                                             (EVENT, EVENT + timedelta(hours=25), "longer than 24")])
def test_bad_windows(start, end, match):
    with pytest.raises(WindowError, match=match):
        check_window(start, end)


@pytest.mark.parametrize("current,new", [
    (FootageStatus.REQUESTED, FootageStatus.OWNER_CONTACTED),
    (FootageStatus.REQUESTED, FootageStatus.RECEIVED),
    (FootageStatus.OWNER_CONTACTED, FootageStatus.UNAVAILABLE),
    (FootageStatus.RECEIVED, FootageStatus.REVIEWED),
    (IncidentStatus.OPEN, IncidentStatus.DISPATCHED),
    (IncidentStatus.DISPATCHED, IncidentStatus.CLOSED),
    (IncidentStatus.CLOSED, IncidentStatus.OPEN),
])
def test_allowed_transitions(current, new):
    assert check_transition(current, new) is new


@pytest.mark.parametrize("current,new", [
    (FootageStatus.REQUESTED, FootageStatus.REVIEWED),
    (FootageStatus.REVIEWED, FootageStatus.REQUESTED),
    (FootageStatus.UNAVAILABLE, FootageStatus.RECEIVED),
    (FootageStatus.REQUESTED, FootageStatus.REQUESTED),
    (IncidentStatus.CLOSED, IncidentStatus.DISPATCHED),
])
def test_refused_transitions_say_what_is_allowed(current, new):
    with pytest.raises(TransitionError, match="allowed next"):
        check_transition(current, new)
