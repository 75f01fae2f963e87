"""`noblindspot coverage`, `noblindspot who-sees` and `noblindspot plan connect|reaim`.

Loading from the database and caching by data version live in db.coverage_cache; this module only
reads options, calls it and prints (rich tables, JSON, CSV).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from db.coverage_cache import (
    blind_spots,
    camera_index,
    connect_plan,
    coverage_table,
    default_cache,
    reaim_plan,
)
from geo.coverage import CoverageInputError
from geo.fov import FieldOfViewError
from geo.planners.connect_next import PlanError
from geo.visibility import VisibilityQueryError, cameras_seeing_point, cameras_within

GEO_ERRORS = (CoverageInputError, FieldOfViewError, PlanError, VisibilityQueryError)
csv_option = click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
                          help="Also write the rows to this CSV file.")


def _session(app):
    return app.session_factory().begin()


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _print_frame(frame: pd.DataFrame, columns: list[str], title: str) -> None:
    table = Table(*columns, title=title)
    for row in frame[columns].itertuples(index=False):
        table.add_row(*(_fmt(v.item() if hasattr(v, "item") else v) for v in row))
    Console(width=200).print(table)


def _write_csv(frame: pd.DataFrame, path: Path | None) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror}; choose a writable path") from None
    click.echo(f"wrote {len(frame)} rows to {path}")


def _json_safe(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


COVERAGE_COLUMNS = ["code", "name", "area_km2", "registered_coverage_pct", "live_coverage_pct",
                    "priority_registered_pct", "priority_live_pct", "cameras", "connected", "cameras_per_km2",
                    "cameras_per_1000_residents"]


@click.command("coverage")
@click.option("--level", type=click.Choice(["kecamatan", "kelurahan"]), default="kecamatan", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--blind-spots", "blind_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the registered blind-spot layer (100 m blocks) to this GeoJSON file.")
@click.pass_obj
def coverage(app, level: str, as_json: bool, blind_path: Path | None) -> None:
    """Share of each district seen by at least one camera: registered and live (5 m cells)."""
    cache = default_cache(app.settings)
    try:
        with _session(app) as session:
            table, region = coverage_table(session, cache, level)
            layer = blind_spots(session, cache, level) if blind_path else None
    except GEO_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        rows = [{k: _json_safe(v) for k, v in row.items()} for row in table.to_dict("records")]
        click.echo(json.dumps({"level": level, "districts": rows,
                               "region": {k: _json_safe(v) for k, v in region.items()}}, indent=1))
    else:
        region_row = pd.DataFrame([{**region, "name": "total"}])
        _print_frame(pd.concat([table, region_row], ignore_index=True), COVERAGE_COLUMNS,
                     f"Coverage per {level} (% of area seen; 5 m cells)")
    if layer is not None:
        layer.to_file(blind_path, driver="GeoJSON")
        click.echo(f"wrote {len(layer)} blind-spot blocks to {blind_path}", err=as_json)


WHO_COLUMNS = ["code", "distance_m", "connection", "consent", "owner_name", "owner_phone", "dvr_retention_days"]


@click.command("who-sees", context_settings={"ignore_unknown_options": True})
@click.argument("lon", type=float)
@click.argument("lat", type=float)
@click.option("--radius", type=float, default=None, help="Also list every camera within this many metres.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def who_sees(app, lon: float, lat: float, radius: float | None, as_json: bool) -> None:
    """Cameras whose view cone holds the point LON LAT, nearest first."""
    cache = default_cache(app.settings)
    try:
        with _session(app) as session:
            index = camera_index(session, cache)
        seeing = cameras_seeing_point(index, lon, lat)
        near = cameras_within(index, lon, lat, radius) if radius is not None else None
    except GEO_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        def pick(f):
            return [{k: _json_safe(v) for k, v in r.items() if k != "geometry"}
                                  for r in f[[c for c in WHO_COLUMNS if c in f]].to_dict("records")]
        click.echo(json.dumps({"sees": pick(seeing), "within": pick(near) if near is not None else None},
                              default=str, indent=1))
        return
    cols = [c for c in WHO_COLUMNS if c in seeing]
    _print_frame(seeing, cols, f"{len(seeing)} cameras see ({lon}, {lat})")
    if near is not None:
        _print_frame(near, [c for c in WHO_COLUMNS if c in near], f"{len(near)} cameras within {radius:g} m")


@click.group("plan")
def plan() -> None:
    """Planners: which cameras to connect next, which to re-aim."""


@plan.command("connect")
@click.option("--budget", type=click.IntRange(min=1), required=True, help="How many cameras to connect.")
@click.option("--per-district", type=click.IntRange(min=1), default=None,
              help="At most this many new connections per kecamatan.")
@click.option("--objective", type=click.Choice(["area", "priority"]), default="area", show_default=True)
@csv_option
@click.pass_obj
def plan_connect(app, budget: int, per_district: int | None, objective: str, csv_path: Path | None) -> None:
    """Cameras with live consent to connect next, largest gain in live coverage first (greedy)."""
    try:
        with _session(app) as session:
            result = connect_plan(session, default_cache(app.settings), budget, per_district, objective)
    except GEO_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    cols = [c for c in ("rank", "code", "district", "gain_m2", "cumulative_gain_m2", "owner_name") if c in result.picks]
    _print_frame(result.picks, cols,
                 f"Connect next: {len(result.picks)} of {result.candidates} cameras with live consent")
    click.echo(f"live coverage now {result.baseline_m2:,.0f} m2; the plan adds {result.greedy_gain_m2:,.0f} m2; "
               f"no plan of {budget} can add more than {result.upper_bound_gain_m2:,.0f} m2 "
               f"(at most {result.optimality_gap_pct:.1f}% below the best)")
    _write_csv(result.picks, csv_path)


@plan.command("reaim")
@click.option("--district", "districts", multiple=True, help="Kecamatan or kelurahan code (repeatable).")
@click.option("--step", "step_deg", type=click.FloatRange(1, 180), default=15.0, show_default=True,
              help="Candidate bearings every this many degrees.")
@csv_option
@click.pass_obj
def plan_reaim_command(app, districts: tuple[str, ...], step_deg: float, csv_path: Path | None) -> None:
    """New bearings for adjustable fixed cameras that add coverage and uncover nothing."""
    try:
        with _session(app) as session:
            result = reaim_plan(session, default_cache(app.settings), list(districts) or None, step_deg)
    except GEO_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    for text in result.moves["text"].head(50):
        click.echo(text)
    if len(result.moves) > 50:
        click.echo(f"... and {len(result.moves) - 50} more (see --csv)")
    both = result.before[["code", "name", "registered_coverage_pct"]].rename(
        columns={"registered_coverage_pct": "before_pct"})
    both["after_pct"] = result.after["registered_coverage_pct"].to_numpy()
    _print_frame(both, ["code", "name", "before_pct", "after_pct"],
                 f"Re-aim: {len(result.moves)} cameras, +{result.total_gain_m2:,.0f} m2 covered")
    _write_csv(result.moves, csv_path)


COMMANDS = [coverage, who_sees, plan]
