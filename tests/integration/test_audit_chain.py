"""The audit log's hash chain on a real database (SQLite here, PostgreSQL in ./test.sh's second pass):
rows are edited, deleted and inserted with plain SQL, as a database user could, and
`audit.verify_chain` (and `noblindspot audit verify`) must name the event where it happened."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from db import audit
from db.audit_chain import event_hash, iso_utc
from db.models import AuditChainHead, AuditEvent


def write(session_factory, n: int, at: datetime | None = None) -> list[int]:
    ids = []
    with session_factory.begin() as session:
        for i in range(n):
            event = audit.record(session, "budi", audit.AuditAction.LIVE_VIEW, target=f"JB-{i:04d}",
                                 detail={"purpose": "reason:patrol_monitoring", "n": i, "share": 0.1 * i},
                                 at=at + timedelta(seconds=i) if at else None)
            ids.append(event.id)
    return ids


def check(session_factory):
    with session_factory() as session:
        return audit.verify_chain(session)


def sql(engine, statement: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def test_a_written_log_verifies_and_its_digest_is_the_last_hash(session_factory):
    ids = write(session_factory, 30)
    verdict = check(session_factory)
    assert verdict.ok and verdict.events == 30 and verdict.last_id == ids[-1]
    with session_factory() as session:
        digest = audit.digest(session)
        last = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == ids[-1]))
    assert digest.last_hash == last == verdict.last_hash and digest.events == 30


def test_an_edit_with_plain_sql_is_named(session_factory, engine):
    ids = write(session_factory, 12)
    sql(engine, "UPDATE audit_event SET target = 'JB-NOT-WATCHED' WHERE id = :id", id=ids[6])
    verdict = check(session_factory)
    assert (verdict.ok, verdict.problem, verdict.event_id) == (False, "edited", ids[6])


def test_an_edited_detail_is_named(session_factory, engine):
    ids = write(session_factory, 5)
    sql(engine, "UPDATE audit_event SET detail = :d WHERE id = :id", d='{"purpose": "reason:investigation"}',
        id=ids[2])
    assert (check(session_factory).problem, check(session_factory).event_id) == ("edited", ids[2])


def test_a_deletion_with_plain_sql_is_named_at_the_gap(session_factory, engine):
    ids = write(session_factory, 12)
    sql(engine, "DELETE FROM audit_event WHERE id = :id", id=ids[4])
    verdict = check(session_factory)
    assert (verdict.problem, verdict.event_id) == ("deleted", ids[5])
    assert f"after event {ids[3]}" in verdict.message


def test_deleting_the_newest_events_is_seen_from_the_head(session_factory, engine):
    ids = write(session_factory, 8)
    sql(engine, "DELETE FROM audit_event WHERE id >= :id", id=ids[6])
    verdict = check(session_factory)
    assert (verdict.problem, verdict.event_id) == ("truncated", ids[5])


@pytest.mark.parametrize("forge_hash", [False, True])
def test_an_inserted_row_is_named_with_or_without_a_forged_hash(session_factory, engine, forge_hash):
    ids = write(session_factory, 6)
    with session_factory() as session:
        head = session.get(AuditChainHead, 1)
        prev = head.last_hash
    at = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    new_id = ids[-1] + 1
    digest = event_hash(prev, new_id, iso_utc(at), "mallory", "live_view", "JB-0001", None) if forge_hash else "f" * 64
    sql(engine, "INSERT INTO audit_event (id, at, actor, action, target, detail, prev_hash, hash) "
                "VALUES (:id, :at, 'mallory', 'live_view', 'JB-0001', NULL, :prev, :hash)",
        id=new_id, at=at, prev=prev, hash=digest)
    verdict = check(session_factory)
    assert (verdict.ok, verdict.problem, verdict.event_id) == (False, "inserted", new_id)


def test_the_retention_purge_keeps_the_chain_verifiable(session_factory, engine):
    old = datetime.now(UTC) - timedelta(days=800)
    write(session_factory, 10, at=old)
    kept = write(session_factory, 5)
    with session_factory.begin() as session:
        assert audit.purge_older_than(session, "cli:root", 730) == 10
    verdict = check(session_factory)
    assert verdict.ok and verdict.events == 6, verdict.message      # the five kept and the purge itself
    sql(engine, "DELETE FROM audit_event WHERE id = :id", id=kept[0])  # a kept event removed by hand
    assert (check(session_factory).problem, check(session_factory).event_id) == ("deleted", kept[1])


def test_writers_in_parallel_never_fork_the_chain(session_factory):
    errors = []

    def writer():
        try:
            for _ in range(25):
                write(session_factory, 2)
        except Exception as exc:          # any failure fails the test below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    verdict = check(session_factory)
    assert verdict.ok and verdict.events == 200, verdict.message


def test_the_command_line_verifies_names_the_event_and_prints_a_digest(session_factory, engine, database_url,
                                                                       monkeypatch, tmp_path):
    from noblindspot.cli import cli

    monkeypatch.setenv("NOBLINDSPOT_DATABASE_URL", database_url)
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path / "data"))
    ids = write(session_factory, 4)
    runner = CliRunner()
    intact = runner.invoke(cli, ["audit", "verify"])
    assert intact.exit_code == 0 and "audit chain intact: 4 events" in intact.output
    kept = tmp_path / "digests.jsonl"
    digest = runner.invoke(cli, ["audit", "digest", "--out", str(kept)])
    assert digest.exit_code == 0 and kept.read_text().strip() == digest.output.strip()
    sql(engine, "UPDATE audit_event SET actor = 'someone-else' WHERE id = :id", id=ids[1])
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1 and f"event {ids[1]} was edited" in broken.output
