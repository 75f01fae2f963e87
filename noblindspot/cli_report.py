"""`noblindspot report ...`: reports computed from the ledger."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import click

from noblindspot.cli_users import cli_actor


@click.group("report")
def report_group() -> None:
    """Reports computed from the ledger (monthly transparency)."""


@report_group.command("transparency")
@click.option("--month", required=True, help="Calendar month in the programme's time zone, e.g. 2026-11.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Write the report here: .html, or .pdf (printed by Chromium, which must be installed).")
@click.pass_obj
def transparency_command(app, month: str, lang: str, out: Path) -> None:
    """Live views, cameras viewed and footage requests per Polsek and purpose for one month, small
    numbers suppressed, sealed with the audit chain's digest."""
    from db.transparency import ReportError, make_report
    from db.transparency_report import render_html

    if out.suffix.lower() not in (".html", ".pdf"):
        raise click.UsageError("--out must end in .html or .pdf")
    try:
        with app.session_factory().begin() as session:
            data = make_report(session, cli_actor(), month, app.settings.timezone, lang)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    page = render_html(data, lang)
    if out.suffix.lower() == ".html":
        out.write_text(page, encoding="utf-8")
    else:
        _print_pdf(page, out)
    click.echo(f"transparency report for {month} ({lang}) written to {out}")


def _print_pdf(page: str, out: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise click.ClickException("printing a PDF needs Chromium (apt-get install chromium); or write .html")
    with tempfile.TemporaryDirectory(prefix="nbs-report-") as tmp:
        source = Path(tmp) / "report.html"
        source.write_text(page, encoding="utf-8")
        done = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                               f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out.resolve()}",
                               source.as_uri()], capture_output=True, timeout=120, check=False)
    if done.returncode != 0 or not out.exists():
        raise click.ClickException("Chromium could not print the PDF; write .html and print it from a browser")


COMMANDS: list = [report_group]
