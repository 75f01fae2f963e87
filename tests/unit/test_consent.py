"""geo/consent.py: the one rule for live viewing, analytic cases including the day boundary in WIB."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from geo.consent import LiveConsent, live_consent, local_today
from geo.vocabulary import ConsentLevel

DAY = date(2026, 12, 3)


@pytest.mark.parametrize(("level", "expires", "state"), [
    (ConsentLevel.LIVE, None, LiveConsent.ALLOWED),
    ("live", DAY, LiveConsent.ALLOWED),                   # "until 3 December" covers the whole day
    (ConsentLevel.LIVE, date(2026, 12, 2), LiveConsent.EXPIRED),
    (ConsentLevel.ON_REQUEST, None, LiveConsent.NOT_GIVEN),
    (ConsentLevel.REGISTRY_ONLY, date(2030, 1, 1), LiveConsent.NOT_GIVEN),
    (None, None, LiveConsent.NOT_GIVEN),
])
def test_live_consent(level, expires, state):
    answer = live_consent(level, expires, DAY)
    assert answer.state == state and answer.allowed == (state == LiveConsent.ALLOWED)
    assert (answer.reason is None) == answer.allowed


def test_reasons_say_what_to_do():
    assert "'on_request', not 'live'" in live_consent("on_request", None, DAY).reason
    assert "expired on 2026-12-02; record a renewed consent" in live_consent("live", date(2026, 12, 2), DAY).reason


def test_the_day_is_jakartas_not_utcs():
    # 17:00 UTC on 2 December is 00:00 on 3 December in Jakarta (UTC+7): consent "until 2 December" is over
    now = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    assert local_today(now, "Asia/Jakarta") == date(2026, 12, 3)
    assert local_today(now, "UTC") == date(2026, 12, 2)
    assert live_consent("live", date(2026, 12, 2), local_today(now, "Asia/Jakarta")).state == LiveConsent.EXPIRED


def test_renewal_list_holds_ended_and_soon_ending_consents_soonest_first():
    import pandas as pd

    from geo.consent import days_left, renewal_list

    today = date(2026, 12, 3)
    cameras = pd.DataFrame({
        "code": ["A", "B", "C", "D", "E"],
        "consent": ["live", "live", "on_request", "live", "live"],
        "consent_expires_on": [date(2026, 12, 20), date(2026, 11, 30), date(2027, 1, 2), None, date(2027, 1, 3)],
    })
    due = renewal_list(cameras, today)
    assert list(due["code"]) == ["A", "C", "B"]             # in 17 days, in 30 (the edge), then ended 3 days ago
    assert list(due["days_left"]) == [17, 30, -3]
    assert days_left(today, today) == 0 and days_left(None, today) is None
    assert renewal_list(cameras.iloc[:0], today).empty
