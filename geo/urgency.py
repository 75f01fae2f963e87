"""Footage hand-over deadlines and urgency, and the incident / footage-request status vocabulary.

A registered camera's DVR overwrites its oldest recording after ``dvr_retention_days``; footage of an
event is lost at ``event_time + retention``. That moment is the request's deadline, and requests are
worked in order of hours left. Pure functions: no database, no clock unless one is passed in.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

DEFAULT_WINDOW_BEFORE = timedelta(minutes=30)
DEFAULT_WINDOW_AFTER = timedelta(minutes=30)
MAX_WINDOW = timedelta(hours=24)
MAX_RETENTION_DAYS = 3650


class IncidentStatus(StrEnum):
    OPEN = "open"
    DISPATCHED = "dispatched"
    CLOSED = "closed"


class FootageStatus(StrEnum):
    REQUESTED = "requested"
    OWNER_CONTACTED = "owner_contacted"
    RECEIVED = "received"
    REVIEWED = "reviewed"
    UNAVAILABLE = "unavailable"


class TransitionError(ValueError):
    """A status change that the workflow does not allow."""


class WindowError(ValueError):
    """A footage time window that cannot be requested."""


INCIDENT_TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.OPEN: frozenset({IncidentStatus.DISPATCHED, IncidentStatus.CLOSED}),
    IncidentStatus.DISPATCHED: frozenset({IncidentStatus.CLOSED}),
    IncidentStatus.CLOSED: frozenset({IncidentStatus.OPEN}),  # re-opened when new facts come in
}

FOOTAGE_TRANSITIONS: dict[FootageStatus, frozenset[FootageStatus]] = {
    FootageStatus.REQUESTED: frozenset({FootageStatus.OWNER_CONTACTED, FootageStatus.RECEIVED,
                                        FootageStatus.UNAVAILABLE}),
    FootageStatus.OWNER_CONTACTED: frozenset({FootageStatus.RECEIVED, FootageStatus.UNAVAILABLE}),
    FootageStatus.RECEIVED: frozenset({FootageStatus.REVIEWED}),
    FootageStatus.REVIEWED: frozenset(),
    FootageStatus.UNAVAILABLE: frozenset(),
}

OPEN_FOOTAGE = frozenset({FootageStatus.REQUESTED, FootageStatus.OWNER_CONTACTED})

S = TypeVar("S", IncidentStatus, FootageStatus)


def check_transition(current: S, new: S) -> S:
    """``new`` when the workflow allows moving there from ``current``; TransitionError otherwise."""
    table: dict[Any, frozenset[Any]] = (INCIDENT_TRANSITIONS if isinstance(current, IncidentStatus)
                                       else FOOTAGE_TRANSITIONS)
    new = type(current)(new)
    if new not in table[current]:
        allowed = ", ".join(sorted(s.value for s in table[current])) or "nothing (final status)"
        raise TransitionError(f"cannot change status from '{current.value}' to '{new.value}'; "
                              f"allowed next: {allowed}")
    return new


def footage_deadline(event_time: datetime, retention_days: int | None) -> datetime | None:
    """When the DVR overwrites the event: event time + retention; None when retention is unknown."""
    _require_aware(event_time, "event time")
    if retention_days is None or (isinstance(retention_days, float) and math.isnan(retention_days)):
        return None
    days = int(retention_days)
    if not 0 < days <= MAX_RETENTION_DAYS:
        raise ValueError(f"DVR retention must be between 1 and {MAX_RETENTION_DAYS} days, got {retention_days}")
    return event_time + timedelta(days=days)


def hours_left(deadline: datetime | None, now: datetime) -> float | None:
    """Hours before the recording is overwritten (negative once past); None when unknown."""
    if deadline is None:
        return None
    _require_aware(now, "now")
    return (deadline - now).total_seconds() / 3600.0


def footage_window(event_time: datetime, before: timedelta = DEFAULT_WINDOW_BEFORE,
                   after: timedelta = DEFAULT_WINDOW_AFTER) -> tuple[datetime, datetime]:
    _require_aware(event_time, "event time")
    return check_window(event_time - before, event_time + after)


def check_window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    _require_aware(start, "window start")
    _require_aware(end, "window end")
    if end <= start:
        raise WindowError("the footage window must end after it starts")
    if end - start > MAX_WINDOW:
        raise WindowError(f"the footage window is longer than {MAX_WINDOW.total_seconds() / 3600:.0f} hours; "
                          "request a shorter window (owners copy it by hand)")
    return start, end


@dataclass(frozen=True)
class Urgency:
    """Where a request stands against its deadline."""

    hours_left: float | None
    overdue: bool
    unknown: bool
    open: bool


def urgency_of(status: FootageStatus, deadline: datetime | None, now: datetime) -> Urgency:
    left = hours_left(deadline, now)
    return Urgency(hours_left=left, overdue=left is not None and left < 0, unknown=left is None,
                   open=FootageStatus(status) in OPEN_FOOTAGE)


def urgency_key(status: FootageStatus, deadline: datetime | None, now: datetime) -> tuple:
    """Sort key: open requests first, by hours left (unknown retention counts as no time left, because
    the recording may be overwritten any moment); finished ones after, newest deadline last."""
    u = urgency_of(status, deadline, now)
    left = 0.0 if u.unknown else u.hours_left
    return (0 if u.open else 1, left)


T = TypeVar("T")


def by_urgency(items: Iterable[T], now: datetime, status=lambda r: r.status,
               deadline=lambda r: r.deadline) -> list[T]:
    """Items ordered most urgent first (stable for equal keys)."""
    return sorted(items, key=lambda r: urgency_key(status(r), deadline(r), now))


def _require_aware(value: datetime, what: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (use Asia/Jakarta or UTC)")


def utc(value: datetime) -> datetime:
    _require_aware(value, "time")
    return value.astimezone(UTC)
