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

Pure functions over plain values (no models, no sessions), so migrations and the command line
use the same rule. ``CHAIN_VERSION`` is part of every hash: the serialisation never changes
without a new version.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CHAIN_VERSION = 1
GENESIS = "0" * 64
_sha256 = hashlib.sha256


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


def verify(rows: Iterable[ChainRow], anchor: str = GENESIS, head_hash: str | None = None,
           head_id: int | None = None) -> Verdict:
    """Walk ``rows`` (id order) from ``anchor``; the head (latest hash and id) catches a cut-off end."""
    previous_hash, before_previous = anchor, None
    count = 0
    previous_id: int | None = None
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
    last_id = previous_id
    if head_hash is not None and head_hash != previous_hash:
        return Verdict(False, count, last_id, previous_hash, "truncated", last_id,
                       f"events after event {last_id} were deleted (the chain's head is {head_id})")
    return Verdict(True, count, last_id, previous_hash, message=f"{count} events, chain intact")
