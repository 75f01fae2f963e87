"""db/audit_chain.py: the chain's rule on plain rows (the integration tests tamper with real databases)."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from db.audit_chain import GENESIS, ChainRow, event_hash, verify

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def chain(n: int, start_id: int = 1, anchor: str = GENESIS) -> list[ChainRow]:
    rows, prev = [], anchor
    for i in range(n):
        eid, at = start_id + i, T0 + timedelta(seconds=i, microseconds=17)
        detail = {"n": i, "camera": f"JB-{i:04d}"} if i % 2 else None
        digest = event_hash(prev, eid, at, "budi", "live_view", f"JB-{i:04d}", detail)
        rows.append(ChainRow(eid, at, "budi", "live_view", f"JB-{i:04d}", detail, prev, digest))
        prev = digest
    return rows


def test_an_intact_chain_verifies_and_ends_in_its_last_hash():
    rows = chain(50)
    verdict = verify(rows, head_hash=rows[-1].hash, head_id=50)
    assert verdict.ok and verdict.events == 50 and verdict.last_hash == rows[-1].hash
    assert verify([], head_hash=GENESIS).ok


def test_the_hash_covers_every_field_and_the_detail_in_any_key_order():
    row = chain(2)[1]
    for change in ({"actor": "sari"}, {"action": "registry_export"}, {"target": "JB-9999"}, {"event_id": 7},
                   {"at": row.at + timedelta(microseconds=1)}, {"detail": {**row.detail, "n": 2}}):
        assert event_hash(row.prev_hash, **{**_fields(row), **change}) != row.hash, change
    shuffled = dict(reversed(list(row.detail.items())))
    assert event_hash(row.prev_hash, **{**_fields(row), "detail": shuffled}) == row.hash


def _fields(row: ChainRow) -> dict:
    return {"event_id": row.id, "at": row.at, "actor": row.actor, "action": row.action, "target": row.target,
            "detail": row.detail}


def test_an_edit_is_named_at_the_edited_event():
    rows = chain(10)
    rows[4] = replace(rows[4], target="JB-EDITED")
    verdict = verify(rows)
    assert (verdict.ok, verdict.problem, verdict.event_id) == (False, "edited", 5)


def test_a_deletion_is_named_at_the_event_after_the_gap():
    rows = chain(10)
    del rows[3]                                        # event 4 is gone
    verdict = verify(rows)
    assert (verdict.problem, verdict.event_id) == ("deleted", 5) and "after event 3" in verdict.message


def test_an_insertion_with_a_valid_hash_is_named_as_the_inserted_event():
    rows = chain(6)
    a = rows[2]                                        # a forged event between 3 and 4, hashed correctly
    forged_hash = event_hash(a.hash, 100, a.at, "x", "live_view", "JB-X", None)
    forged = ChainRow(100, a.at, "x", "live_view", "JB-X", None, a.hash, forged_hash)
    verdict = verify([*rows[:3], forged, *rows[3:]])
    assert (verdict.problem, verdict.event_id) == ("inserted", 100)


def test_an_event_after_the_head_is_an_insertion_and_a_missing_end_is_a_truncation():
    rows = chain(8)
    assert verify(rows, head_hash=rows[5].hash, head_id=6).problem == "inserted"
    cut = verify(rows[:6], head_hash=rows[-1].hash, head_id=8)
    assert (cut.problem, cut.event_id) == ("truncated", 6)


def test_after_a_purge_the_chain_starts_at_the_recorded_anchor():
    rows = chain(10)
    kept = rows[4:]
    assert not verify(kept).ok                          # from genesis, the start looks cut
    assert verify(kept, anchor=rows[3].hash, head_hash=rows[-1].hash, head_id=10).ok
