"""What a camera's feed state means for the people watching: one rule for the map, the card and the player.

The relay writes each feed's observed state (relay/supervisor.py); this module turns the camera's
connection, the feed's desired mode and that observed state into one answer, asking in order:

1. Is the camera connected to the command centre at all?          no  -> REGISTERED
2. Does it have a feed configured on the relay?                   no  -> NO_FEED
3. Has an operator switched the feed off?                         yes -> OFF
4. Does the relay report it failing (stalled, backing off, failed)? yes -> FAILING
5. Must it always run (pinned) but is not running?                yes -> NOT_RUNNING
6. Otherwise: RUNNING, STARTING (on demand, a viewer asked) or IDLE (on demand, nobody watches).

The map's three classes (live and healthy / live with a fault / registered only) and the player's
"the feed is down" both derive from this answer, so they cannot disagree.
"""
from __future__ import annotations

from enum import StrEnum

from geo.vocabulary import Connection, FeedMode, FeedState


class FeedHealth(StrEnum):
    REGISTERED = "registered"
    NO_FEED = "no_feed"
    OFF = "off"
    FAILING = "failing"
    NOT_RUNNING = "not_running"
    STARTING = "starting"
    RUNNING = "running"
    IDLE = "idle"


class MapHealth(StrEnum):
    """The map's marker classes (the filter values of the map page)."""

    HEALTHY = "healthy"
    FAULT = "fault"
    REGISTERED = "registered"


_FAILING_STATES = frozenset({FeedState.STALLED, FeedState.BACKOFF, FeedState.FAILED})
_HEALTHY = frozenset({FeedHealth.RUNNING, FeedHealth.STARTING, FeedHealth.IDLE})
_PLAYER_DOWN = frozenset({FeedHealth.OFF, FeedHealth.FAILING})


def _value(item: object) -> str | None:
    if item is None:
        return None
    return str(getattr(item, "value", item))


def feed_health(connection: Connection | str | None, mode: FeedMode | str | None,
                state: FeedState | str | None) -> FeedHealth:
    """The answer to the questions of the module docstring (strings or the vocabulary's enums)."""
    if _value(connection) != Connection.CONNECTED.value:
        return FeedHealth.REGISTERED
    mode_v, state_v = _value(mode), _value(state)
    if state_v is None:
        return FeedHealth.NO_FEED
    if mode_v == FeedMode.OFF.value:
        return FeedHealth.OFF
    if state_v in _FAILING_STATES:
        return FeedHealth.FAILING
    if mode_v == FeedMode.ALWAYS_ON.value and state_v != FeedState.RUNNING.value:
        return FeedHealth.NOT_RUNNING
    if state_v == FeedState.RUNNING.value:
        return FeedHealth.RUNNING
    if state_v == FeedState.STARTING.value:
        return FeedHealth.STARTING
    return FeedHealth.IDLE


def map_health(health: FeedHealth) -> MapHealth:
    if health is FeedHealth.REGISTERED:
        return MapHealth.REGISTERED
    return MapHealth.HEALTHY if health in _HEALTHY else MapHealth.FAULT


def player_down(health: FeedHealth) -> bool:
    """Whether the player should say the feed is down (rather than keep trying to play it).

    A pinned feed that is not running yet and an on-demand feed that is starting are not down: the
    relay is bringing them up, and the player waits for the first segments.
    """
    return health in _PLAYER_DOWN
