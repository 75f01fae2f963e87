"""db/web_sessions.py on a real (migrated) database: tokens are random, only their hash is stored,
sign-out and purge forget them, and anything that is not one of our tokens finds nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db import web_sessions
from db.models import WebSession

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def test_a_token_finds_its_sign_in_and_only_its_hash_is_stored(session_factory):
    with session_factory.begin() as session:
        token = web_sessions.open_session(session, "budi", "local", NOW)
        other = web_sessions.open_session(session, "budi", "local", NOW)
    assert token != other and len(token) >= 43
    with session_factory() as session:
        found = web_sessions.find(session, token)
        rows = session.scalars(select(WebSession)).all()
    assert (found.username, found.method, found.signed_in_at, found.last_seen_at) == ("budi", "local", NOW, NOW)
    stored = {value for row in rows for value in (row.token_hash, row.username, row.method)}
    assert token not in stored and other not in stored   # the table alone cannot sign anyone in


def test_touch_moves_the_last_activity_and_close_forgets_the_token(session_factory):
    with session_factory.begin() as session:
        token = web_sessions.open_session(session, "ani", "oidc", NOW)
        web_sessions.touch(session, token, NOW + timedelta(minutes=5))
    with session_factory() as session:
        assert web_sessions.find(session, token).last_seen_at == NOW + timedelta(minutes=5)
    with session_factory.begin() as session:
        web_sessions.close(session, token)
    with session_factory() as session:
        assert web_sessions.find(session, token) is None
    with session_factory.begin() as session:
        assert web_sessions.touch(session, token, NOW) is False   # the dashboard signs such a tab out


def test_purge_forgets_sign_ins_older_than_the_cutoff_only(session_factory):
    with session_factory.begin() as session:
        old = web_sessions.open_session(session, "a", "local", NOW - timedelta(days=8))
        recent = web_sessions.open_session(session, "b", "local", NOW - timedelta(days=6))
        web_sessions.purge(session, NOW - timedelta(days=7))
    with session_factory() as session:
        assert web_sessions.find(session, old) is None
        assert web_sessions.find(session, recent).username == "b"


def test_what_is_not_a_token_finds_nothing(session_factory):
    with session_factory.begin() as session:
        web_sessions.open_session(session, "a", "local", NOW)
    with session_factory() as session:
        for junk in (None, "", "x" * 10_000, "not-a-token", object()):
            assert web_sessions.find(session, junk) is None


def test_disabling_an_account_or_changing_its_password_signs_it_out_everywhere(session_factory):
    from db.users import add_user, set_disabled, set_password

    with session_factory.begin() as session:
        add_user(session, "cli:test", "rina", "commander", "a long enough password")
        add_user(session, "cli:test", "budi", "commander", "a long enough password")
        rina = [web_sessions.open_session(session, "rina", "local", NOW) for _ in range(2)]
        budi = web_sessions.open_session(session, "budi", "local", NOW)
        set_disabled(session, "cli:test", "rina")
    with session_factory() as session:
        assert [web_sessions.find(session, t) for t in rina] == [None, None]
        assert web_sessions.find(session, budi) is not None
    with session_factory.begin() as session:
        set_password(session, "cli:test", "budi", "another long password")
    with session_factory() as session:
        assert web_sessions.find(session, budi) is None
