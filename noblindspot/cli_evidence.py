"""`noblindspot evidence ...`: upload links for camera owners, case bundles, and checking a bundle."""
from __future__ import annotations

from pathlib import Path

import click

from noblindspot.cli_users import cli_actor

NOT_VERIFIED = 1
NOT_A_BUNDLE = 2


@click.group("evidence")
def evidence_group() -> None:
    """Footage handed over by camera owners: upload links, case bundles and checking them."""


def _store(app):
    from db.evidence_store import EvidenceStore

    return EvidenceStore(app.settings.resolved_evidence_dir(), app.settings.max_upload_bytes)


def _actor():
    # whoever runs the command on the server acts as an administrator, named cli:<system user>
    from db.permissions import Actor
    from geo.vocabulary import Role

    return Actor(cli_actor(), Role.ADMIN)


@evidence_group.command("link")
@click.argument("request_id", type=int)
@click.option("--hours", type=click.IntRange(1, 24 * 14), help="How long the link stays open (default: the "
                                                                 "upload_link_hours setting).")
@click.pass_obj
def link_command(app, request_id: int, hours: int | None) -> None:
    """Make an upload link for the owner asked in footage request REQUEST_ID (earlier links close)."""
    from db.evidence import EvidenceError, create_upload_link
    from db.footage import FootageNotFound

    try:
        with app.session_factory().begin() as session:
            link, token = create_upload_link(session, _actor(), request_id, hours or app.settings.upload_link_hours)
            expires = link.expires_at
    except (EvidenceError, FootageNotFound) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"/intake/{token}")
    click.echo(f"Upload link for footage request {request_id}, open until {expires.isoformat()}. It is shown "
               "only this once (only its hash is kept): send it to the owner now; a new link replaces it.",
               err=True)


@evidence_group.command("bundle")
@click.argument("case")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Write the bundle here (.zip).")
@click.option("--purpose", required=True, help="Why the evidence leaves the system (e.g. case:INC-2026-0012, "
                                               "or the prosecutor's request); kept in the audit log.")
@click.pass_obj
def bundle_command(app, case: str, out: Path, purpose: str) -> None:
    """Write incident CASE's evidence, letters and audit extract to a zip with a verifiable manifest."""
    from db.case_bundle import build_case_bundle
    from db.evidence import EvidenceError
    from db.incidents import IncidentNotFound

    if out.suffix.lower() != ".zip":
        raise click.UsageError("--out must end in .zip")
    try:
        with app.session_factory().begin() as session:
            summary = build_case_bundle(session, _actor(), case, _store(app), out, purpose)
    except (EvidenceError, IncidentNotFound, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{summary.path}: case {summary.incident}, {summary.files} files, {summary.refused} refused "
               f"(listed only), {summary.members} other members; manifest SHA-256 {summary.manifest_sha256}")


@evidence_group.command("verify")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_command(bundle: Path) -> None:
    """Re-hash every member of BUNDLE against its manifest (exit 1 on any difference, 2 for no bundle)."""
    from db.case_bundle import NotABundle, verify_bundle

    try:
        verdict = verify_bundle(bundle)
    except NotABundle as exc:
        click.echo(str(exc), err=True)
        raise click.exceptions.Exit(NOT_A_BUNDLE) from None
    if verdict.ok:
        click.echo(f"{bundle.name}: case {verdict.incident}: all {verdict.checked} listed members match their "
                   "SHA-256 and nothing unlisted was added")
        return
    click.echo(f"{bundle.name}: case {verdict.incident}: the bundle does NOT match its manifest", err=True)
    for label, names in (("missing", verdict.missing), ("altered", verdict.altered),
                         ("unlisted", verdict.unlisted)):
        for name in names:
            click.echo(f"  {label}: {name}", err=True)
    raise click.exceptions.Exit(NOT_VERIFIED)


COMMANDS: list = [evidence_group]
