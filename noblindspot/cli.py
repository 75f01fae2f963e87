"""The `noblindspot` command: the composition root for command-line work.

Each family of commands lives in its own module (cli_*.py) and is imported only when one of its
commands runs, so `noblindspot --help`, `users`, `db upgrade` or `relay` start without geopandas,
pandas, shapely or streamlit (bench/startup.py measures it). Settings are built once per invocation
and passed down through the click context.
"""
from __future__ import annotations

import importlib
import logging
import sys

import click

from noblindspot.context import AppContext

# command -> (module holding it in its COMMANDS list, the one-line help `--help` lists). The help
# text is the command's own first docstring line (tests/unit/test_cli_startup.py checks they agree).
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("noblindspot.cli_users", "The audit log."),
    "basemap": ("noblindspot.cli_basemap", "The offline street basemap: build it from an OpenStreetMap extract, "
                                           "or import a ready-made one."),
    "coverage": ("noblindspot.cli_geo",
                 "Share of each district seen by at least one camera: registered and live (5 m cells)."),
    "db": ("noblindspot.cli_db", "Create or upgrade the database schema."),
    "demo": ("noblindspot.cli_demo", "Load the demo registry: West Jakarta's districts, cameras, owners, posts, "
                                     "units on duty, priority layer."),
    "evidence": ("noblindspot.cli_evidence",
                 "Footage handed over by camera owners: upload links, case bundles and checking them."),
    "export": ("noblindspot.cli_registry", "Export the registry to a file."),
    "import": ("noblindspot.cli_registry", "Import cameras, owners, posts, duty units, district boundaries or a map "
                                           "layer from a file."),
    "plan": ("noblindspot.cli_geo", "Planners: which cameras to connect next, which to re-aim."),
    "report": ("noblindspot.cli_report", "Reports computed from the ledger (monthly transparency)."),
    "relay": ("noblindspot.cli_relay", "Serve camera feeds as HLS with tokens, for the dashboard and relay operators."),
    "roster": ("noblindspot.cli_users", "Duty roster and duty unit positions."),
    "simulate": ("noblindspot.cli_relay", "Serve synthetic RTSP cameras (H.264/H.265, G.711/AAC audio, a clock in "
                                          "the picture)."),
    "up": ("noblindspot.cli_up", "Start the product on the demo data: schema, demo seed when empty, simulator, "
                                 "relay, dashboard."),
    "users": ("noblindspot.cli_users", "Manage local accounts (commander, operator, admin, briefing)."),
    "who-sees": ("noblindspot.cli_geo", "Cameras whose view cone holds the point LON LAT, nearest first."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use; its help lists them without importing any."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[cmd_name][0])
        return next(command for command in module.COMMANDS if command.name == cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # as click.Group does it, from the table instead of the imported commands
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, click.Command(name, help=help_text).get_short_help_str(limit))
                for name, (_module, help_text) in sorted(COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """No Blindspot: community CCTV operations for a police command centre."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = AppContext.from_environment()
    ctx.call_on_close(ctx.obj.close)
