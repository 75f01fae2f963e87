"""Benchmark: `audit.verify_chain` over a large audit log, against a same-run baseline.

A migrated SQLite database gets N chained events (written in bulk with db/audit_chain.py, the
hashes exactly as `audit.record` makes them); then, alternately, the baseline (the same query
read to the end without checking anything) and the real verify walk the whole log. Reported:
median wall and CPU seconds of each, and the ratio verify / baseline. Goal (issue 15): a million
events verified in under 2 s.

    .venv/bin/python bench/audit_verify.py [--events 1000000] [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, update

from db import audit
from db.audit_chain import GENESIS, canonical_json, event_hash, iso_utc
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.models import AuditChainHead, AuditEvent


def fill(session_factory, events: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    prev, rows = GENESIS, []
    with session_factory.begin() as session:
        for i in range(1, events + 1):
            at = start + timedelta(seconds=i * 7, microseconds=i % 997)
            detail = {"purpose": "reason:patrol_monitoring", "n": i} if i % 3 else None
            target = f"JB-{i % 19942:06d}"
            text = canonical_json(detail) if detail is not None else None
            digest = event_hash(prev, i, iso_utc(at), "operator.rina", "live_view", target, text)
            rows.append({"id": i, "at": at, "actor": "operator.rina", "action": "live_view", "target": target,
                         "detail": detail, "prev_hash": prev, "hash": digest})
            prev = digest
            if len(rows) == 50_000:
                session.execute(insert(AuditEvent), rows)
                rows = []
        if rows:
            session.execute(insert(AuditEvent), rows)
        session.execute(update(AuditChainHead).where(AuditChainHead.id == 1)
                        .values(events=events, last_id=events, last_hash=prev))


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nbs-audit-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'audit.db'}"
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        began = time.perf_counter()
        fill(factory, args.events)
        print(f"{args.events:,} events written in {time.perf_counter() - began:.1f} s")

        def baseline():     # the same rows, read to the end through the ORM's typed columns
            with factory() as session:
                columns = (AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.target,
                           AuditEvent.detail, AuditEvent.prev_hash, AuditEvent.hash)
                for _row in session.execute(select(*columns).order_by(AuditEvent.id)
                                            .execution_options(yield_per=20_000)):
                    pass

        verdicts = []

        def walk():
            with factory() as session:
                verdicts.append(audit.verify_chain(session))

        base, real = [], []
        for _ in range(args.runs):
            base.append(timed(baseline))
            real.append(timed(walk))
        assert all(v.ok and v.events == args.events for v in verdicts), verdicts[-1]
        b_wall, b_cpu = statistics.median(w for w, _ in base), statistics.median(c for _, c in base)
        r_wall, r_cpu = statistics.median(w for w, _ in real), statistics.median(c for _, c in real)
        print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.events:,} events, median of {args.runs}")
        print(f"baseline (read every row, check nothing): {b_wall:.2f} s wall, {b_cpu:.2f} s CPU")
        print(f"verify_chain:                             {r_wall:.2f} s wall, {r_cpu:.2f} s CPU "
              f"(ratio {r_wall / b_wall:.2f} wall, {r_cpu / b_cpu:.2f} CPU)")


if __name__ == "__main__":
    main()
