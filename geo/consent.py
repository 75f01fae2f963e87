"""Whether an owner's consent allows police to watch a camera live, and why not: one rule for the relay,
the importer and the map.

A live view needs consent level ``live`` and, when the consent has an end date, a day no later than
that date in the programme's time zone (consent "until 31 December" covers the whole of that day in
Jakarta, whatever the UTC clock says). ``on_request`` consent covers handing over recordings only;
``registry_only`` covers being listed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from geo.vocabulary import ConsentLevel


class LiveConsent(StrEnum):
    ALLOWED = "allowed"
    NOT_GIVEN = "not_given"     # the owner agreed to less than live viewing (or to nothing)
    EXPIRED = "expired"         # live consent whose end date has passed


@dataclass(frozen=True)
class ConsentAnswer:
    state: LiveConsent
    reason: str | None = None   # English, for the relay's API and logs; the dashboard words it itself

    @property
    def allowed(self) -> bool:
        return self.state == LiveConsent.ALLOWED


def local_today(now: datetime, timezone: str) -> date:
    """The calendar day at ``now`` (aware) in ``timezone``."""
    return now.astimezone(ZoneInfo(timezone)).date()


def live_consent(level: ConsentLevel | str | None, expires_on: date | None, today: date) -> ConsentAnswer:
    """Whether consent ``level`` (ending on ``expires_on``, inclusive) allows a live view on ``today``."""
    value = getattr(level, "value", level)
    if value != ConsentLevel.LIVE.value:
        shown = value or "none"
        return ConsentAnswer(LiveConsent.NOT_GIVEN,
                             f"the owner's consent is '{shown}', not 'live'; live viewing needs the owner's live "
                             "consent in the registry")
    if expires_on is not None and today > expires_on:
        return ConsentAnswer(LiveConsent.EXPIRED,
                             f"the owner's live consent expired on {expires_on.isoformat()}; record a renewed "
                             "consent in the registry")
    return ConsentAnswer(LiveConsent.ALLOWED)


RENEWAL_WINDOW_DAYS = 30


def days_left(expires_on: date | None, today: date) -> int | None:
    """Days until a consent ends (0: its last day is today; negative: it has ended), None without an end."""
    return None if expires_on is None else (expires_on - today).days


def renewal_list(cameras, today: date, within_days: int = RENEWAL_WINDOW_DAYS):
    """Cameras whose consent has ended or ends within ``within_days``, with ``days_left``: first those
    still running, soonest end first (a call now keeps them), then those that ended, most recent first.

    ``cameras`` is a frame with at least code, consent and consent_expires_on (dates, or None); the
    rows keep their other columns.
    """
    import pandas as pd

    stamps = pd.to_datetime(cameras["consent_expires_on"], errors="coerce")
    expires = [stamp.date() if pd.notna(stamp) else None for stamp in stamps]
    left = [days_left(day, today) for day in expires]
    frame = cameras.assign(consent_expires_on=expires, days_left=pd.array(left, dtype="Int64"))
    due = frame[frame["days_left"].notna() & (frame["days_left"] <= within_days)]
    order = due.assign(_ended=due["days_left"] < 0, _distance=due["days_left"].abs())
    return order.sort_values(["_ended", "_distance", "code"], kind="stable").drop(columns=["_ended", "_distance"]) \
        .reset_index(drop=True)


CONSENT_ORDER = {ConsentLevel.REGISTRY_ONLY: 0, ConsentLevel.ON_REQUEST: 1, ConsentLevel.LIVE: 2}


class ConsentChange(StrEnum):
    """How an owner's consent moved, as the transparency report counts it."""

    RAISED = "raised"           # e.g. on request -> live
    LOWERED = "lowered"         # e.g. live -> on request or registry only (withdrawn)
    EXTENDED = "extended"       # same level, a later end date (or no end date any more)
    SHORTENED = "shortened"     # same level, an earlier end date (or an end date where there was none)


def consent_change(old_level: ConsentLevel | str | None, old_expires: date | None,
                   new_level: ConsentLevel | str | None, new_expires: date | None) -> ConsentChange | None:
    """The kind of change from the stored consent to the new one; None when nothing changed. A level
    that is not given counts as registry only (the least an owner agrees to by being listed)."""
    old = CONSENT_ORDER[ConsentLevel(old_level or ConsentLevel.REGISTRY_ONLY)]
    new = CONSENT_ORDER[ConsentLevel(new_level or ConsentLevel.REGISTRY_ONLY)]
    if new != old:
        return ConsentChange.RAISED if new > old else ConsentChange.LOWERED
    if old_expires == new_expires:
        return None
    if new_expires is None or (old_expires is not None and new_expires > old_expires):
        return ConsentChange.EXTENDED
    return ConsentChange.SHORTENED
