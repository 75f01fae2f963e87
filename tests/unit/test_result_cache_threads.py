"""ResultCache is shared by every dashboard session: concurrent callers must not compute a key twice."""
from __future__ import annotations

import threading
import time

from db.coverage_cache import ResultCache


def test_concurrent_callers_compute_one_key_once(tmp_path):
    cache = ResultCache(tmp_path / "cache")
    calls = []
    start = threading.Barrier(8)

    def compute():
        calls.append(threading.get_ident())
        time.sleep(0.05)  # long enough that every other thread asks while this one computes
        return {"value": 42}

    results = []

    def ask():
        start.wait()
        results.append(cache.get_or_compute(("coverage", 1), compute))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(calls) == 1
    assert cache.computed == 1
    assert results == [{"value": 42}] * 8


def test_concurrent_distinct_keys_keep_the_memory_bound(tmp_path):
    cache = ResultCache(directory=None, memory_items=4)
    start = threading.Barrier(6)

    def ask(n: int):
        start.wait()
        for i in range(50):
            assert cache.get_or_compute(("k", n, i % 7), lambda n=n, i=i: (n, i % 7), disk=False) == (n, i % 7)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(cache._memory) <= 4
    assert cache.computed >= 6 * 7  # every distinct key was computed at least once, and the run never raised
