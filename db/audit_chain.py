"""The audit log's hash chain: what each event's hash covers, and how the chain is checked.

Each event stores the hash of the event before it (``prev_hash``) and its own ``hash``:
``sha256(prev_hash + "\\n" + canonical event)``, the canonical event being the chain version, id,
time (UTC, microseconds), actor, action, target and the detail's stored JSON text, which the engine
always writes in one form (``canonical_json``: sorted keys, no spaces), so verify hashes the text
as stored and never re-parses it. The
first event's ``prev_hash`` is ``GENESIS``; after a retention purge it is the anchor the purge event
recorded. The latest hash is kept in ``audit_chain_head`` too, and printed as the daily digest
(``noblindspot audit digest``) so that it can be kept outside the system: a chain rewritten from
some event on, with valid hashes, no longer ends in the digest someone kept.

``verify(rows, ...)`` walks rows in id order and names the first event that breaks the chain:

* **edited**: its stored hash is not the hash of its content (also a row put in by hand without
  the chain's hash);
* **inserted**: its content hashes, but the event after it points past it, to the event before it;
* **deleted**: an event points to a hash that is not its predecessor's (events between are gone);
* **truncated**: the last event is not the head's (events at the end are gone); an event past the
  head's is an insertion.

Each event's check needs only its row and the stored hashes of the two events before it (a
``Link``), so ``walk`` can start anywhere: db/audit_segments.py walks id segments in parallel and
``joined`` gives the sequential verdict. ``walk`` is the reference; ``walk_fast`` passes the same
rows a little faster (the hash written out) and hands over to it at the first row it does not pass.

Pure functions over plain values (no models, no sessions), so migrations and the command line
use the same rule. ``CHAIN_VERSION`` is part of every hash: the serialisation never changes
without a new version.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

CHAIN_VERSION = 1
GENESIS = "0" * 64
_sha256 = hashlib.sha256
_NO_ID_ABOVE = 2 ** 63          # past any id either database can hold


def canonical_json(value: Any) -> str:
    """The one JSON form of the log: sorted keys, no spaces, UTF-8 as is. The engine writes every JSON
    column this way (db/engine.py), so the stored text of an event's detail is what its hash covers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def iso_utc(value: datetime | str) -> str:
    """An event time as hashed: UTC, microseconds, ``2026-12-04T08:00:00.000017+00:00``. Accepts an
    aware datetime (PostgreSQL, the writer) or SQLite's stored text (``2026-12-04 08:00:00.000017``)."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return value[:10] + "T" + value[11:] + "+00:00"
        value = datetime.fromisoformat(value)
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(prev_hash: str, event_id: int, at_iso: str, actor: str, action: str, target: str | None,
               detail_text: str | None) -> str:
    """``sha256(prev_hash + "\\n" + canonical event)``; ``detail_text`` is the detail's canonical_json."""
    detail = "" if detail_text is None or detail_text == "null" else detail_text
    return _sha256(f"{prev_hash}\n{CHAIN_VERSION}\x1f{int(event_id)}\x1f{at_iso}\x1f{actor}\x1f{action}\x1f"
                   f"{target or ''}\x1f{detail}".encode()).hexdigest()


# A row as verify reads it: (id, at, actor, action, target, detail text, prev_hash, hash); ``at`` is
# what the database hands back (a datetime, or SQLite's text).
ChainRow = tuple[int, Any, str, str, str | None, str | None, str | None, str | None]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    last_id: int | None
    last_hash: str
    problem: str | None = None        # edited, inserted, deleted, truncated
    event_id: int | None = None       # the first event the problem is found at
    message: str = ""


@dataclass(frozen=True)
class Link:
    """The chain just before an event: the stored hashes of the two events before it (the anchor, and
    None, at the chain's start) and the id of the one before. A walk can start at any event from its
    Link, so that the log can be checked in segments (db/audit_segments.py)."""
    previous_hash: str
    before_previous: str | None = None
    previous_id: int | None = None

    @classmethod
    def before(cls, anchor: str, earlier: list[tuple[int, str]]) -> Link:
        """The Link after ``earlier``: the (id, stored hash) of at most the two events before, newest first."""
        if not earlier:
            return cls(anchor)
        (last_id, last_hash), *rest = earlier
        return cls(last_hash, rest[0][1] if rest else anchor, last_id)


def verify(rows: Iterable[ChainRow], anchor: str = GENESIS, head_hash: str | None = None,
           head_id: int | None = None) -> Verdict:
    """Walk ``rows`` (id order) from ``anchor``; the head (latest hash and id) catches a cut-off end."""
    return ended(walk(rows, Link(anchor), head_id), head_hash, head_id)


def ended(verdict: Verdict, head_hash: str | None, head_id: int | None) -> Verdict:
    """A whole walk's verdict: an unbroken walk must end in the head's hash."""
    if not verdict.ok:
        return verdict
    count, last_id, last_hash = verdict.events, verdict.last_id, verdict.last_hash
    if head_hash is not None and head_hash != last_hash:
        return Verdict(False, count, last_id, last_hash, "truncated", last_id,
                       f"events after event {last_id} were deleted (the chain's head is {head_id})")
    return Verdict(True, count, last_id, last_hash, message=f"{count} events, chain intact")


def walk(rows: Iterable[ChainRow], start: Link, head_id: int | None = None) -> Verdict:
    """The reference walk: every row from ``start`` on, the first break named; an unbroken walk's
    verdict is ok with its count and last event (the head is not checked here, see ``ended``)."""
    previous_hash, before_previous, previous_id = start.previous_hash, start.before_previous, start.previous_id
    count = 0
    last_allowed = head_id if head_id is not None else float("inf")
    hashed, iso = event_hash, iso_utc          # locals: this loop runs a million times
    for event_id, at, actor, action, target, detail, prev_hash, stored in rows:
        count += 1
        if event_id > last_allowed:
            return Verdict(False, count, event_id, previous_hash, "inserted", event_id,
                           f"event {event_id} was inserted after the chain's last event ({head_id})")
        if stored != hashed(prev_hash or "", event_id, iso(at), actor, action, target, detail):
            return Verdict(False, count, event_id, previous_hash, "edited", event_id,
                           f"event {event_id} was edited after it was written, or put in by hand (its hash "
                           "does not match its content)")
        if prev_hash != previous_hash:
            if previous_id is not None and prev_hash == before_previous:
                return Verdict(False, count, event_id, previous_hash, "inserted", previous_id,
                               f"event {previous_id} was inserted: event {event_id} follows the event before it")
            after = f"after event {previous_id}" if previous_id is not None else "at the start"
            return Verdict(False, count, event_id, previous_hash, "deleted", event_id,
                           f"events were deleted {after}, before event {event_id}")
        before_previous, previous_hash, previous_id = previous_hash, stored, event_id
    return Verdict(True, count, previous_id, previous_hash)


@dataclass(frozen=True)
class Stop:
    """Where ``walk_fast`` handed over: the Link before the row it did not pass, that row's id, and
    how many rows it passed."""
    link: Link
    event_id: int
    passed: int


def walk_fast(rows: Iterable[ChainRow], start: Link, head_id: int | None = None) -> Verdict | Stop:
    """``walk`` with the hash written out for rows in the engine's own form (the time as SQLite's
    26-character text, as db/audit_segments.py also reads it from PostgreSQL): a row passes only when
    ``walk`` would pass it, with the same text hashed. At the first row not in that form or breaking a
    check it stops and says where, and ``walk`` decides from there (every message is ``walk``'s)."""
    previous_hash, before_previous, previous_id = start.previous_hash, start.before_previous, start.previous_id
    count = 0
    last_allowed = head_id if head_id is not None else _NO_ID_ABOVE     # an int: compares faster than inf
    sha = _sha256
    event_id = None
    try:
        for event_id, at, actor, action, target, detail, prev_hash, stored in rows:
            # prev_hash equals a str here, so ``prev_hash or ""`` is prev_hash; the time is iso_utc's text branch
            if (event_id > last_allowed or prev_hash != previous_hash or len(at) != 26 or at[10] != " "
                    or stored != sha(f"{prev_hash}\n{CHAIN_VERSION}\x1f{event_id}\x1f{at[:10]}T{at[11:]}+00:00"
                                     f"\x1f{actor}\x1f{action}\x1f{target or ''}"
                                     f"\x1f{'' if detail is None or detail == 'null' else detail}"
                                     .encode()).hexdigest()):
                return Stop(Link(previous_hash, before_previous, previous_id), event_id, count)
            before_previous, previous_hash, previous_id = previous_hash, stored, event_id
            count += 1
    except TypeError:                          # a value of another type (a hand-written row): walk decides
        if event_id is None:
            raise
        return Stop(Link(previous_hash, before_previous, previous_id), event_id, count)
    return Verdict(True, count, previous_id, previous_hash)


def walk_segment(rows: Iterable[ChainRow], start: Link, head_id: int | None,
                 rows_from: Callable[[int], Iterable[ChainRow]]) -> Verdict:
    """One segment: ``walk_fast`` over ``rows``, and where it stops ``walk`` over ``rows_from(that id)``
    (the segment's rows from that id on, as the reference reads them)."""
    outcome = walk_fast(rows, start, head_id)
    if isinstance(outcome, Verdict):
        return outcome
    rest = walk(rows_from(outcome.event_id), outcome.link, head_id)
    return replace(rest, events=outcome.passed + rest.events)


def joined(verdicts: Iterable[Verdict]) -> Verdict:
    """The segments' verdicts, in id order, as one walk's: the first break, counted from the start."""
    before, last = 0, None
    for verdict in verdicts:
        if not verdict.ok:
            return replace(verdict, events=before + verdict.events)
        before, last = before + verdict.events, verdict
    if last is None:
        raise ValueError("no segments to join")
    return replace(last, events=before)
