"""The audit log's hash chain: what each event's hash covers, and how the chain is checked.

Each event stores the hash of the event before it (``prev_hash``) and its own ``hash``:
``sha256(prev_hash + "\\n" + canonical(event))``, where ``canonical`` is a fixed serialisation of
the event's id, time (UTC, microseconds), actor, action, target and detail (JSON, sorted keys). The
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


def canonical(event_id: int, at: datetime, actor: str, action: str, target: str | None,
              detail: dict[str, Any] | None) -> bytes:
    moment = at.astimezone(UTC).isoformat(timespec="microseconds")
    body = json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False) if detail else ""
    return "\x1f".join((str(CHAIN_VERSION), str(int(event_id)), moment, actor, action, target or "",
                        body)).encode("utf-8")


def link(prev_hash: str, payload: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + payload).hexdigest()


def event_hash(prev_hash: str, event_id: int, at: datetime, actor: str, action: str, target: str | None,
               detail: dict[str, Any] | None) -> str:
    return link(prev_hash, canonical(event_id, at, actor, action, target, detail))


@dataclass(frozen=True)
class ChainRow:
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any] | None
    prev_hash: str | None
    hash: str | None


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
    previous: ChainRow | None = None
    count = 0
    for row in rows:
        count += 1
        if head_id is not None and row.id > head_id:
            return Verdict(False, count, row.id, previous_hash, "inserted", row.id,
                           f"event {row.id} was inserted after the chain's last event ({head_id})")
        computed = event_hash(row.prev_hash or "", row.id, row.at, row.actor, row.action, row.target, row.detail)
        if row.hash != computed:
            return Verdict(False, count, row.id, previous_hash, "edited", row.id,
                           f"event {row.id} was edited after it was written, or put in by hand (its hash "
                           "does not match its content)")
        if row.prev_hash != previous_hash:
            if previous is not None and row.prev_hash == before_previous:
                return Verdict(False, count, row.id, previous_hash, "inserted", previous.id,
                               f"event {previous.id} was inserted: event {row.id} follows the event before it")
            after = f"after event {previous.id}" if previous is not None else "at the start"
            return Verdict(False, count, row.id, previous_hash, "deleted", row.id,
                           f"events were deleted {after}, before event {row.id}")
        before_previous, previous_hash, previous = previous_hash, row.hash, row
    last_id = previous.id if previous is not None else None
    if head_hash is not None and head_hash != previous_hash:
        return Verdict(False, count, last_id, previous_hash, "truncated", last_id,
                       f"events after event {last_id} were deleted (the chain's head is {head_id})")
    return Verdict(True, count, last_id, previous_hash, message=f"{count} events, chain intact")
