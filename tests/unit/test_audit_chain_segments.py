"""db/audit_chain.py in segments: walked from the Link before each one, ``walk_fast`` handing over to
the reference ``walk``, and joined, the verdict is the sequential ``verify``'s for every tampering, at
a segment boundary or inside one (the integration tests do the same with plain SQL on real databases)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from db.audit_chain import (
    GENESIS,
    Link,
    Stop,
    Verdict,
    canonical_json,
    ended,
    event_hash,
    iso_utc,
    joined,
    verify,
    walk_fast,
    walk_segment,
)
from db.audit_segments import HIGHEST, LOWEST, split

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
N = 40          # events 2, 4, ... 80: every odd id is a gap a forged event can be put in


def sqlite_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def chain(n: int = N, anchor: str = GENESIS) -> list[tuple]:
    """Rows as the segments read them from SQLite (the time as its stored text)."""
    rows, prev = [], anchor
    for i in range(n):
        eid, at = 2 * (i + 1), T0 + timedelta(seconds=i, microseconds=17 * i)
        detail = canonical_json({"n": i}) if i % 3 else "null"
        digest = event_hash(prev, eid, iso_utc(at), "budi", "live_view", f"JB-{i:04d}" if i % 4 else None, detail)
        rows.append((eid, sqlite_text(at), "budi", "live_view", f"JB-{i:04d}" if i % 4 else None, detail, prev,
                     digest))
        prev = digest
    return rows


def forged(rows: list[tuple], event_id: int, after_index: int) -> tuple:
    """An event put in by hand after ``rows[after_index]``, with a valid hash onto it."""
    prev = rows[after_index][7]
    at = sqlite_text(T0)
    return (event_id, at, "mallory", "live_view", "JB-X", None, prev,
            event_hash(prev, event_id, iso_utc(at), "mallory", "live_view", "JB-X", None))


def segmented(rows: list[tuple], cuts: list[int], anchor: str = GENESIS, head_hash: str | None = None,
              head_id: int | None = None) -> Verdict:
    """What db/audit_segments.py does, on lists: each segment starts from the two events before it."""
    bounds = [LOWEST, *cuts, HIGHEST]
    verdicts = []
    for after, upto in pairwise(bounds):
        earlier = [(r[0], r[7]) for r in rows if r[0] <= after][-2:][::-1]
        part = [r for r in rows if after < r[0] <= upto]
        verdicts.append(walk_segment(part, Link.before(anchor, earlier), head_id,
                                     lambda event_id, part=part: [r for r in part if r[0] >= event_id]))
    return ended(joined(verdicts), head_hash, head_id)


def edited(row: tuple, index: int, value) -> tuple:
    return (*row[:index], value, *row[index + 1:])


def tamperings():
    """(name, rows, head hash, head id) for every kind of break, near the cuts used below and inside."""
    base = chain()
    head = (base[-1][7], base[-1][0])
    yield "intact", base, *head
    for i in (0, 9, 10, 11, 19, 20, 25, 39):                   # ids 2, 20, 22, 24, 40, 42, 52, 80
        yield f"target edited at {base[i][0]}", [*base[:i], edited(base[i], 4, "JB-EDITED"), *base[i + 1:]], *head
        yield f"hash edited at {base[i][0]}", [*base[:i], edited(base[i], 7, "f" * 64), *base[i + 1:]], *head
        yield f"prev_hash nulled at {base[i][0]}", [*base[:i], edited(base[i], 6, None), *base[i + 1:]], *head
        yield f"deleted {base[i][0]}", [*base[:i], *base[i + 1:]], *head
        yield f"deleted {base[i][0]} and the next", [*base[:i], *base[i + 2:]], *head
        if i < N - 1:
            yield (f"inserted after {base[i][0]}",
                   [*base[:i + 1], forged(base, base[i][0] + 1, i), *base[i + 1:]], *head)
    yield "first two deleted", base[2:], *head
    yield "truncated", base[:30], *head
    yield "inserted after the head", [*base, forged(base, 81, N - 1)], *head
    yield "head unknown", base, None, None
    # a time in another form, hashed right (a hand-written row): walk_fast hands over, walk passes it
    odd = base[12]
    odd_at = "2026-12-04T08:00:12.000204+00:00"
    again = event_hash(odd[6], odd[0], iso_utc(odd_at), *odd[2:6])
    relinked = [*base[:12], (odd[0], odd_at, *odd[2:7], again)]
    prev = again
    for row in base[13:]:
        digest = event_hash(prev, row[0], iso_utc(row[1]), *row[2:6])
        relinked.append((*row[:6], prev, digest))
        prev = digest
    yield "a time in another form", relinked, prev, relinked[-1][0]
    for name, at in (("the same time in another zone", "2026-12-04T15:00:12.000204+07:00"),
                     ("a time in another form, edited", "2026-12-04T08:00:12.000205+00:00")):
        yield name, [*relinked[:12], edited(relinked[12], 1, at), *relinked[13:]], prev, relinked[-1][0]
    yield "a datetime time (PostgreSQL's)", [edited(r, 1, T0 + timedelta(seconds=i, microseconds=17 * i))
                                             for i, r in enumerate(base)], *head


CUTS = ([], [20], [21], [22], [40], [20, 40], [2, 79], [1, 80], [21, 41, 61])


@pytest.mark.parametrize("name, rows, head_hash, head_id", list(tamperings()), ids=lambda v: v if isinstance(v, str)
                         else None)
def test_segments_give_the_sequential_verdict(name, rows, head_hash, head_id):
    rows = sorted(rows, key=lambda r: r[0])                  # the database reads them in id order
    expected = verify(rows, head_hash=head_hash, head_id=head_id)
    for cuts in CUTS:
        assert segmented(rows, cuts, head_hash=head_hash, head_id=head_id) == expected, (name, cuts)


def test_the_tampering_cases_break_where_they_should():
    cases = {name: (sorted(rows), h, i) for name, rows, h, i in tamperings()}

    def verdict(name: str) -> tuple:
        rows, head_hash, head_id = cases[name]
        found = verify(rows, head_hash=head_hash, head_id=head_id)
        return found.ok, found.problem, found.event_id

    assert verdict("intact") == verdict("a time in another form") == (True, None, None)
    assert verdict("the same time in another zone") == (True, None, None)
    assert verdict("a datetime time (PostgreSQL's)") == (True, None, None)
    assert verdict("inserted after 22") == (False, "inserted", 23)
    assert verdict("deleted 42") == (False, "deleted", 44)
    assert verdict("target edited at 40") == verdict("hash edited at 40") == (False, "edited", 40)
    assert verdict("truncated") == (False, "truncated", 60)
    assert verdict("a time in another form, edited") == (False, "edited", 26)


def test_after_a_purge_segments_start_from_the_anchor():
    rows = chain()
    kept = rows[10:]
    for cuts in CUTS:
        assert segmented(kept, cuts, anchor=rows[9][7], head_hash=rows[-1][7], head_id=80).ok
        assert segmented(kept, cuts, head_hash=rows[-1][7]) == verify(kept, head_hash=rows[-1][7])


def test_walk_fast_passes_exactly_the_rows_walk_passes_and_stops_at_the_first_other():
    rows = chain()
    whole = walk_fast(rows, Link(GENESIS))
    assert isinstance(whole, Verdict)
    assert ended(whole, rows[-1][7], 80) == verify(rows, head_hash=rows[-1][7], head_id=80)
    rows[7] = edited(rows[7], 2, "sari")
    stop = walk_fast(rows, Link(GENESIS))
    assert stop == Stop(Link(rows[6][7], rows[5][7], rows[6][0]), rows[7][0], 7)
    assert isinstance(walk_fast([edited(rows[0], 1, 12345)], Link(GENESIS)), Stop)     # another type: walk decides


def test_the_link_before_a_segment():
    assert Link.before("a", []) == Link("a")
    assert Link.before("a", [(5, "h5")]) == Link("h5", "a", 5)
    assert Link.before("a", [(5, "h5"), (3, "h3")]) == Link("h5", "h3", 5)


def test_split_covers_every_id_once_and_gives_the_first_segment_its_share():
    segments = split(1, 1_000_000, 2)
    assert segments[0].after == LOWEST and segments[-1].upto == HIGHEST
    assert segments[0].upto == 530_000
    three = split(11, 110, 4, first_share=0.25)
    assert [(s.after, s.upto) for s in three] == [(LOWEST, 35), (35, 60), (60, 85), (85, HIGHEST)]
    assert split(1, 5, 1) == [split(1, 5, 1)[0]] and split(1, 5, 1)[0].after == LOWEST
