"""`noblindspot import ...` and `noblindspot export ...`: the camera registry in and out of files."""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from db import audit
from db.io.boundaries import BoundaryOptions
from db.io.columns import CAMERAS, DUTY_UNITS, OWNERS, POSTS, ColumnError
from db.io.export import ExportFormatError, export_cameras
from db.io.pipeline import ImportOptions, ImportOutcome, import_boundaries, import_layer, import_records
from db.io.readers import RegistryFileError
from db.io.writers import UnknownReference, WriteSummary
from noblindspot.cli_users import cli_actor

VALIDATION_FAILED = 2
SHOWN_PROBLEMS = 5
FILE_ERRORS = (RegistryFileError, ColumnError, UnknownReference, ExportFormatError, OSError)
file_argument = click.argument("file", type=click.Path(dir_okay=False, path_type=Path))


@click.group("import")
def import_group() -> None:
    """Import cameras, owners, posts, duty units, district boundaries or a map layer from a file.

    CSV (UTF-8 or Windows encodings, `,` or `;`), GeoJSON, GeoPackage, zipped Shapefile or any file
    OGR reads. An import is all or nothing unless --skip-invalid; see docs/import-format.md.
    """


def _audit_import(app, file: Path, detail: dict) -> None:
    """A command-line import is audited like the dashboard's, as ``cli:<system user>``."""
    with app.session_factory().begin() as session:
        audit.record_registry_change(session, cli_actor(), "import", file.name, detail)


def _written(summary: WriteSummary) -> dict[str, int]:
    return {"added": summary.added, "updated": summary.updated, "unchanged": summary.unchanged}


def _record_options(command):
    for option in reversed([
        click.option("--skip-invalid", is_flag=True, help="Write the valid rows; report and skip the rest."),
        click.option("--allow-outside", is_flag=True, help="Accept points outside the configured region."),
        click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Where to write the problem report (default: FILE.report.csv next to FILE)."),
        click.option("--layer", help="Layer to read from a multi-layer file (GeoPackage)."),
    ]):
        command = option(command)
    return command


def _make_record_command(kind: str, summary: str):
    @click.command(kind, help=summary)
    @file_argument
    @_record_options
    @click.pass_obj
    def command(app, file: Path, skip_invalid: bool, allow_outside: bool, report_path: Path | None,
                layer: str | None) -> None:
        options = ImportOptions(region_bbox=app.settings.region_bbox, region_name=app.settings.region_name,
                                timezone=app.settings.timezone, allow_outside=allow_outside,
                                skip_invalid=skip_invalid, report_path=report_path, layer=layer,
                                actor=cli_actor())
        with _file_errors(), _progress(f"importing {file.name}") as progress:
            outcome = import_records(app.session_factory(), kind, file, options, progress=progress)
        _print_outcome(outcome)
        if not outcome.written:
            raise click.exceptions.Exit(VALIDATION_FAILED)
        _audit_import(app, file, {"kind": kind, **_written(outcome.summary), "rejected": outcome.rejected})
    return command


@import_group.command("boundaries")
@file_argument
@click.option("--level", required=True, type=click.Choice(["kecamatan", "kelurahan"]), help="District level.")
@click.option("--name-field", help="Field with the district name (detected when omitted).")
@click.option("--code-field", help="Field with the district code (detected when omitted).")
@click.option("--parent-field", help="kelurahan only: field naming the kecamatan (its code or name).")
@click.option("--population-field", help="Field with the population (detected when omitted).")
@click.option("--layer", help="Layer to read from a multi-layer file.")
@click.option("--skip-invalid", is_flag=True, help="Write the valid features; report and skip the rest.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def boundaries(app, file: Path, level: str, name_field, code_field, parent_field, population_field, layer,
               skip_invalid: bool, report_path: Path | None) -> None:
    """Import district polygons, then re-assign every camera and post to its district."""
    options = BoundaryOptions(level=level, name_field=name_field, code_field=code_field,
                              parent_field=parent_field, population_field=population_field, layer=layer)
    with _file_errors():
        outcome = import_boundaries(app.session_factory(), file, options, skip_invalid, report_path)
    fields = ", ".join(f"{k}={v}" for k, v in outcome.fields.items() if v)
    click.echo(f"{file.name}: {outcome.total} {level} features (fields: {fields})")
    if outcome.rejected:
        click.echo(f"  rejected {outcome.rejected}; report: {outcome.report_path}")
    if not outcome.written:
        click.echo("Nothing was written. Fix the features listed in the report and run the import again, "
                   "or add --skip-invalid to import the valid ones.", err=True)
        raise click.exceptions.Exit(VALIDATION_FAILED)
    click.echo("  " + _counts(outcome.summary))
    _audit_import(app, file, {"kind": f"boundaries:{level}", **_written(outcome.summary),
                              "rejected": outcome.rejected})
    if outcome.unlinked:
        click.echo(f"  {outcome.unlinked} kelurahan have no matching kecamatan (import the kecamatan first, "
                   "or name the field with --parent-field)")
    click.echo(f"  cameras and posts re-assigned: {outcome.districts_assigned}")


@import_group.command("layer")
@file_argument
@click.option("--name", "layer_name", required=True, help="Layer name, e.g. priority or buildings.")
@click.option("--name-field", help="Field with each feature's name.")
@click.option("--weight-field", help="Field with each feature's weight (default 1).")
@click.pass_obj
def layer(app, file: Path, layer_name: str, name_field: str | None, weight_field: str | None) -> None:
    """Replace a named map layer (priority areas, buildings) with the features of FILE."""
    with _file_errors():
        summary = import_layer(app.session_factory(), file, layer_name, name_field, weight_field)
    click.echo(f"{file.name}: layer '{layer_name}': {_counts(summary)}")
    _audit_import(app, file, {"kind": f"layer:{layer_name}", **_written(summary)})


for _kind, _help in ((CAMERAS, "Import or update cameras (and the owners they name), by code."),
                     (OWNERS, "Import or update camera owners, by code."),
                     (POSTS, "Import or update police posts, by code."),
                     (DUTY_UNITS, "Import or update duty units, by callsign.")):
    import_group.add_command(_make_record_command(_kind, _help))


@click.group("export")
def export_group() -> None:
    """Export the registry to a file."""


@export_group.command("cameras")
@file_argument
@click.pass_obj
def export_cameras_command(app, file: Path) -> None:
    """Write every camera to FILE (.csv, .geojson or .gpkg); stream URLs are never written."""
    with _file_errors(), app.session_factory()() as session:
        count = export_cameras(session, file)
    click.echo(f"exported {count} cameras to {file}")


# --- output -------------------------------------------------------------------------------------------------

@contextmanager
def _file_errors():
    try:
        yield
    except FILE_ERRORS as exc:
        raise click.ClickException(str(exc)) from None


@contextmanager
def _progress(description: str):
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
        yield report


def _counts(summary: WriteSummary) -> str:
    return f"added {summary.added}, updated {summary.updated}, unchanged {summary.unchanged}"


def _printable(text: object) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", "?", str(text))[:160]


def _print_outcome(outcome: ImportOutcome) -> None:
    name = outcome.source.name
    if not outcome.written:
        click.echo(f"{name}: {outcome.rejected} of {outcome.total} rows are invalid; nothing was written.", err=True)
        for row in outcome.errors.head(SHOWN_PROBLEMS).itertuples(index=False):
            click.echo(f"  line {row.line}, {_printable(row.column)} = '{_printable(row.value)}': "
                       f"{_printable(row.reason)}", err=True)
        click.echo(f"Report ({outcome.problems} problems): {outcome.report_path}", err=True)
        click.echo("Fix those rows and run the import again, or add --skip-invalid to import the "
                   f"{outcome.total - outcome.rejected} valid rows.", err=True)
        return
    click.echo(f"{name}: {outcome.total} rows: {_counts(outcome.summary)}, rejected {outcome.rejected}")
    if outcome.owners is not None:
        click.echo(f"  owners: {_counts(outcome.owners)}")
    if outcome.rejected:
        click.echo(f"  rejected rows are listed in {outcome.report_path}")
    if outcome.ignored_columns:
        click.echo(f"  ignored columns: {_printable(', '.join(outcome.ignored_columns))}")


COMMANDS = [import_group, export_group]
