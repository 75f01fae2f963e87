"""`noblindspot up`: the whole demo in one command.

Migrates the database, seeds the demo West Jakarta when the registry is empty, then runs three
child processes and stops them together: the camera simulator (the demo's connected cameras),
the relay (RTSP -> HLS) and the Streamlit dashboard.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click

from db import migrate

REPO_ROOT = Path(__file__).resolve().parents[1]
STOP_GRACE_S = 10.0
DEMO_ACCOUNTS = (("admin", "admin"), ("komandan", "commander"), ("operator", "operator"),
                 ("briefing", "briefing"))


def ensure_demo_accounts(session_factory, data_dir: Path) -> Path | None:
    """On a database without accounts, create one per role with a random password.

    The passwords go to a file only the owner can read (never to logs); returns its path, or None
    when accounts existed already.
    """
    from db.users import add_user, list_users

    with session_factory.begin() as session:
        if list_users(session):
            return None
        lines = []
        for username, role in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(12)
            add_user(session, "cli:demo-setup", username, role, password=password)
            lines.append(f"{username:<10} {role:<10} {password}")
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / "demo-accounts.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("# No Blindspot demo accounts (user, role, password). Change them: noblindspot users passwd\n")
            fh.write("\n".join(lines) + "\n")
    return path


@dataclass
class Child:
    name: str
    argv: list[str]
    required: bool
    process: subprocess.Popen | None = None


def _noblindspot() -> str:
    script = Path(sys.executable).with_name("noblindspot")
    return str(script) if script.exists() else "noblindspot"


def _children(port: int, relay_port: int, headless: bool, with_video: bool) -> list[Child]:
    dashboard = Child("dashboard", [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "dashboard" / "app.py"),
                                    "--server.port", str(port),
                                    "--server.headless", "true" if headless else "false"], required=True)
    if not with_video:
        return [dashboard]
    return [Child("simulator", [_noblindspot(), "simulate", "--from-db"], required=False),
            Child("relay", [_noblindspot(), "relay", "--port", str(relay_port)], required=False),
            dashboard]


def _start(child: Child, env: dict[str, str]) -> None:
    child.process = subprocess.Popen(child.argv, env=env, cwd=REPO_ROOT, start_new_session=True)


def _stop_all(children: list[Child]) -> None:
    running = [c for c in children if c.process and c.process.poll() is None]
    for child in running:
        os.killpg(child.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for child in running:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()


def _watch(children: list[Child]) -> int:
    """Wait until a required child ends (or Ctrl-C); optional children may fail alone."""
    warned: set[str] = set()
    while True:
        for child in children:
            code = child.process.poll() if child.process else None
            if code is None:
                continue
            if child.required:
                click.echo(f"{child.name} exited with code {code}; stopping the rest", err=True)
                return code
            if child.name not in warned:
                warned.add(child.name)
                click.echo(f"warning: {child.name} exited with code {code}; live video is unavailable, "
                           "the map and registry still work", err=True)
        time.sleep(0.5)


@click.command("up")
@click.option("--port", default=8501, show_default=True, help="Dashboard port.")
@click.option("--relay-port", default=8787, show_default=True, help="Relay port.")
@click.option("--headless/--browser", default=False, help="Do not open a browser window.")
@click.option("--video/--no-video", "with_video", default=True,
              help="Also run the camera simulator and the relay for live video.")
@click.pass_context
def up(ctx: click.Context, port: int, relay_port: int, headless: bool, with_video: bool) -> None:
    """Start the product on the demo data: schema, demo seed when empty, simulator, relay, dashboard."""
    app = ctx.obj
    migrate.upgrade(app.database_url)
    demo = ctx.find_root().command.get_command(ctx, "demo")
    ctx.invoke(demo, if_empty=True)
    accounts = ensure_demo_accounts(app.session_factory(), Path(app.settings.data_dir))
    if accounts is not None:
        click.echo(f"demo accounts created (admin, komandan, operator, briefing); passwords in {accounts}")
    env = dict(os.environ)
    env.setdefault("NOBLINDSPOT_RELAY_URL", f"http://127.0.0.1:{relay_port}")
    children = _children(port, relay_port, headless, with_video)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    code = 0
    try:
        for child in children:
            _start(child, env)
        click.echo(f"dashboard on http://localhost:{port}  (Ctrl-C stops everything)")
        code = _watch(children)
    except KeyboardInterrupt:
        click.echo("stopping ...", err=True)
    finally:
        _stop_all(children)
    raise SystemExit(code)


COMMANDS = [up]
