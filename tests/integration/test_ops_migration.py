"""Migration 0002 (operations) on the real backends: tables, columns, round trip, no drift."""
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

import db.models_evidence  # noqa: F401 - registers the evidence tables (and the operations ones) on Base.metadata
from db.migrate import current_revision, downgrade, head_revision, upgrade
from db.models import AppUser, Base
from geo.vocabulary import Role

OPS_TABLES = {"incident", "footage_request", "footage_request_event"}
SIGN_IN_COLUMNS = {"failed_attempts", "locked_until", "last_login_at"}


def _columns(engine, table):
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_head_has_operations_tables_and_sign_in_columns(engine):
    assert current_revision(engine) == head_revision()
    assert OPS_TABLES <= set(inspect(engine).get_table_names())
    assert SIGN_IN_COLUMNS <= _columns(engine, "app_user")


def test_models_match_migrated_schema(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_downgrade_to_0001_keeps_users_and_upgrade_restores(database_url, engine):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO app_user (username, role, disabled, created_at) "
                          "VALUES ('budi', 'commander', false, :t)"), {"t": datetime.now(UTC)})
    downgrade(database_url, "0001")
    engine.dispose()
    assert not (OPS_TABLES & set(inspect(engine).get_table_names()))
    assert not (SIGN_IN_COLUMNS & _columns(engine, "app_user"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT username FROM app_user")).scalars().all() == ["budi"]
    upgrade(database_url)
    engine.dispose()
    assert OPS_TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        row = conn.execute(text("SELECT username, failed_attempts, locked_until FROM app_user")).one()
    assert tuple(row) == ("budi", 0, None)


def test_status_check_constraint_refuses_unknown_status(engine):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO incident (code, event_time, category, description, lon, lat, status, "
            "created_by, created_at, updated_at) VALUES ('X', :t, 'theft', '', 106.7, -6.1, 'lost', "
            "'budi', :t, :t)"), {"t": datetime.now(UTC)})


def test_sign_in_columns_mapped_on_app_user(session_factory):
    with session_factory.begin() as s:
        s.add(AppUser(username="sari", role=Role.ADMIN))
    with session_factory() as s:
        user = s.scalar(select(AppUser).where(AppUser.username == "sari"))
        assert user.failed_attempts == 0 and user.locked_until is None and user.last_login_at is None


def test_migration_0003_adds_web_sessions_and_downgrades_cleanly(database_url, engine):
    assert "web_session" in inspect(engine).get_table_names()
    assert {"token_hash", "username", "method", "signed_in_at", "last_seen_at"} <= _columns(engine, "web_session")
    downgrade(database_url, "0002")
    engine.dispose()
    assert "web_session" not in inspect(engine).get_table_names()
    upgrade(database_url)
    engine.dispose()
    assert current_revision(engine) == head_revision() and "web_session" in inspect(engine).get_table_names()


def test_migration_0004_adds_feed_evidence_and_downgrades_cleanly(database_url, engine):
    evidence = {"ran_at", "checked_at", "answered"}
    assert evidence <= _columns(engine, "feed")
    downgrade(database_url, "0003")
    engine.dispose()
    assert not evidence & _columns(engine, "feed") and "state_since" in _columns(engine, "feed")
    upgrade(database_url)
    engine.dispose()
    assert current_revision(engine) == head_revision() and evidence <= _columns(engine, "feed")


def test_migration_0005_chains_the_events_already_written(database_url, engine, session_factory):
    from db import audit

    downgrade(database_url, "0004")
    engine.dispose()
    assert "hash" not in _columns(engine, "audit_event")
    with engine.begin() as conn:     # events written before the chain existed
        for i in range(5):
            conn.execute(text("INSERT INTO audit_event (at, actor, action, target, detail) "
                              "VALUES (:at, 'budi', 'live_view', :t, :d)"),
                         {"at": datetime(2026, 11, 1, 8, i, tzinfo=UTC), "t": f"JB-{i}",
                          "d": f'{{"n": {i}}}' if i % 2 else None})
    upgrade(database_url)
    engine.dispose()
    assert current_revision(engine) == head_revision() and {"prev_hash", "hash"} <= _columns(engine, "audit_event")
    with session_factory.begin() as session:
        audit.record(session, "sari", audit.AuditAction.LIVE_VIEW, target="JB-9")
    with session_factory() as session:
        verdict = audit.verify_chain(session)
    assert verdict.ok and verdict.events == 6, verdict.message


def test_migration_0006_adds_the_evidence_tables_and_downgrades_cleanly(database_url, engine):
    tables = {"footage_upload_link", "evidence_file"}
    assert tables <= set(inspect(engine).get_table_names())
    assert {"token_hash", "expires_at", "closed_at", "closed_reason", "max_files"} <= _columns(
        engine, "footage_upload_link")
    downgrade(database_url, "0005")
    engine.dispose()
    assert not tables & set(inspect(engine).get_table_names())
    upgrade(database_url)
    engine.dispose()
    assert current_revision(engine) == head_revision() and tables <= set(inspect(engine).get_table_names())


def test_migration_0007_adds_rank_and_nrp_and_keeps_the_accounts(database_url, engine, session_factory):
    from db.users import add_user

    with session_factory.begin() as session:
        add_user(session, "cli:test", "budi", "commander", "a long password 1")
    assert {"rank", "nrp"} <= _columns(engine, "app_user")
    downgrade(database_url, "0006")
    engine.dispose()
    assert not {"rank", "nrp"} & _columns(engine, "app_user")
    upgrade(database_url)
    engine.dispose()
    assert current_revision(engine) == head_revision() and {"rank", "nrp"} <= _columns(engine, "app_user")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT username, rank, nrp FROM app_user").all() == [("budi", None, None)]
