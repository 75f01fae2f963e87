"""What the feed manager and its sync share: the supervisor protocol, the refusals callers catch, and
a closing feed's record.

relay/manager.py (the FeedManager) and relay/manager_sync.py (one sync pass) both build on this
module, so neither imports the other's internals.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from db.feeds import LeaseHolder
from relay.on_demand import OnDemand
from relay.schemas import FeedStatus


class Supervisor(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def restart(self) -> None: ...
    def status(self) -> FeedStatus: ...
    def close(self) -> None: ...


class ManagerError(Exception):
    """A feed request the manager refuses; the message says why and what to do."""


class LimitReached(ManagerError):
    """Starting would pass max_feeds or max_transcodes (HTTP 429)."""


class FeedIsOff(ManagerError):
    """The feed's mode is off: a viewer cannot start it; an operator can (HTTP 409)."""


class FeedElsewhere(ManagerError):
    """Another live relay node serves this feed (HTTP 409 for control, a redirect for HLS)."""

    def __init__(self, holder: LeaseHolder) -> None:
        super().__init__(f"feed is served by relay node '{holder.node_id}' at {holder.public_url}")
        self.holder = holder


class ShuttingDown(ManagerError):
    """The node is stopping and starts no more feeds (HTTP 503)."""


class UnknownProfileError(ManagerError):
    """The requested profile does not exist (HTTP 422)."""


@dataclass
class Closing:
    """A feed's supervisor on its way out, and the event set once it has closed."""

    supervisor: Supervisor
    life: OnDemand
    done: threading.Event = field(default_factory=threading.Event)
