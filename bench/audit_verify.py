"""Benchmark: `audit.verify_chain` over a large audit log, against a same-run baseline.

A migrated database gets N chained events (written in bulk with db/audit_chain.py, the hashes
exactly as `audit.record` makes them): a temporary SQLite file, or with --database-url a schema of
its own in that PostgreSQL database (dropped afterwards). Then, alternately, the baseline (the same
rows read to the end without checking anything) and the real verify walk the whole log. Reported:
median wall and CPU seconds of each (CPU including the verify's worker processes), and the ratio
verify / baseline. Goal (issue 15): a million events verified in under 2 s.

    .venv/bin/python bench/audit_verify.py [--events 1000000] [--runs 3] [--database-url postgresql://...]
"""
from __future__ import annotations

import argparse
import importlib
import os
import resource
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

from db import audit
from db.audit_chain import GENESIS, canonical_json, event_hash, iso_utc
from db.engine import make_engine, make_session_factory
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


def cpu_seconds() -> float:
    """This process's CPU time and that of its children that ended (the verify's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    fn()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="PostgreSQL to measure in (default: a SQLite file)")
    args = parser.parse_args()
    # bench/import.py's scratch database: a temporary SQLite file, or a schema of its own in PostgreSQL
    scratch = importlib.import_module("import").database
    with scratch("postgresql" if args.database_url else "sqlite", args.database_url) as url:
        engine = make_engine(url)
        factory = make_session_factory(engine)
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

        def walk(check):
            def run():
                with factory() as session:
                    verdicts.append(check(session))
            return run

        load = os.getloadavg()[0]
        base, real, sequential = [], [], []
        for _ in range(args.runs):
            base.append(timed(baseline))
            real.append(timed(walk(audit.verify_chain)))
            sequential.append(timed(walk(audit.verify_chain_reference)))
        assert all(v.ok and v.events == args.events for v in verdicts), verdicts[-1]
        engine.dispose()
        print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {engine.dialect.name}, {args.events:,} events, "
              f"median of {args.runs}, load average {load:.2f} before / {os.getloadavg()[0]:.2f} after")
        b_wall, b_cpu = medians(base)
        print(f"baseline (read every row, check nothing): {b_wall:.2f} s wall, {b_cpu:.2f} s CPU")
        for name, times in (("verify_chain", real), ("verify_chain_reference (sequential)", sequential)):
            wall, cpu = medians(times)
            print(f"{name + ':':42s}{wall:.2f} s wall, {cpu:.2f} s CPU (ratio {wall / b_wall:.2f} wall, "
                  f"{cpu / b_cpu:.2f} CPU)")


def medians(times: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in times), statistics.median(c for _, c in times)


if __name__ == "__main__":
    main()
