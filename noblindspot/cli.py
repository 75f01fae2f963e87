"""The `noblindspot` command: the composition root for command-line work.

Each family of commands lives in its own module (cli_*.py) and is registered here. Settings are
built once per invocation and passed down through the click context.
"""
from __future__ import annotations

import logging
import sys

import click

from noblindspot.context import AppContext


@click.group()
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """No Blindspot: community CCTV operations for a police command centre."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = AppContext.from_environment()
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from noblindspot import cli_db, cli_demo, cli_geo, cli_registry, cli_relay, cli_up, cli_users

    for module in (cli_db, cli_registry, cli_demo, cli_geo, cli_relay, cli_users, cli_up):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()
