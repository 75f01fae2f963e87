"""`audit.verify_chain` in segments on a real database (SQLite here, PostgreSQL in ./test.sh's second pass):
the log is tampered with plain SQL at the segments' boundaries and inside them, and the verdict of the
segments walked by worker processes (`python -m db.audit_segments`, each on its own connection) must be
the sequential reference's, `audit.verify_chain_reference`, field for field."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, text, update

from db import audit, audit_segments
from db.audit_chain import GENESIS, canonical_json, event_hash, iso_utc
from db.models import AuditChainHead, AuditEvent

N = 45                       # events 2, 4, ... 90: an odd id is a gap a forged event can be put in
T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
WORKERS = 2                  # three segments: this process and two workers


def rewrite(session_factory) -> list[tuple[int, str]]:
    """The same log again, as audit.record hashes it (ids with gaps, like a sequence after rollbacks)."""
    prev, rows, kept = GENESIS, [], []
    for i in range(N):
        eid, at = 2 * (i + 1), T0 + timedelta(seconds=i, microseconds=(7 * i) % 3)
        detail = {"purpose": "reason:patrol_monitoring", "n": i} if i % 3 else None
        target = f"JB-{i:04d}" if i % 4 else None
        digest = event_hash(prev, eid, iso_utc(at), "budi", "live_view", target,
                            canonical_json(detail) if detail is not None else None)
        rows.append({"id": eid, "at": at, "actor": "budi", "action": "live_view", "target": target,
                     "detail": detail, "prev_hash": prev, "hash": digest})
        kept.append((eid, digest))
        prev = digest
    with session_factory.begin() as session:
        session.execute(delete(AuditEvent))
        session.execute(insert(AuditEvent), rows)
        session.execute(update(AuditChainHead).where(AuditChainHead.id == 1)
                        .values(events=N, last_id=rows[-1]["id"], last_hash=prev))
    return kept


def sql(engine, statement: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def both(session_factory):
    with session_factory() as session:
        segments = audit.verify_chain(session, parallel_from=1, workers=WORKERS)
    with session_factory() as session:
        reference = audit.verify_chain_reference(session)
    return segments, reference


def positions() -> list[int]:
    """Event ids at both sides of the three segments' boundaries, inside them, first and last."""
    ids = list(range(2, 2 * N + 1, 2))
    found = {ids[0], ids[len(ids) // 2], ids[-1]}
    for segment in audit_segments.split(ids[0], ids[-1], WORKERS + 1)[:-1]:
        found |= {max(i for i in ids if i <= segment.upto), min(i for i in ids if i > segment.upto)}
    return sorted(found)


def forge(engine, kept: list[tuple[int, str]], after: int) -> None:
    """An event put in by hand right after event ``after``, hashed onto it as the writer would."""
    prev = dict(kept)[after]
    digest = event_hash(prev, after + 1, iso_utc(T0), "mallory", "live_view", "JB-X", None)
    sql(engine, "INSERT INTO audit_event (id, at, actor, action, target, detail, prev_hash, hash) "
                "VALUES (:id, :at, 'mallory', 'live_view', 'JB-X', NULL, :prev, :hash)",
        id=after + 1, at=T0, prev=prev, hash=digest)


TAMPERINGS = {
    "target edited": lambda engine, kept, x: sql(engine, "UPDATE audit_event SET target = 'JB-EDITED' WHERE id = :x",
                                                 x=x),
    "hash edited": lambda engine, kept, x: sql(engine, "UPDATE audit_event SET hash = :h WHERE id = :x",
                                               h="f" * 64, x=x),
    "prev_hash nulled": lambda engine, kept, x: sql(engine, "UPDATE audit_event SET prev_hash = NULL WHERE id = :x",
                                                    x=x),
    "deleted": lambda engine, kept, x: sql(engine, "DELETE FROM audit_event WHERE id = :x", x=x),
    "two deleted": lambda engine, kept, x: sql(engine, "DELETE FROM audit_event WHERE id IN (:x, :y)", x=x, y=x + 2),
    "inserted after": lambda engine, kept, x: forge(engine, kept, x),
}


@pytest.mark.parametrize("kind", TAMPERINGS)
def test_segments_name_what_the_reference_names_at_every_boundary(session_factory, engine, kind):
    for x in positions():
        kept = rewrite(session_factory)
        TAMPERINGS[kind](engine, kept, x)
        segments, reference = both(session_factory)
        assert not reference.ok, (kind, x)
        assert segments == reference, (kind, x)


def test_an_intact_a_truncated_and_an_overlong_log(session_factory, engine):
    kept = rewrite(session_factory)
    segments, reference = both(session_factory)
    assert segments == reference and reference.ok and reference.events == N
    sql(engine, "DELETE FROM audit_event WHERE id > :x", x=audit_segments.split(2, 2 * N, WORKERS + 1)[1].upto)
    segments, reference = both(session_factory)
    assert segments == reference and reference.problem == "truncated"
    kept = rewrite(session_factory)
    forge(engine, kept, 2 * N)
    segments, reference = both(session_factory)
    assert segments == reference and (reference.problem, reference.event_id) == ("inserted", 2 * N + 1)


def test_segments_after_a_purge_and_with_written_events(session_factory, engine):
    with session_factory.begin() as session:
        session.execute(delete(AuditEvent))
        session.execute(update(AuditChainHead).where(AuditChainHead.id == 1)
                        .values(events=0, last_id=None, last_hash=GENESIS))
    old = datetime.now(UTC) - timedelta(days=800)
    with session_factory.begin() as session:
        for i in range(30):
            audit.record(session, "budi", audit.AuditAction.LIVE_VIEW, target=f"JB-{i:04d}",
                         detail={"n": i, "share": 0.1 * i}, at=old + timedelta(seconds=i) if i < 12 else None)
    with session_factory.begin() as session:
        audit.purge_older_than(session, "cli:root", 730)
    segments, reference = both(session_factory)
    assert segments == reference and reference.ok and reference.events == 19
    with session_factory() as session:
        middle = session.scalars(text("SELECT id FROM audit_event ORDER BY id")).all()[9]
    sql(engine, "UPDATE audit_event SET actor = 'someone-else' WHERE id = :x", x=middle)
    segments, reference = both(session_factory)
    assert segments == reference and (reference.problem, reference.event_id) == ("edited", middle)


def test_a_worker_that_fails_leaves_its_segment_to_this_process(session_factory, engine, monkeypatch, caplog,
                                                                tmp_path):
    rewrite(session_factory)
    sql(engine, "UPDATE audit_event SET target = 'JB-EDITED' WHERE id = :x", x=2 * N - 2)
    unreachable = audit_segments.Database("sqlite", str(tmp_path / "absent.db"))   # the worker cannot open it
    monkeypatch.setattr(audit_segments.Database, "of", classmethod(lambda cls, url: unreachable))
    segments, reference = both(session_factory)
    assert segments == reference and (reference.problem, reference.event_id) == ("edited", 2 * N - 2)
    assert "a worker failed" in caplog.text and not (tmp_path / "absent.db").exists()


def test_the_command_line_walks_segments_in_workers(session_factory, engine, database_url, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from noblindspot.cli import cli

    monkeypatch.setenv("NOBLINDSPOT_DATABASE_URL", database_url)
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(audit_segments, "PARALLEL_FROM", 1)
    started = []
    real_start = audit_segments._start
    monkeypatch.setattr(audit_segments, "_start", lambda *args: started.append(real_start(*args)) or started[-1])
    rewrite(session_factory)
    intact = CliRunner().invoke(cli, ["audit", "verify"])
    assert intact.exit_code == 0 and f"audit chain intact: {N} events" in intact.output
    assert started and all(proc.returncode == 0 for proc in started)
    # the fixture's engine and the command's second one share this process: on SQLite the workers must
    # leave the -wal and -shm files alone when they close (they did not, before they opened it read-only)
    sql(engine, "DELETE FROM audit_event WHERE id = :x", x=2 * N - 10)
    broken = CliRunner().invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1 and f"before event {2 * N - 8}" in broken.output
