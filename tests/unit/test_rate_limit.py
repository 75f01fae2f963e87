"""relay/rate_limit.py with a fake clock: budgets per key, refill, Retry-After, bounded memory."""
from __future__ import annotations

import pytest

from relay.rate_limit import RateLimiter


def test_a_key_gets_its_burst_then_waits_for_the_refill_and_others_are_not_touched():
    now = [0.0]
    limiter = RateLimiter(per_second=2, burst=4, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(4)] == [None] * 4
    wait = limiter.take("a")
    assert wait == pytest.approx(0.5)                  # one token comes back every 0.5 s
    assert limiter.take("b") is None                   # another client has its own budget
    now[0] += 0.5
    assert limiter.take("a") is None and limiter.take("a") is not None
    now[0] += 100
    assert sum(limiter.take("a") is None for _ in range(10)) == 4    # never more than the burst


def test_memory_stays_bounded_and_the_least_recent_client_goes_first():
    now = [0.0]
    limiter = RateLimiter(per_second=1, burst=1, clock=lambda: now[0], max_keys=3)
    for key in "abc":
        limiter.take(key)
    limiter.take("a")                                  # a is recent again; b is the oldest
    limiter.take("d")
    assert set(limiter._buckets) == {"a", "c", "d"}
    with pytest.raises(ValueError):
        RateLimiter(per_second=0, burst=1)
