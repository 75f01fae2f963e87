"""What a camera's feed state means for the people watching: one rule for the map, the card and the player.

The relay writes each feed's observed state (relay/supervisor.py); this module turns the camera's
connection, the feed's desired mode and that observed state into one answer, asking in order:

1. Is the camera connected to the command centre at all?          no  -> REGISTERED
2. Does it have a feed configured on the relay?                   no  -> NO_FEED
3. Has an operator switched the feed off?                         yes -> OFF
4. Does the relay report it failing (stalled, backing off, failed)? yes -> FAILING
5. Must it always run (pinned) but is not running?                yes -> NOT_RUNNING
6. Otherwise: RUNNING, STARTING (on demand, a viewer asked) or IDLE (on demand, nobody watches).

The player's "the feed is down" derives from this answer. The map's classes (``map_class``) add the
evidence a feed's own state cannot give, and ask in order:

1. Not connected                                                   -> REGISTERED
2. No live, unexpired consent from the owner (geo/consent.py)      -> CONSENT_MISSING
3. No relay node alive (no heartbeat for a lease time)             -> RELAY_UNREACHABLE
4. The feed fails (FAILING), or the latest check of an idle camera
   found it silent                                                 -> CAMERA_UNREACHABLE
5. The feed runs (its playlist advances: the supervisor says RUNNING only then)     -> HEALTHY
6. On demand and nobody watching: it ran within RAN_WITHIN and the camera answered
   a check within ANSWERED_WITHIN                                  -> HEALTHY
7. Anything else (no feed, switched off, never started, no recent evidence)        -> NOT_STARTED

So "live, healthy" is a claim the product can back: a camera that never played, or was not heard
from lately, is "not started", never healthy.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from geo.consent import LiveConsent
from geo.vocabulary import Connection, FeedMode, FeedState

RAN_WITHIN = timedelta(hours=24)
ANSWERED_WITHIN = timedelta(minutes=15)


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
    """The map's marker classes (the filter values of the map page), in the legend's order."""

    HEALTHY = "healthy"
    NOT_STARTED = "not_started"
    CAMERA_UNREACHABLE = "camera_unreachable"
    RELAY_UNREACHABLE = "relay_unreachable"
    CONSENT_MISSING = "consent_missing"
    REGISTERED = "registered"


FAULTS = frozenset({MapHealth.NOT_STARTED, MapHealth.CAMERA_UNREACHABLE, MapHealth.RELAY_UNREACHABLE,
                    MapHealth.CONSENT_MISSING})
FAILING_STATES = frozenset({FeedState.STALLED, FeedState.BACKOFF, FeedState.FAILED})
_PLAYER_DOWN = frozenset({FeedHealth.OFF, FeedHealth.FAILING})


@dataclass(frozen=True)
class Evidence:
    """What is known of a connected camera beyond its feed's state."""

    consent: LiveConsent = LiveConsent.ALLOWED
    relay_alive: bool = True
    ran_at: datetime | None = None        # the feed last ran (its playlist advanced)
    checked_at: datetime | None = None    # the relay last asked the camera (or saw it play)
    answered: bool | None = None          # and what it heard


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
    if state_v in FAILING_STATES:
        return FeedHealth.FAILING
    if mode_v == FeedMode.ALWAYS_ON.value and state_v != FeedState.RUNNING.value:
        return FeedHealth.NOT_RUNNING
    if state_v == FeedState.RUNNING.value:
        return FeedHealth.RUNNING
    if state_v == FeedState.STARTING.value:
        return FeedHealth.STARTING
    return FeedHealth.IDLE


def map_class(connection: Connection | str | None, mode: FeedMode | str | None, state: FeedState | str | None,
              evidence: Evidence, now: datetime) -> MapHealth:
    """The map's class for one camera: the questions of the module docstring, in their order."""
    health = feed_health(connection, mode, state)
    if health is FeedHealth.REGISTERED:
        return MapHealth.REGISTERED
    if evidence.consent is not LiveConsent.ALLOWED:
        return MapHealth.CONSENT_MISSING
    if health is FeedHealth.NO_FEED or health is FeedHealth.OFF:
        return MapHealth.NOT_STARTED
    if not evidence.relay_alive:
        return MapHealth.RELAY_UNREACHABLE
    if health is FeedHealth.FAILING:
        return MapHealth.CAMERA_UNREACHABLE
    if health is FeedHealth.RUNNING:
        return MapHealth.HEALTHY
    checked_recently = evidence.checked_at is not None and now - evidence.checked_at <= ANSWERED_WITHIN
    if checked_recently and evidence.answered is False:
        return MapHealth.CAMERA_UNREACHABLE
    ran_recently = evidence.ran_at is not None and now - evidence.ran_at <= RAN_WITHIN
    if health is FeedHealth.IDLE and ran_recently and checked_recently and evidence.answered:
        return MapHealth.HEALTHY
    return MapHealth.NOT_STARTED


def player_down(health: FeedHealth) -> bool:
    """Whether the player should say the feed is down (rather than keep trying to play it).

    A pinned feed that is not running yet and an on-demand feed that is starting are not down: the
    relay is bringing them up, and the player waits for the first segments.
    """
    return health in _PLAYER_DOWN
