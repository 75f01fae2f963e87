"""Registry upload: a file from the browser goes through db.io.pipeline (read, validate, write atomically).

The upload is written to a private temporary directory under its own name (the extension picks the
reader: .csv, .geojson, .gpkg, .zip for a zipped Shapefile), imported, and the rejected-rows report is
read back for the page. A file with any invalid row writes nothing unless the operator chose to skip
invalid rows. The report shows stream URLs redacted (db/io does that).
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth
from dashboard.i18n import _
from db.io.boundaries import BoundaryOptions
from db.io.columns import CAMERAS, DUTY_UNITS, OWNERS, POSTS, ColumnError
from db.io.pipeline import ImportOptions, import_boundaries, import_records
from db.io.readers import RegistryFileError
from db.io.writers import UnknownReference

UPLOAD_TYPES = ["csv", "txt", "geojson", "json", "gpkg", "zip"]
BOUNDARY_KINDS = ("kecamatan", "kelurahan")
RECORD_KINDS = (CAMERAS, OWNERS, POSTS, DUTY_UNITS)
IMPORT_ERRORS = (RegistryFileError, ColumnError, UnknownReference)


@dataclass
class UploadResult:
    """What the page shows after an import: written or not, counts, and the report rows."""

    file_name: str
    written: bool
    total: int
    rejected: int
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    report: pd.DataFrame | None = None
    report_csv: str | None = None      # the report file as db/io wrote it (neutralised, CRLF), for download


def kind_labels() -> dict[str, str]:
    return {CAMERAS: _("Cameras"), OWNERS: _("Owners"), POSTS: _("Police posts"), DUTY_UNITS: _("Duty units"),
            "kecamatan": _("Kecamatan boundaries"), "kelurahan": _("Kelurahan boundaries")}


def safe_name(file_name: str) -> str:
    """The uploaded file's base name only (no directories), so it cannot escape the temp directory."""
    name = Path(file_name.replace("\\", "/")).name.strip() or "upload.csv"
    return name if not name.startswith(".") else "upload" + name


def _report(path: Path | None) -> pd.DataFrame | None:
    if path is None or not Path(path).exists():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _report_text(path: Path | None) -> str | None:
    if path is None or not Path(path).exists():
        return None
    return Path(path).read_text(encoding="utf-8-sig")


def import_upload(session_factory, settings, kind: str, file_name: str, data: bytes, skip_invalid: bool,
                  progress=None) -> UploadResult:
    """Import one uploaded file of ``kind``; raises one of IMPORT_ERRORS when the file cannot be read."""
    with tempfile.TemporaryDirectory(prefix="nbs-upload-") as tmp:
        path = Path(tmp) / safe_name(file_name)
        path.write_bytes(data)
        report_path = Path(tmp) / "report.csv"
        if kind in BOUNDARY_KINDS:
            outcome = import_boundaries(session_factory, path, BoundaryOptions(level=kind),
                                        skip_invalid=skip_invalid, report_path=report_path)
            total, rejected = outcome.total, outcome.rejected
        else:
            options = ImportOptions(region_bbox=settings.region_bbox, region_name=settings.region_name,
                                    timezone=settings.timezone, skip_invalid=skip_invalid, report_path=report_path,
                                    actor=auth.current_username() or "dashboard")
            outcome = import_records(session_factory, kind, path, options, progress=progress)
            total, rejected = outcome.total, outcome.rejected
        summary = outcome.summary
        return UploadResult(file_name=path.name, written=outcome.written, total=total, rejected=rejected,
                            added=summary.added, updated=summary.updated, unchanged=summary.unchanged,
                            report=_report(outcome.report_path), report_csv=_report_text(outcome.report_path))


def progress_callback(bar):
    """A writer progress callback (done, total) that moves a Streamlit progress bar from 20 % to 100 %."""
    def update(done: int, total: int) -> None:
        share = done / total if total else 1.0
        bar.progress(int(20 + 80 * share), text=_("Writing {done} of {total} rows…", done=done, total=total))
    return update


def report_labels() -> dict[str, str]:
    return {"line": _("Line"), "column": _("Column"), "value": _("Value"), "reason": _("Reason")}


def render_result(result: UploadResult) -> None:
    if result.written:
        st.success(_("{file}: {added} added, {updated} updated, {unchanged} unchanged.", file=result.file_name,
                     added=result.added, updated=result.updated, unchanged=result.unchanged))
        if result.rejected:
            st.warning(_("{rejected} of {total} rows were invalid and skipped; see the report below.",
                         rejected=result.rejected, total=result.total))
    else:
        st.error(_("{file}: {rejected} of {total} rows are invalid, so nothing was written. Fix the rows "
                   "listed below and upload the file again, or choose to skip invalid rows.",
                   file=result.file_name, rejected=result.rejected, total=result.total))
    if result.report is not None and len(result.report):
        st.dataframe(result.report.rename(columns=report_labels()), hide_index=True, width="stretch")
        st.download_button(_("Download the report (CSV)"), (result.report_csv or "").encode("utf-8-sig"),
                           file_name=Path(result.file_name).stem + ".report.csv", mime="text/csv",
                           key="registry_report_csv")
