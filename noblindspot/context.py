"""What a CLI invocation carries: settings, and an engine made on first use."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click
from pydantic import ValidationError

from settings import Settings, describe_invalid

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker


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
        # imported here: `noblindspot --help` and commands without a database start without SQLAlchemy
        from db.engine import DatabaseURLError, make_engine
        from db.migrate import SchemaOutOfDate, ensure_current

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
        from db.engine import make_session_factory

        return make_session_factory(self.engine())

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

