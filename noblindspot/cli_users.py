"""`noblindspot users ...`, `roster ...` and `audit ...`: accounts, duty rosters and the audit log.

Commands act as ``cli:<system user>`` in the audit log: whoever can run them has shell access to the
command centre's server, which is the admin's trust level.
"""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from db import audit, users

AUDIT_RETENTION_DAYS_DEFAULT = audit.DEFAULT_RETENTION_DAYS


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.UsageError("--password-stdin given but standard input is empty")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _run(app, action) -> None:
    """One unit of work; user errors become a clean message and nothing is written."""
    try:
        with app.session_factory().begin() as session:
            action(session)
    except (users.UserError, audit.AuditError) as exc:
        raise click.ClickException(str(exc)) from None


@click.group("users")
def users_group() -> None:
    """Manage local accounts (commander, operator, admin, briefing)."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", required=True, help="commander, operator, admin or briefing.")
@click.option("--display-name", default=None)
@click.option("--rank", default=None, help="Rank (pangkat) written before the name on letters, e.g. AKP.")
@click.option("--nrp", default=None, help="NRP (8 digits) written under the name on letters.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--no-password", is_flag=True, help="OIDC-only account (cannot sign in with a password).")
@click.pass_obj
def add(app, username: str, role: str, display_name: str | None, rank: str | None, nrp: str | None,
        password_stdin: bool, no_password: bool) -> None:
    """Create an account."""
    try:
        users.parse_role(role)
        name = users.normalise_username(username)
    except users.UserError as exc:
        raise click.UsageError(str(exc)) from None
    password = None if no_password else _read_password(password_stdin)
    _run(app, lambda s: users.add_user(s, cli_actor(), name, role, password, display_name, rank, nrp))
    click.echo(f"user {name} added with role {users.parse_role(role).value}")


@users_group.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@click.pass_obj
def passwd(app, username: str, password_stdin: bool) -> None:
    """Set a new password (also lifts a sign-in lock)."""
    password = _read_password(password_stdin)
    _run(app, lambda s: users.set_password(s, cli_actor(), username, password))
    click.echo(f"password changed for {username.strip().lower()}")


@users_group.command("disable")
@click.argument("username")
@click.pass_obj
def disable(app, username: str) -> None:
    """Stop an account from signing in; its open sessions end on their next page load."""
    _run(app, lambda s: users.set_disabled(s, cli_actor(), username, True))
    click.echo(f"user {username.strip().lower()} disabled")


@users_group.command("enable")
@click.argument("username")
@click.pass_obj
def enable(app, username: str) -> None:
    """Allow a disabled account to sign in again."""
    _run(app, lambda s: users.set_disabled(s, cli_actor(), username, False))
    click.echo(f"user {username.strip().lower()} enabled")


@users_group.command("role")
@click.argument("username")
@click.argument("role")
@click.pass_obj
def role(app, username: str, role: str) -> None:
    """Change an account's role."""
    _run(app, lambda s: users.set_role(s, cli_actor(), username, role))
    click.echo(f"user {username.strip().lower()} is now {users.parse_role(role).value}")


@users_group.command("list")
@click.pass_obj
def list_(app) -> None:
    """List accounts (never passwords)."""
    with app.session_factory()() as session:
        rows = users.list_users(session)
        if not rows:
            click.echo("no users yet: add one with `noblindspot users add NAME --role admin`")
        for u in rows:
            state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
            login = u.last_login_at.isoformat(timespec="seconds") if u.last_login_at else "never"
            kind = "password" if u.password_hash else "oidc-only"
            click.echo(f"{u.username:<32} {u.role.value:<10} {state:<8} {kind:<9} last sign-in {login}")


@click.group("roster")
def roster_group() -> None:
    """Duty roster and duty unit positions."""


@roster_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def roster_import(app, file: Path) -> None:
    """Import a duty roster CSV (unit, post, headcount, shift_start, shift_end): all rows or none."""
    from db import roster
    _import(app, lambda s: roster.import_roster_csv(s, cli_actor(), file.read_bytes(), source=file.name))


@roster_group.command("positions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def roster_positions(app, file: Path) -> None:
    """Import duty units' last known positions (unit, lon, lat, at): all rows or none."""
    from db import roster
    _import(app, lambda s: roster.import_positions_csv(s, cli_actor(), file.read_bytes(), source=file.name))


def _import(app, action) -> None:
    from db import roster
    try:
        with app.session_factory().begin() as session:
            report = action(session)
    except roster.RosterRejected as exc:
        click.echo(exc.report.as_text(), err=True)
        raise click.ClickException("nothing imported: fix the rows above and import the file again") from None
    click.echo(report.as_text())


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("purge")
@click.option("--retention-days", type=int, default=None,
              help=f"Keep this many days (default: the audit_retention_days setting, else "
                   f"{AUDIT_RETENTION_DAYS_DEFAULT}).")
@click.pass_obj
def purge(app, retention_days: int | None) -> None:
    """Delete audit events older than the retention period (the purge itself is recorded)."""
    days = retention_days or app.settings.audit_retention_days
    deleted = []
    _run(app, lambda s: deleted.append(audit.purge_older_than(s, cli_actor(), days)))
    click.echo(f"{deleted[0]} audit events older than {days} days deleted")


@audit_group.command("verify")
@click.pass_obj
def verify_command(app) -> None:
    """Check the audit log's hash chain; name the first event edited, deleted or inserted (exit 1)."""
    verdict = []
    _run(app, lambda s: verdict.append(audit.verify_chain(s)))
    result = verdict[0]
    if not result.ok:
        click.echo(f"audit chain broken: {result.message}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"audit chain intact: {result.events} events, last {result.last_id}, hash {result.last_hash}")


@audit_group.command("digest")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also append the digest as one JSON line to this file (keep it outside this server).")
@click.pass_obj
def digest_command(app, out: Path | None) -> None:
    """Print the chain's latest hash (run it daily; a later rewrite of the log no longer ends in it)."""
    import json

    found = []
    _run(app, lambda s: found.append(audit.digest(s)))
    d = found[0]
    line = json.dumps({"at": d.at.isoformat(), "events": d.events, "last_id": d.last_id, "last_hash": d.last_hash})
    click.echo(line)
    if out is not None:
        with out.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


COMMANDS: list = [users_group, roster_group, audit_group]
