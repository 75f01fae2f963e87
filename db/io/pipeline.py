"""One import, end to end: read, validate, write atomically, report.

Used by the CLI and (later) the dashboard. Any invalid row means nothing is written unless
``skip_invalid``; the report (CSV: line, column, value, reason) is written whenever a row is rejected.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.io import checks
from db.io.boundaries import BoundaryOptions, find_field, prepare_boundaries, read_boundaries
from db.io.columns import CAMERAS, DUTY_UNITS, OWNERS, POSTS
from db.io.consent_log import consent_changes, record_consent_changes
from db.io.readers import RegistryFileError, read_table
from db.io.validation import REPORT_COLUMNS, Region, ValidationContext, ValidationResult, validate
from db.io.writers import (
    WriteSummary,
    assign_districts,
    replace_layer,
    upsert_cameras,
    upsert_districts,
    upsert_duty_units,
    upsert_owners,
    upsert_posts,
)
from db.models import Camera, Owner, Post
from db.repositories import districts_frame

RECORD_KINDS = (CAMERAS, OWNERS, POSTS, DUTY_UNITS)
REGION_TOLERANCE_DEG = 0.001  # about 110 m, so a camera on the boundary line is not rejected
Progress = Callable[[int, int], None]


@dataclass
class ImportOptions:
    region_bbox: tuple[float, float, float, float]
    region_name: str = "the region"
    timezone: str = "Asia/Jakarta"
    allow_outside: bool = False
    skip_invalid: bool = False
    report_path: Path | None = None
    layer: str | None = None
    actor: str = "import"         # who imports: named in the consent changes the import records


@dataclass
class ImportOutcome:
    kind: str
    source: Path
    total: int
    written: bool
    summary: WriteSummary = field(default_factory=WriteSummary)
    owners: WriteSummary | None = None
    rejected: int = 0
    problems: int = 0
    report_path: Path | None = None
    districts_assigned: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    errors: pd.DataFrame | None = None
    consent_changes: int = 0


def default_report_path(source: Path) -> Path:
    return source.with_name(source.stem + ".report.csv")


def region_for(session: Session, options: ImportOptions) -> Region | None:
    """The imported districts' union when there are any, else the configured box; None to allow anywhere."""
    if options.allow_outside:
        return None
    districts = districts_frame(session)
    if len(districts):
        outline = shapely.union_all(districts.geometry.values).buffer(REGION_TOLERANCE_DEG)
        return Region(outline, f"{options.region_name} (the imported district boundaries)")
    return Region.from_bbox(options.region_bbox, options.region_name)


def import_records(session_factory: sessionmaker[Session], kind: str, path: Path, options: ImportOptions,
                   progress: Progress | None = None) -> ImportOutcome:
    raw = read_table(path, kind, options.layer)
    with session_factory() as session:
        context = ValidationContext(region=region_for(session, options), timezone=options.timezone,
                                    known_owner_codes=set(session.execute(select(Owner.code)).scalars()),
                                    known_post_codes=set(session.execute(select(Post.code)).scalars()),
                                    known_camera_codes=set(session.execute(select(Camera.code)).scalars()))
    result = validate(raw, kind, context)
    outcome = ImportOutcome(kind=kind, source=path, total=result.total, written=False, rejected=result.rejected,
                            problems=len(result.errors), ignored_columns=raw.ignored_columns,
                            errors=result.errors)
    if not result.ok:
        outcome.report_path = write_report(result.errors, options.report_path or default_report_path(path))
        if not options.skip_invalid:
            return outcome
    with session_factory.begin() as session:
        _write(session, kind, result, outcome, progress, options.actor)
    outcome.written = True
    return outcome


def _write(session: Session, kind: str, result: ValidationResult, outcome: ImportOutcome,
           progress: Progress | None, actor: str) -> None:
    frame = result.frame
    if kind == CAMERAS:
        if result.owners is not None and len(result.owners):
            outcome.owners = upsert_owners(session, result.owners)
        changes = consent_changes(session, frame)
        outcome.summary = upsert_cameras(session, frame, progress=progress, with_districts=True)
        record_consent_changes(session, actor, changes)
        outcome.consent_changes = len(changes)
    elif kind == OWNERS:
        outcome.summary = upsert_owners(session, frame)
    elif kind == POSTS:
        outcome.summary = upsert_posts(session, frame, with_districts=True)
    elif kind == DUTY_UNITS:
        outcome.summary = upsert_duty_units(session, frame)
    # Cameras and posts get their district as they are written (writers._with_districts).


def report_csv(errors: pd.DataFrame) -> str:
    """The problems as CSV text: every cell neutralised against spreadsheet formulas (the offending value
    included: it comes from the rejected file), CRLF rows so a cell with a line break stays one cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for row in errors[REPORT_COLUMNS].itertuples(index=False):
        writer.writerow([row.line, *(checks.neutralise(v) for v in (row.column, row.value, row.reason))])
    return buffer.getvalue()


def write_report(errors: pd.DataFrame, path: Path) -> Path:
    """The problems as a CSV file (report_csv); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        handle.write(report_csv(errors))
    return path




@dataclass
class BoundaryOutcome:
    source: Path
    level: str
    total: int
    written: bool
    summary: WriteSummary = field(default_factory=WriteSummary)
    rejected: int = 0
    report_path: Path | None = None
    districts_assigned: int = 0
    unlinked: int = 0
    fields: dict = field(default_factory=dict)


def import_boundaries(session_factory: sessionmaker[Session], path: Path, options: BoundaryOptions,
                      skip_invalid: bool = False, report_path: Path | None = None) -> BoundaryOutcome:
    gdf = read_boundaries(path, options.layer)
    with session_factory() as session:
        kecamatan = districts_frame(session, "kecamatan")[["code", "name"]]
    prepared = prepare_boundaries(gdf, options, f"imported from {Path(path).name}", kecamatan)
    rejected = int(prepared.errors["line"].nunique()) if len(prepared.errors) else 0
    outcome = BoundaryOutcome(source=path, level=options.level, total=prepared.total, written=False,
                              rejected=rejected, unlinked=prepared.unlinked, fields=prepared.fields)
    if rejected:
        outcome.report_path = write_report(prepared.errors, report_path or default_report_path(path))
        if not skip_invalid:
            return outcome
    with session_factory.begin() as session:
        outcome.summary = upsert_districts(session, prepared.districts)
        outcome.districts_assigned = assign_districts(session)
    outcome.written = True
    return outcome


def import_layer(session_factory: sessionmaker[Session], path: Path, layer: str, name_field: str | None = None,
                 weight_field: str | None = None) -> WriteSummary:
    """Replace a named auxiliary layer (priority areas, buildings) with the features of a file."""
    gdf = read_boundaries(path)
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    name_col = find_field(columns, name_field, ["name", "nama"], "name")
    weight_col = find_field(columns, weight_field, ["weight", "bobot", "priority", "prioritas"], "weight")
    geoms = gdf.geometry.values
    empty = np.array([g is None or g.is_empty for g in geoms], dtype=bool)
    if empty.any():
        first = int(np.flatnonzero(empty)[0]) + 1
        raise RegistryFileError(f"{path}: feature {first} has no geometry; remove it or fix the file")
    weights = pd.Series(1.0, index=gdf.index)
    if weight_col:
        weights, reasons = checks.number(gdf[weight_col], 0, None)
        if reasons.notna().any():
            first = int(np.flatnonzero(reasons.notna().to_numpy())[0]) + 1
            raise RegistryFileError(f"{path}: feature {first}: weight '{gdf[weight_col].iloc[first - 1]}' "
                                    f"{reasons.dropna().iloc[0]}")
        weights = weights.fillna(1.0)
    names = gdf[name_col].map(lambda v: None if v is None or pd.isna(v) else str(v)[:200]) if name_col else None
    frame = gpd.GeoDataFrame({"name": names, "weight": weights.astype(float).to_numpy()},
                             geometry=shapely.make_valid(np.asarray(geoms)), crs="EPSG:4326")
    with session_factory.begin() as session:
        return replace_layer(session, layer, frame)
