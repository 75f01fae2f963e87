"""db/audit_chain.py: the chain's rule on plain rows (the integration tests tamper with real databases)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.audit_chain import GENESIS, canonical_json, event_hash, iso_utc, verify

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def chain(n: int, start_id: int = 1, anchor: str = GENESIS) -> list[tuple]:
    """Rows as verify reads them: (id, at, actor, action, target, detail text, prev_hash, hash)."""
    rows, prev = [], anchor
    for i in range(n):
        eid, at = start_id + i, T0 + timedelta(seconds=i, microseconds=17)
        detail = canonical_json({"n": i, "camera": f"JB-{i:04d}"}) if i % 2 else None
        digest = event_hash(prev, eid, iso_utc(at), "budi", "live_view", f"JB-{i:04d}", detail)
        rows.append((eid, at, "budi", "live_view", f"JB-{i:04d}", detail, prev, digest))
        prev = digest
    return rows


def edited(row: tuple, index: int, value) -> tuple:
    return (*row[:index], value, *row[index + 1:])


def test_an_intact_chain_verifies_and_ends_in_its_last_hash():
    rows = chain(50)
    verdict = verify(rows, head_hash=rows[-1][7], head_id=50)
    assert verdict.ok and verdict.events == 50 and verdict.last_hash == rows[-1][7]
    assert verify([], head_hash=GENESIS).ok


def test_the_hash_covers_every_field():
    eid, at, actor, action, target, detail, prev, digest = chain(2)[1]
    fields = (eid, iso_utc(at), actor, action, target, detail)
    assert event_hash(prev, *fields) == digest
    for index, value in ((0, 7), (1, iso_utc(at + timedelta(microseconds=1))), (2, "sari"), (3, "registry_export"),
                         (4, "JB-9999"), (5, canonical_json({"n": 2, "camera": "JB-0001"}))):
        changed = (*fields[:index], value, *fields[index + 1:])
        assert event_hash(prev, *changed) != digest, index
    assert event_hash("1" * 64, *fields) != digest


def test_time_is_hashed_the_same_from_a_datetime_and_from_sqlites_stored_text():
    assert iso_utc("2026-12-04 08:00:00.000017") == iso_utc(T0 + timedelta(microseconds=17))
    assert iso_utc(datetime(2026, 12, 4, 15, 0, tzinfo=UTC).astimezone()) == "2026-12-04T15:00:00.000000+00:00"
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_an_edit_is_named_at_the_edited_event():
    rows = chain(10)
    rows[4] = edited(rows[4], 4, "JB-EDITED")
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
    forged_hash = event_hash(a[7], 100, iso_utc(a[1]), "x", "live_view", "JB-X", None)
    forged = (100, a[1], "x", "live_view", "JB-X", None, a[7], forged_hash)
    verdict = verify([*rows[:3], forged, *rows[3:]])
    assert (verdict.problem, verdict.event_id) == ("inserted", 100)


def test_an_event_after_the_head_is_an_insertion_and_a_missing_end_is_a_truncation():
    rows = chain(8)
    assert verify(rows, head_hash=rows[5][7], head_id=6).problem == "inserted"
    cut = verify(rows[:6], head_hash=rows[-1][7], head_id=8)
    assert (cut.problem, cut.event_id) == ("truncated", 6)


def test_after_a_purge_the_chain_starts_at_the_recorded_anchor():
    rows = chain(10)
    kept = rows[4:]
    assert not verify(kept).ok                          # from genesis, the start looks cut
    assert verify(kept, anchor=rows[3][7], head_hash=rows[-1][7], head_id=10).ok
