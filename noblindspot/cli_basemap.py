"""`noblindspot basemap ...`: the offline street map under the cameras (db/io/basemap.py)."""
from __future__ import annotations

from pathlib import Path

import click


@click.group("basemap")
def basemap_group() -> None:
    """The offline street basemap: build it from an OpenStreetMap extract, or import a ready-made one."""


def _report(info) -> None:
    click.echo(f"{info.path}: zoom {info.min_zoom}-{info.max_zoom}, layers {', '.join(info.layers)}")
    click.echo("The map draws it on its next page load (© OpenStreetMap contributors).", err=True)


@basemap_group.command("build")
@click.argument("extract", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bbox", nargs=4, type=float, metavar="W S E N",
              help="Keep what lies in this box (lon/lat; default: the region_bbox setting).")
@click.option("--whole", is_flag=True, help="Keep the whole extract (no box).")
@click.pass_obj
def build_command(app, extract: Path, bbox: tuple[float, float, float, float] | None, whole: bool) -> None:
    """Turn an OpenStreetMap extract (.osm.pbf or .osm) into the product's basemap (PMTiles)."""
    from db.io.basemap import BasemapError, build_basemap

    box = None if whole else (tuple(bbox) if bbox else app.settings.region_bbox)
    try:
        info = build_basemap(extract, app.settings.resolved_basemap_file(), box)
    except BasemapError as exc:
        raise click.ClickException(str(exc)) from None
    _report(info)


@basemap_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_command(app, file: Path) -> None:
    """Take a ready-made vector basemap (.pmtiles, or .mbtiles with pbf tiles) as the product's."""
    from db.io.basemap import BasemapError, import_basemap

    try:
        info = import_basemap(file, app.settings.resolved_basemap_file())
    except BasemapError as exc:
        raise click.ClickException(str(exc)) from None
    _report(info)


COMMANDS = [basemap_group]
