"""Local accounts on the real backends: argon2 hashes, lockout with backoff, no user enumeration,
and every change in the audit log."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import AppUser, AuditEvent
from db.users import (
    LOCK_AFTER,
    SIGN_IN_FAILED_MESSAGE,
    Actor,
    PermissionDenied,
    SignInRefused,
    UserError,
    active_actor,
    add_user,
    authenticate,
    list_users,
    lock_duration,
    set_disabled,
    set_password,
    set_role,
    sign_in_external,
)
from geo.vocabulary import Role

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ADMIN = Actor("sari", Role.ADMIN)
PASSWORD = "correct horse battery"


def _events(s, action=None):
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(s.scalars(stmt))


@pytest.fixture
def budi(session_factory):
    with session_factory.begin() as s:
        add_user(s, ADMIN, "Budi", "commander", PASSWORD, display_name="Budi S.")
    return "budi"


def test_add_user_hashes_with_argon2_and_audits(session_factory, budi):
    with session_factory() as s:
        user = s.scalar(select(AppUser).where(AppUser.username == "budi"))
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        assert user.role is Role.COMMANDER
        [event] = _events(s, "user_add")
        assert (event.actor, event.target, event.detail) == ("sari", "budi", {"role": "commander"})
        assert all(PASSWORD not in str(e.detail) for e in _events(s))


def test_sign_in_success_records_event_and_last_login(session_factory, budi):
    with session_factory.begin() as s:
        actor = authenticate(s, " BUDI ", PASSWORD, now=T0)
    assert actor == Actor("budi", Role.COMMANDER, "Budi S.")
    with session_factory() as s:
        assert s.scalar(select(AppUser.last_login_at)) == T0
        [event] = _events(s, "sign_in")
        assert event.target == "budi" and event.detail == {"method": "local"}


@pytest.mark.parametrize("username,password", [("budi", "wrong password!"), ("nobody", PASSWORD),
                                               ("", PASSWORD), ("<script>", "x")])
def test_every_failure_gives_the_same_message_and_is_audited(session_factory, budi, username, password):
    with session_factory.begin() as s, pytest.raises(SignInRefused) as info:
        authenticate(s, username, password, now=T0)
    assert str(info.value) == SIGN_IN_FAILED_MESSAGE
    with session_factory() as s:
        [event] = _events(s, "sign_in_failed")
        assert event.detail["reason"] in {"password", "unknown", "malformed"}


def test_lockout_after_repeated_failures_with_backoff(session_factory, budi):
    now = T0
    for _ in range(LOCK_AFTER):
        with session_factory.begin() as s, pytest.raises(SignInRefused):
            authenticate(s, "budi", "not the password", now=now)
    # Locked: even the right password is refused, with the same message.
    with session_factory.begin() as s, pytest.raises(SignInRefused, match="Sign-in failed"):
        authenticate(s, "budi", PASSWORD, now=now + timedelta(seconds=29))
    with session_factory() as s:
        user = s.scalar(select(AppUser))
        assert user.failed_attempts == LOCK_AFTER
        assert user.locked_until == now + timedelta(seconds=30)
        assert _events(s, "sign_in_failed")[-1].detail == {"reason": "locked"}
    # One more failure after the lock: the next lock is twice as long.
    with session_factory.begin() as s, pytest.raises(SignInRefused):
        authenticate(s, "budi", "still wrong!!", now=now + timedelta(seconds=31))
    with session_factory() as s:
        assert s.scalar(select(AppUser.locked_until)) == now + timedelta(seconds=31 + 60)
    # After the lock the right password works and resets the counter.
    with session_factory.begin() as s:
        authenticate(s, "budi", PASSWORD, now=now + timedelta(minutes=5))
    with session_factory() as s:
        user = s.scalar(select(AppUser))
        assert (user.failed_attempts, user.locked_until) == (0, None)


def test_lock_duration_doubles_and_caps():
    assert lock_duration(LOCK_AFTER - 1) is None
    assert [lock_duration(LOCK_AFTER + i).total_seconds() for i in range(4)] == [30, 60, 120, 240]
    assert lock_duration(100) == timedelta(minutes=15)


def test_disabled_user_refused_and_inactive(session_factory, budi):
    with session_factory.begin() as s:
        set_disabled(s, ADMIN, "budi")
    with session_factory.begin() as s:
        with pytest.raises(SignInRefused):
            authenticate(s, "budi", PASSWORD, now=T0)
        assert active_actor(s, "budi") is None
    with session_factory() as s:
        assert _events(s, "sign_in_failed")[-1].detail == {"reason": "disabled"}
        assert _events(s, "user_disable")[0].target == "budi"


def test_passwd_changes_hash_and_audits(session_factory, budi):
    with session_factory.begin() as s:
        set_password(s, ADMIN, "budi", "a brand new password")
    with session_factory.begin() as s:
        with pytest.raises(SignInRefused):
            authenticate(s, "budi", PASSWORD, now=T0)
        assert authenticate(s, "budi", "a brand new password", now=T0).username == "budi"
    with session_factory() as s:
        assert [e.target for e in _events(s, "user_password")] == ["budi"]


@pytest.mark.parametrize("username,role,password,match", [
    ("x", "commander", PASSWORD, "2-80 characters"),
    ("ok_name", "general", PASSWORD, "not a valid role"),
    ("ok_name", "commander", "short", "at least 10"),
    ("ok_name", "commander", " padded password ", "space"),
    ("budi", "operator", PASSWORD, "exists already"),
])
def test_bad_user_input_is_refused_with_a_reason_and_nothing_written(session_factory, budi, username, role,
                                                                     password, match):
    with pytest.raises(UserError, match=match), session_factory.begin() as s:
        add_user(s, ADMIN, username, role, password)
    with session_factory() as s:
        assert [u.username for u in list_users(s)] == ["budi"]


def test_only_admin_manages_users(session_factory, budi):
    commander = Actor("budi", Role.COMMANDER)
    with pytest.raises(PermissionDenied), session_factory.begin() as s:
        add_user(s, commander, "eve", "admin", PASSWORD)
    with pytest.raises(PermissionDenied), session_factory.begin() as s:
        set_role(s, commander, "budi", "admin")
    with session_factory() as s:
        assert s.scalar(select(AppUser.role)) is Role.COMMANDER


def test_role_change_and_oidc_sign_in_uses_local_role(session_factory, budi):
    with session_factory.begin() as s:
        add_user(s, ADMIN, "dewi@polri.go.id", "briefing")
        set_role(s, ADMIN, "dewi@polri.go.id", "operator")
    with session_factory.begin() as s:
        actor = sign_in_external(s, "Dewi@Polri.go.id", "oidc", now=T0)
        assert actor.role is Role.OPERATOR
        with pytest.raises(SignInRefused):
            sign_in_external(s, "stranger@example.com", "oidc", now=T0)
        # An OIDC-only account has no password: a local sign-in never succeeds.
        with pytest.raises(SignInRefused):
            authenticate(s, "dewi@polri.go.id", "", now=T0)
    with session_factory() as s:
        assert _events(s, "user_role")[0].detail == {"from": "briefing", "to": "operator"}
