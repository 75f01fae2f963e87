"""geo.feed_health: the one rule behind the map's health classes and the player's "feed is down"."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from geo.consent import LiveConsent
from geo.feed_health import FAULTS, Evidence, FeedHealth, MapHealth, feed_health, map_class, player_down
from geo.vocabulary import Connection, FeedMode, FeedState

C, R = Connection.CONNECTED, Connection.REGISTERED


@pytest.mark.parametrize(("connection", "mode", "state", "health"), [
    (R, FeedMode.ALWAYS_ON, FeedState.RUNNING, FeedHealth.REGISTERED),   # not connected wins over any feed
    (C, None, None, FeedHealth.NO_FEED),
    (C, FeedMode.OFF, FeedState.STOPPED, FeedHealth.OFF),
    (C, FeedMode.OFF, FeedState.FAILED, FeedHealth.OFF),                  # switched off: not "failing"
    (C, FeedMode.ON_DEMAND, FeedState.STALLED, FeedHealth.FAILING),
    (C, FeedMode.ALWAYS_ON, FeedState.BACKOFF, FeedHealth.FAILING),
    (C, FeedMode.ON_DEMAND, FeedState.FAILED, FeedHealth.FAILING),
    (C, FeedMode.ALWAYS_ON, FeedState.STOPPED, FeedHealth.NOT_RUNNING),
    (C, FeedMode.ALWAYS_ON, FeedState.STARTING, FeedHealth.NOT_RUNNING),
    (C, FeedMode.ALWAYS_ON, FeedState.RUNNING, FeedHealth.RUNNING),
    (C, FeedMode.ON_DEMAND, FeedState.RUNNING, FeedHealth.RUNNING),
    (C, FeedMode.ON_DEMAND, FeedState.STARTING, FeedHealth.STARTING),
    (C, FeedMode.ON_DEMAND, FeedState.STOPPED, FeedHealth.IDLE),
])
def test_each_question_in_order(connection, mode, state, health):
    assert feed_health(connection, mode, state) is health
    # Strings from the database or the relay's JSON give the same answer as the enums.
    assert feed_health(connection.value, mode and mode.value, state and state.value) is health


NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
FRESH = Evidence(ran_at=NOW - timedelta(hours=2), checked_at=NOW - timedelta(minutes=3), answered=True)
M = MapHealth


@pytest.mark.parametrize(("mode", "state", "evidence", "expected"), [
    (FeedMode.ON_DEMAND, FeedState.STOPPED, Evidence(), M.NOT_STARTED),             # never started: no claim
    (FeedMode.ON_DEMAND, FeedState.STOPPED, FRESH, M.HEALTHY),                      # ran today, answered lately
    (FeedMode.ON_DEMAND, FeedState.STOPPED, replace(FRESH, ran_at=NOW - timedelta(days=3)), M.NOT_STARTED),
    (FeedMode.ON_DEMAND, FeedState.STOPPED, replace(FRESH, checked_at=NOW - timedelta(hours=1)), M.NOT_STARTED),
    (FeedMode.ON_DEMAND, FeedState.STOPPED, replace(FRESH, answered=False), M.CAMERA_UNREACHABLE),
    (FeedMode.ON_DEMAND, FeedState.STOPPED, Evidence(checked_at=NOW, answered=True), M.NOT_STARTED),
    (FeedMode.ON_DEMAND, FeedState.BACKOFF, FRESH, M.CAMERA_UNREACHABLE),
    (FeedMode.ALWAYS_ON, FeedState.RUNNING, Evidence(), M.HEALTHY),                 # advancing now is enough
    (FeedMode.ALWAYS_ON, FeedState.STARTING, FRESH, M.NOT_STARTED),
    (FeedMode.ALWAYS_ON, FeedState.RUNNING, replace(FRESH, relay_alive=False), M.RELAY_UNREACHABLE),
    (FeedMode.ON_DEMAND, FeedState.STOPPED, replace(FRESH, relay_alive=False), M.RELAY_UNREACHABLE),
    (FeedMode.ALWAYS_ON, FeedState.RUNNING, replace(FRESH, consent=LiveConsent.EXPIRED), M.CONSENT_MISSING),
    (FeedMode.ON_DEMAND, FeedState.STOPPED, replace(FRESH, consent=LiveConsent.NOT_GIVEN), M.CONSENT_MISSING),
    (None, None, Evidence(), M.NOT_STARTED),                                        # connected without a feed
    (FeedMode.OFF, FeedState.STOPPED, replace(FRESH, relay_alive=False), M.NOT_STARTED),
])
def test_map_class_asks_in_order(mode, state, evidence, expected):
    assert map_class(C, mode, state, evidence, NOW) is expected


def test_registered_wins_and_whatever_the_player_calls_down_is_not_healthy_on_the_map():
    assert map_class(R, FeedMode.ALWAYS_ON, FeedState.RUNNING, FRESH, NOW) is M.REGISTERED
    for mode in FeedMode:
        for state in FeedState:
            if player_down(feed_health(C, mode, state)):
                assert map_class(C, mode, state, FRESH, NOW) in FAULTS
    assert set(MapHealth) - FAULTS == {M.HEALTHY, M.REGISTERED}
