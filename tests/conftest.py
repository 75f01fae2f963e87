"""Shared fixtures.

Every database test gets a freshly migrated database: a SQLite file by default, or, when
NOBLINDSPOT_TEST_DATABASE_URL points at PostgreSQL, a schema of its own in that database (so tests
and concurrent runs never see each other's rows).
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from db.engine import make_engine, make_session_factory, normalise_url
from db.migrate import upgrade

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def pytest_configure(config) -> None:
    """Good secrets for every test and every server a test starts (no secret has a default any more).

    Drawn per run, so no test can pass by knowing them; tests of the refusal unset them explicitly.
    """
    import secrets

    for name in ("NOBLINDSPOT_RELAY_OPERATOR_TOKEN", "NOBLINDSPOT_RELAY_HLS_SECRET"):
        os.environ[name] = secrets.token_urlsafe(32)


# Fixtures that create a database; a test using any of them, directly or through another fixture, is a
# database test (marked `db`), and so is one marked `postgres`. ./test.sh runs only these on PostgreSQL.
DATABASE_FIXTURES = frozenset({"database_url", "engine", "session_factory"})


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m selection reads the markers
def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())) or item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.db)


def _postgres_base_url() -> str | None:
    url = os.environ.get("NOBLINDSPOT_TEST_DATABASE_URL")
    return normalise_url(url) if url else None


@pytest.fixture
def database_url(tmp_path) -> str:
    base = _postgres_base_url()
    if base is None:
        url = f"sqlite:///{tmp_path / 'test.db'}"
        upgrade(url)
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data (real Jakarta boundaries) is absent")
    return SHARED_DATA


@pytest.fixture(scope="session", autouse=True)
def _postgres_reachable_when_asked():
    """When PostgreSQL is asked for, it must answer: an unreachable server fails the run."""
    base = _postgres_base_url()
    if base is None:
        return
    from tests.support.components import need
    try:
        eng = create_engine(base)
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        ok = True
    except Exception:  # any failure means unreachable
        ok = False
    need("PostgreSQL", ok, "cannot connect to NOBLINDSPOT_TEST_DATABASE_URL")
