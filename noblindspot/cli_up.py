"""`noblindspot up`: the demo in one command (schema, demo data when empty, dashboard)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from db import migrate

REPO_ROOT = Path(__file__).resolve().parents[1]


@click.command("up")
@click.option("--port", default=8501, show_default=True, help="Dashboard port.")
@click.option("--headless/--browser", default=False, help="Do not open a browser window.")
@click.pass_context
def up(ctx: click.Context, port: int, headless: bool) -> None:
    """Start the product on the demo data: migrate, seed the demo if empty, serve the dashboard."""
    app = ctx.obj
    migrate.upgrade(app.database_url)
    demo = ctx.find_root().command.get_command(ctx, "demo")
    if demo is not None:
        ctx.invoke(demo, if_empty=True)
    env = dict(os.environ)
    argv = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "dashboard" / "app.py"),
            "--server.port", str(port), "--server.headless", "true" if headless else "false"]
    click.echo(f"dashboard on http://localhost:{port} (Ctrl-C to stop)")
    raise SystemExit(subprocess.call(argv, env=env, cwd=REPO_ROOT))


COMMANDS = [up]
