"""geo.feed_health: the one rule behind the map's health classes and the player's "feed is down"."""
from __future__ import annotations

import pytest

from geo.feed_health import FeedHealth, MapHealth, feed_health, map_health, player_down
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


def test_map_classes_and_player_come_from_the_same_answer():
    healthy = {h for h in FeedHealth if map_health(h) is MapHealth.HEALTHY}
    assert healthy == {FeedHealth.RUNNING, FeedHealth.STARTING, FeedHealth.IDLE}
    assert map_health(FeedHealth.REGISTERED) is MapHealth.REGISTERED
    down = {h for h in FeedHealth if player_down(h)}
    assert down == {FeedHealth.OFF, FeedHealth.FAILING}
    # Whatever the player calls down, the map shows as a fault.
    assert all(map_health(h) is MapHealth.FAULT for h in down)
