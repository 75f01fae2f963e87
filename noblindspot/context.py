"""What a CLI invocation carries: settings, and an engine made on first use."""
from __future__ import annotations

from dataclasses import dataclass, field

import click
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.engine import DatabaseURLError, make_engine, make_session_factory
from db.migrate import SchemaOutOfDate, ensure_current
from noblindspot.settings import Settings, describe_invalid


@dataclass
class AppContext:
    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls) -> AppContext:
        try:
            return cls(Settings())
        except ValidationError as exc:
            raise click.UsageError(f"invalid configuration: {describe_invalid(exc)}") from None

    @property
    def database_url(self) -> str:
        return self.settings.resolved_database_url()

    def engine(self, check_schema: bool = True) -> Engine:
        if self._engine is None:
            try:
                self._engine = make_engine(self.database_url)
            except DatabaseURLError as exc:
                raise click.UsageError(str(exc)) from None
            if check_schema:
                try:
                    ensure_current(self._engine)
                except SchemaOutOfDate as exc:
                    raise click.ClickException(str(exc)) from None
        return self._engine

    def session_factory(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine())

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def enforce_secrets(settings: Settings, insecure_dev: bool) -> None:
    """The command-line gate: refuse weak secrets (ClickException), or print each insecure-dev warning."""
    from noblindspot.secrets_file import InsecureSecret, check_secrets

    try:
        for warning in check_secrets(settings, insecure_dev=insecure_dev or settings.insecure_dev):
            click.echo(f"WARNING: {warning}", err=True)
    except InsecureSecret as exc:
        raise click.ClickException(str(exc)) from None
