"""Engine and session factory construction. Functions only: nothing is created at import."""
from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from db.audit_chain import canonical_json

SQLITE_BUSY_TIMEOUT_MS = 10_000


class DatabaseURLError(ValueError):
    """The configured database URL cannot be used."""


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and route them to psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif not (parsed.drivername.startswith("sqlite") or parsed.drivername.startswith("postgresql")):
        raise DatabaseURLError(
            f"unsupported database '{parsed.drivername}': use sqlite:///path/to/file.db or postgresql://...")
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _private_file(path: Path) -> None:
    """Create the SQLite file 0600 (its -wal and -shm files take its mode); tighten a readable one.

    The registry holds stream URLs with camera passwords: no other local user may read it. A missing
    directory is made 0700; an existing one is left alone here (it may be anywhere; up, the relay
    and the dashboard tighten the data directory itself).
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        # only a new file is opened here: closing any descriptor of a database file drops every POSIX
        # lock this process holds on it (SQLite's "How To Corrupt" 2.2), so an engine already open on
        # an existing file in this process would lose its locks and another process could take them
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)


def make_engine(url: str, **kwargs) -> Engine:
    # every JSON column is written in one canonical form, so the audit chain hashes its stored text
    kwargs.setdefault("json_serializer", canonical_json)
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database).expanduser())
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def redacted_url(url: str) -> str:
    """The URL with any password masked, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)
