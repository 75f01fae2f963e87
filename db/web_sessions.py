"""Dashboard sign-ins that survive a reload, a new tab or a bookmark: the server side of the cookie.

``open_session`` draws a random token (32 bytes, URL-safe) that the browser keeps in a cookie and stores
only its SHA-256, so the table is no use to someone who reads it. ``find`` answers who a token belongs to
and since when; the dashboard (dashboard/auth.py) applies the expiry rules (shift length, idle time,
the briefing screen's week) and re-checks the account on every run, so a disabled account or a changed
role takes effect at once. ``close`` ends one sign-in (sign-out), ``close_user`` all of an account's
(disabled, new password), ``purge`` forgets the ones older than any rule allows. Takes a Session and never commits.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.models import WebSession

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 128   # token_urlsafe(32) is 43 characters; anything much longer is not ours


@dataclass(frozen=True)
class SignIn:
    username: str
    method: str
    signed_in_at: datetime
    last_seen_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, username: str, method: str, now: datetime) -> str:
    """A new sign-in for ``username``; the token for the browser's cookie (never stored as is)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(WebSession(token_hash=_hash(token), username=username, method=method, signed_in_at=now,
                           last_seen_at=now))
    session.flush()
    return token


def find(session: Session, token: str | None) -> SignIn | None:
    """Who signed in with this token and when, or None for a missing, malformed or unknown token."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _hash(token)))
    if row is None:
        return None
    return SignIn(row.username, row.method, row.signed_in_at, row.last_seen_at)


def touch(session: Session, token: str, now: datetime) -> bool:
    """The user did something: the idle time counts from now. False when the sign-in is gone (signed out
    in another tab, the account disabled or given a new password)."""
    result = session.execute(update(WebSession).where(WebSession.token_hash == _hash(token))
                             .values(last_seen_at=now))
    return bool(getattr(result, "rowcount", 0))


def close(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))


def close_user(session: Session, username: str) -> None:
    """End every sign-in of an account (disabled, or its password changed)."""
    session.execute(delete(WebSession).where(WebSession.username == username))


def purge(session: Session, signed_in_before: datetime) -> None:
    """Forget sign-ins older than the longest session any role may have."""
    session.execute(delete(WebSession).where(WebSession.signed_in_at < signed_in_before))
