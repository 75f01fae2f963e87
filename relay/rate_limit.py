"""Per-client request budgets for the HLS routes: a token bucket per key, bounded in memory.

A player asks for its playlist about once a segment and for each new segment, so one viewer costs
2-3 requests a second and a 16-tile wall about 40. A client far beyond that (a script, a bug, an
attack) gets 429 with Retry-After instead of the relay's CPU and disk.

    limiter = RateLimiter(per_second=20, burst=40)
    wait = limiter.take(("10.0.0.5", token))   # None: go ahead; else seconds until the next request may pass
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class RateLimiter:
    def __init__(self, per_second: float, burst: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 50_000) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("per_second must be positive and burst at least 1")
        self.per_second, self.burst, self.max_keys = per_second, burst, max_keys
        self._clock = clock
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()   # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: Hashable) -> float | None:
        """Spend one request of ``key``'s budget: None if it may pass, else the seconds to wait."""
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.per_second)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key] = (tokens, now)          # most recently used last
            while len(self._buckets) > self.max_keys:   # the least recently seen clients go first
                self._buckets.popitem(last=False)
            return None if allowed else (1.0 - tokens) / self.per_second
