"""Audit events for what the relay's API is asked to do, written by the relay itself (db/audit.py).

The dashboard records what its signed-in users ask for; this records what the relay did, whoever
asked, so a script holding the operator credential leaves the same trail as the dashboard. The
credential is shared, so the relay cannot know the person: the actor is ``relay-api``, and the
detail holds the caller's address and the user the caller names in ``X-Noblindspot-User`` (the
dashboard sends its signed-in user; any caller may name anyone, so the detail calls it a claim).

What is recorded: start, stop, restart, feed changes (mode, profile, audio, and that the stream
address changed, never the address), token grants, each with its outcome, including refusals
(limit reached, no consent, unknown feed). A token grant is recorded once per camera, user and
token window, the way the dashboard records a live view, so a wall reloading tokens does not flood
the log. A grant whose event cannot be written is refused (no view without a trace); a control
action whose event cannot be written is logged as an error and answered (the action already ran).
"""
from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db import audit
from db.models import utcnow
from relay.redact import redact

log = logging.getLogger(__name__)

ACTOR = "relay-api"
USER_HEADER = "X-Noblindspot-User"
MAX_CLAIMED_USER = 64
UNREADABLE = "(unreadable)"
REMEMBERED_GRANTS = 4096


class AuditUnavailable(RuntimeError):
    """The audit event could not be written, so the action that needs one is refused."""


def claimed_user(raw: str | None) -> str | None:
    """The user a caller names: trimmed, at most 64 printable characters; anything else is unreadable."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if len(text) > MAX_CLAIMED_USER or any(unicodedata.category(ch)[0] == "C" for ch in text):
        return UNREADABLE
    return text


class ApiAudit:
    def __init__(self, session_factory: sessionmaker[Session],
                 clock: Callable[[], datetime] = utcnow, remembered: int = REMEMBERED_GRANTS) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._remembered = remembered
        self._granted: dict[tuple[str, str, int, str | None], None] = {}   # insertion-ordered: oldest first
        self._lock = threading.Lock()

    def _write(self, command: str, camera_code: str, detail: dict[str, Any]) -> None:
        with self._sessions.begin() as session:
            action = audit.AuditAction.TOKEN_GRANT if command == "token" else audit.AuditAction.FEED_CONTROL
            audit.record(session, ACTOR, action, target=camera_code,
                         detail={"command": command, **detail}, at=self._clock())

    def control(self, command: str, camera_code: str, *, client: str | None, claimed: str | None,
                outcome: str, reason: str | None = None, changes: dict[str, Any] | None = None) -> None:
        """Record one control action; a failure to write is logged, never raised (the action ran)."""
        detail: dict[str, Any] = {"outcome": outcome, "client": client, "on_behalf_of_claimed": claimed}
        if reason:
            detail["reason"] = redact(reason)[:300]
        detail.update(changes or {})
        try:
            self._write(command, camera_code, detail)
        except SQLAlchemyError as exc:
            log.error("could not write the audit event for %s %s: %s", command, camera_code, type(exc).__name__)

    def token_granted(self, camera_code: str, user: str, expires_at: int, *, client: str | None,
                      claimed: str | None, purpose: str | None = None) -> None:
        """Record a grant once per (camera, user, window, purpose); raise AuditUnavailable when it cannot
        be written."""
        key = (camera_code, user, expires_at, purpose)
        with self._lock:
            if key in self._granted:
                return
        try:
            self._write("token", camera_code, {"outcome": "granted", "viewer": user, "expires_at": expires_at,
                                               "purpose": purpose, "client": client,
                                               "on_behalf_of_claimed": claimed})
        except SQLAlchemyError as exc:
            log.error("could not write the audit event for a token on %s: %s", camera_code, type(exc).__name__)
            raise AuditUnavailable("the relay cannot write the audit log, so it grants no view; "
                                   "check the database and try again") from None
        with self._lock:
            self._granted[key] = None
            while len(self._granted) > self._remembered:
                self._granted.pop(next(iter(self._granted)))
