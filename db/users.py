"""Local accounts and sign-in with lockout (what each role may do: db/permissions.py).

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher). Sign-in answers every failure
with the same message and the same amount of work (an unknown user is checked against a dummy
hash), so it neither tells an attacker which user names exist nor how the check failed. After
``LOCK_AFTER`` failures in a row an account is locked, for longer after each further failure.
Every sign-in, failure and user change is written to the audit log. Nothing commits here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db import web_sessions
from db.audit import AuditAction, record
from db.models import AppUser, utcnow
from db.permissions import PERMISSIONS, Actor, PermissionDenied, can  # noqa: F401 - re-exported for callers
from geo.vocabulary import Role, VocabularyError

LOCK_AFTER = 5
FIRST_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")
SIGN_IN_FAILED_MESSAGE = ("Sign-in failed: check the user name and password. After several failed "
                          "attempts, wait a few minutes before trying again.")

class UserError(ValueError):
    """A user command that cannot be carried out; the message says what to change (in English, for the
    command line). ``code`` and ``params`` let the dashboard say the same in the user's language."""

    def __init__(self, message: str, code: str = "other", **params: object) -> None:
        super().__init__(message)
        self.code, self.params = code, params


class SignInRefused(Exception):
    """Sign-in did not succeed. The message is the same whatever the reason."""

    def __init__(self) -> None:
        super().__init__(SIGN_IN_FAILED_MESSAGE)


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash("no-such-user-placeholder-password")


def normalise_username(raw: str) -> str:
    name = (raw or "").strip().lower()
    if not USERNAME_RE.match(name):
        raise UserError("a user name is 2-80 characters: letters, digits and . _ @ - (starting with a "
                        "letter or digit)", "bad_username")
    return name


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserError(f"the password must be at least {MIN_PASSWORD} characters", "password_short", n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password must be at most {MAX_PASSWORD} characters", "password_long", n=MAX_PASSWORD)
    if password.strip() != password:
        raise UserError("the password starts or ends with a space; remove it (a paste error?)", "password_space")
    return password


NRP_RE = re.compile(r"^\d{8}(\d{10})?$")   # Polri NRP: 8 digits; a civil servant's NIP: 18
MAX_RANK = 40


def clean_rank(raw: str | None) -> str | None:
    """An officer's rank as written on letters (AKP, Kompol, Ipda ...); None when not given."""
    rank = " ".join((raw or "").split())
    if len(rank) > MAX_RANK:
        raise UserError(f"a rank has at most {MAX_RANK} characters", "rank_long", n=MAX_RANK)
    return rank or None


def clean_nrp(raw: str | None) -> str | None:
    """An NRP (8 digits) or NIP (18 digits), spaces removed; None when not given."""
    nrp = "".join((raw or "").split())
    if nrp and not NRP_RE.match(nrp):
        raise UserError("an NRP is 8 digits (a NIP 18)", "bad_nrp")
    return nrp or None


def parse_role(raw: Role | str) -> Role:
    try:
        return cast(Role, Role.parse(raw))
    except VocabularyError as exc:
        raise UserError(str(exc), "bad_role") from None


def _get(session: Session, username: str) -> AppUser | None:
    return session.scalar(select(AppUser).where(AppUser.username == username))


def _require_user(session: Session, username: str) -> AppUser:
    user = _get(session, normalise_username(username))
    if user is None:
        raise UserError(f"no user named {username!r}; see `noblindspot users list`", "no_user", name=username)
    return user


def _require_admin(actor: Actor | str) -> None:
    if isinstance(actor, Actor):
        actor.require("users")


def add_user(session: Session, actor: Actor | str, username: str, role: Role | str,
             password: str | None = None, display_name: str | None = None, rank: str | None = None,
             nrp: str | None = None) -> AppUser:
    """A new account; without a password it can sign in only through OIDC. ``rank`` and ``nrp`` sign
    the officer's letters."""
    _require_admin(actor)
    name, role = normalise_username(username), parse_role(role)
    rank, nrp = clean_rank(rank), clean_nrp(nrp)
    if _get(session, name) is not None:
        raise UserError(f"user {name!r} exists already; use `users passwd` or `users enable`", "exists", name=name)
    user = AppUser(username=name, role=role, display_name=(display_name or "").strip()[:120] or None,
                   password_hash=_hasher().hash(check_password(password)) if password is not None else None,
                   disabled=False, failed_attempts=0, rank=rank, nrp=nrp)
    session.add(user)
    session.flush()
    record(session, actor, AuditAction.USER_ADD, target=name, detail={"role": role.value})
    return user


def set_identity(session: Session, actor: Actor | str, username: str, display_name: str | None,
                 rank: str | None, nrp: str | None) -> None:
    """The name, rank and NRP an officer signs official letters with."""
    _require_admin(actor)
    user = _require_user(session, username)
    user.display_name = (display_name or "").strip()[:120] or None
    user.rank, user.nrp = clean_rank(rank), clean_nrp(nrp)
    record(session, actor, AuditAction.USER_IDENTITY, target=user.username,
           detail={"rank": user.rank, "nrp_set": user.nrp is not None})


@dataclass(frozen=True)
class Signature:
    name: str
    rank: str | None = None
    nrp: str | None = None


def signature_of(session: Session, username: str) -> Signature:
    """How ``username`` signs a letter: name (display name, else the user name), rank and NRP."""
    user = _get(session, (username or "").strip().lower())
    if user is None:
        return Signature(username)
    return Signature(user.display_name or user.username, user.rank, user.nrp)


def set_password(session: Session, actor: Actor | str, username: str, password: str) -> None:
    _require_admin(actor)
    user = _require_user(session, username)
    user.password_hash = _hasher().hash(check_password(password))
    user.failed_attempts, user.locked_until = 0, None
    web_sessions.close_user(session, user.username)   # a new password signs the old sign-ins out
    record(session, actor, AuditAction.USER_PASSWORD, target=user.username)


def set_disabled(session: Session, actor: Actor | str, username: str, disabled: bool = True) -> None:
    _require_admin(actor)
    user = _require_user(session, username)
    if isinstance(actor, Actor) and actor.username == user.username and disabled:
        raise UserError("you cannot disable your own account; ask another admin", "disable_self")
    user.disabled = disabled
    if disabled:
        web_sessions.close_user(session, user.username)   # signed out everywhere, not only refused later
    else:
        user.failed_attempts, user.locked_until = 0, None
    record(session, actor, AuditAction.USER_DISABLE if disabled else AuditAction.USER_ENABLE,
           target=user.username)


def set_role(session: Session, actor: Actor | str, username: str, role: Role | str) -> None:
    _require_admin(actor)
    user, role = _require_user(session, username), parse_role(role)
    previous, user.role = user.role, role
    record(session, actor, AuditAction.USER_ROLE, target=user.username,
           detail={"from": Role(previous).value, "to": role.value})


def list_users(session: Session) -> list[AppUser]:
    return list(session.scalars(select(AppUser).order_by(AppUser.username)))


def lock_duration(failed_attempts: int) -> timedelta | None:
    """How long an account stays locked after this many failures in a row (doubling, capped)."""
    if failed_attempts < LOCK_AFTER:
        return None
    doubled = FIRST_LOCK * (2 ** min(failed_attempts - LOCK_AFTER, 16))
    return min(doubled, MAX_LOCK)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        return False


def _fail(session: Session, user: AppUser | None, username: str, reason: str, now: datetime) -> SignInRefused:
    if user is not None and reason == "password":
        # Counted in the database, so simultaneous attempts from several sessions all count.
        session.execute(update(AppUser).where(AppUser.id == user.id)
                        .values(failed_attempts=AppUser.failed_attempts + 1))
        session.refresh(user, ["failed_attempts"])
        duration = lock_duration(user.failed_attempts)
        if duration is not None:
            user.locked_until = now + duration
    record(session, username or "(empty)", AuditAction.SIGN_IN_FAILED, target=username or None,
           detail={"reason": reason}, at=now)
    return SignInRefused()


def authenticate(session: Session, username: str, password: str, now: datetime | None = None) -> Actor:
    """The Actor for valid local credentials; SignInRefused (one message for every cause) otherwise.

    The caller must commit even on failure, so the failure count and audit event are kept.
    """
    now = now or utcnow()
    try:
        name = normalise_username(username)
    except UserError:
        _verify(None, password)
        raise _fail(session, None, (username or "")[:80], "malformed", now) from None
    user = _get(session, name)
    ok = _verify(user.password_hash if user is not None else None, password)
    if user is None:
        raise _fail(session, None, name, "unknown", now)
    if user.locked_until is not None and user.locked_until > now:
        raise _fail(session, user, name, "locked", now)
    if not ok:
        raise _fail(session, user, name, "password", now)
    if user.disabled:
        raise _fail(session, user, name, "disabled", now)
    if user.password_hash is not None and _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    return _signed_in(session, user, "local", now)


def sign_in_external(session: Session, username: str, provider: str, now: datetime | None = None) -> Actor:
    """Sign-in through OIDC: the identity provider vouched for ``username`` (its e-mail); the account
    must exist here and be enabled, and its role comes from here, never from the provider."""
    now = now or utcnow()
    try:
        name = normalise_username(username)
    except UserError:
        raise _fail(session, None, (username or "")[:80], "malformed", now) from None
    user = _get(session, name)
    if user is None or user.disabled:
        raise _fail(session, user, name, "unknown" if user is None else "disabled", now)
    return _signed_in(session, user, provider, now)


def _signed_in(session: Session, user: AppUser, method: str, now: datetime) -> Actor:
    user.failed_attempts, user.locked_until, user.last_login_at = 0, None, now
    record(session, user.username, AuditAction.SIGN_IN, target=user.username, detail={"method": method}, at=now)
    return Actor(user.username, Role(user.role), user.display_name)


def active_actor(session: Session, username: str) -> Actor | None:
    """The Actor for a signed-in session, re-read from the database (None once disabled or removed)."""
    user = _get(session, username)
    if user is None or user.disabled:
        return None
    return Actor(user.username, Role(user.role), user.display_name)
