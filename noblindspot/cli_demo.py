"""`noblindspot demo`: generate the deterministic demo West Jakarta and load it in one transaction."""
from __future__ import annotations

from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from db.io.demo_loader import RegistrySummary, camera_count, load_demo, registry_summary
from geo.demo import DEFAULT_CAMERAS, DEFAULT_SEED, GEOGRAPHIES, PlacementError, generate_demo
from geo.demo.facts import BOUNDARY_ATTRIBUTION
from geo.demo.geography import GeographyError


@click.command("demo")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, type=click.IntRange(min=0),
              help="Random seed: the same seed always gives the same demo.")
@click.option("--cameras", "cameras", default=DEFAULT_CAMERAS, show_default=True,
              type=click.IntRange(min=1), help="How many cameras to register (at least 120).")
@click.option("--if-empty", "if_empty", is_flag=True,
              help="Do nothing when the registry already holds cameras.")
@click.option("--stream-host", default="127.0.0.1", show_default=True,
              help="Host of the camera simulator that serves the connected cameras' RTSP paths.")
@click.option("--stream-port", default=8554, show_default=True, type=click.IntRange(1, 65535),
              help="Port of that simulator.")
@click.option("--geography", type=click.Choice(GEOGRAPHIES), default="real", show_default=True,
              help="real: West Jakarta's BPS kecamatan and kelurahan and the published Polres/Polsek points; "
                   "synthetic: Voronoi districts around the kecamatan centres (for scale tests).")
@click.pass_obj
def demo(app, seed: int, cameras: int, if_empty: bool, stream_host: str, stream_port: int, geography: str) -> None:
    """Load the demo registry: West Jakarta's districts, cameras, owners, posts, units on duty, priority layer.

    Everything is upserted by code in one transaction. The districts are the real BPS boundaries
    (attribution "BPS / OCHA, via HDX"), or synthetic ones with --geography synthetic; boundaries
    imported before are kept. The connected cameras' stream URLs point at --stream-host/--stream-port,
    where `noblindspot simulate --from-db` serves them.
    """
    console = Console()
    with app.session_factory().begin() as session:
        existing = camera_count(session)
        if if_empty and existing:
            console.print(f"The registry already holds {existing:,} cameras; the demo was not loaded.")
            return
        with _progress(console) as progress:
            task = progress.add_task("generating the demo", total=None)
            try:
                data = generate_demo(seed=seed, cameras=cameras, stream_host=stream_host,
                                     stream_port=stream_port, geography=geography)
            except PlacementError as exc:
                raise click.UsageError(str(exc)) from None
            except GeographyError as exc:
                raise click.ClickException(str(exc)) from None
            progress.update(task, total=1, completed=1)
            loaded = load_demo(session, data, progress=_stage_reporter(progress))
        summary = registry_summary(session)
    _print_summary(console, summary, seed, loaded.kept_real_districts, synthetic=geography == "synthetic")


@contextmanager
def _progress(console: Console):
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        yield progress


def _stage_reporter(progress: Progress):
    tasks: dict[str, int] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(f"writing {stage}", total=total)
        progress.update(tasks[stage], completed=done, total=total)
    return report


def _print_summary(console: Console, summary: RegistrySummary, seed: int, kept_real_districts: int, *,
                   synthetic: bool) -> None:
    console.print(f"Demo loaded (seed {seed}): {summary.cameras:,} cameras in the registry.")
    if kept_real_districts:
        console.print(f"Kept the {kept_real_districts} imported districts; the demo's cameras and posts were "
                      "assigned to them.")
    elif synthetic:
        console.print("District boundaries are synthetic (labelled 'synthetic demo'); "
                      "import real ones with `noblindspot import boundaries`.")
    else:
        console.print("Districts: the 8 kecamatan and 56 kelurahan of West Jakarta (BPS 2020).")
        console.print(f"Boundaries: {BOUNDARY_ATTRIBUTION} (CC BY-IGO 3.0).")
    owners = Table("owner class", "cameras", title="Cameras per owner class")
    for owner_class, count in sorted(summary.cameras_per_owner_class.items(), key=lambda kv: -kv[1]):
        owners.add_row(owner_class, f"{count:,}")
    console.print(owners)
    connected = Table("kecamatan", "connected", title="Connected cameras per kecamatan")
    for name, count in summary.connected_per_kecamatan.items():
        connected.add_row(name, str(count))
    connected.add_row("total", str(sum(summary.connected_per_kecamatan.values())))
    console.print(connected)
    posts = Table("post kind", "posts", "personnel", title="Posts")
    for kind in ("polres", "polsek", "security_post"):
        posts.add_row(kind, str(summary.posts_per_kind.get(kind, 0)),
                      f"{summary.personnel_per_kind.get(kind, 0):,}")
    console.print(posts)
    console.print(f"Units on duty now: {summary.duty_units} ({summary.on_duty:,} personnel).")
    if summary.unassigned_cameras:
        console.print(f"{summary.unassigned_cameras:,} cameras lie outside every district.")


COMMANDS = [demo]
