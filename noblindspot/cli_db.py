"""`noblindspot db ...`: schema management."""
from __future__ import annotations

import click

from db import migrate
from db.engine import make_engine, redacted_url


@click.group("db")
def db_group() -> None:
    """Create or upgrade the database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@click.pass_obj
def upgrade(app, revision: str) -> None:
    """Apply migrations up to REVISION (the latest by default)."""
    migrate.upgrade(app.database_url, revision)
    click.echo(f"database {redacted_url(app.database_url)} is at {revision}")


@db_group.command("current")
@click.pass_obj
def current(app) -> None:
    """Show the schema revision of the configured database."""
    engine = make_engine(app.database_url)
    try:
        click.echo(migrate.current_revision(engine) or "empty (run `noblindspot db upgrade`)")
    finally:
        engine.dispose()


COMMANDS = [db_group]
