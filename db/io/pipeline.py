"""One import, end to end: read, validate, write atomically, report.

Used by the CLI and (later) the dashboard. Any invalid row means nothing is written unless
``skip_invalid``; the report (CSV: line, column, value, reason) is written whenever a row is rejected.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.io import checks
from db.io.columns import CAMERAS, DUTY_UNITS, OWNERS, POSTS
from db.io.readers import read_table
from db.io.validation import REPORT_COLUMNS, Region, ValidationContext, ValidationResult, validate
from db.io.writers import (WriteSummary, assign_districts, upsert_cameras, upsert_duty_units, upsert_owners,
                           upsert_posts)
from db.models import Owner, Post
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
                                    known_post_codes=set(session.execute(select(Post.code)).scalars()))
    result = validate(raw, kind, context)
    outcome = ImportOutcome(kind=kind, source=path, total=result.total, written=False, rejected=result.rejected,
                            problems=len(result.errors), ignored_columns=raw.ignored_columns)
    if not result.ok:
        outcome.report_path = write_report(result.errors, options.report_path or default_report_path(path))
        if not options.skip_invalid:
            return outcome
    with session_factory.begin() as session:
        _write(session, kind, result, outcome, progress)
    outcome.written = True
    return outcome


def _write(session: Session, kind: str, result: ValidationResult, outcome: ImportOutcome,
           progress: Progress | None) -> None:
    frame = result.frame
    if kind == CAMERAS:
        if result.owners is not None and len(result.owners):
            outcome.owners = upsert_owners(session, result.owners)
        outcome.summary = upsert_cameras(session, frame, progress=progress)
    elif kind == OWNERS:
        outcome.summary = upsert_owners(session, frame)
    elif kind == POSTS:
        outcome.summary = upsert_posts(session, frame)
    elif kind == DUTY_UNITS:
        outcome.summary = upsert_duty_units(session, frame)
    if kind in (CAMERAS, POSTS) and outcome.summary.changed:
        outcome.districts_assigned = assign_districts(session)


def write_report(errors: pd.DataFrame, path: Path) -> Path:
    """The problems as CSV (cells neutralised against spreadsheet formulas); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_COLUMNS)
        for row in errors[REPORT_COLUMNS].itertuples(index=False):
            writer.writerow([row.line, checks.neutralise(row.column), row.value, checks.neutralise(row.reason)])
    return path


