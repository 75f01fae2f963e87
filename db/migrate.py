"""Schema management through Alembic: the only way the schema is created or changed."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from db.engine import normalise_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaOutOfDate(RuntimeError):
    """The database schema is behind the code; run `noblindspot db upgrade`."""


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:
        raise RuntimeError("db/migrations holds no revision; the package is broken")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_current(engine: Engine) -> None:
    current = current_revision(engine)
    if current != head_revision():
        raise SchemaOutOfDate(
            f"database schema is at {current or 'nothing'}, the code needs {head_revision()}: "
            "run `noblindspot db upgrade`")
