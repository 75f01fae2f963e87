"""`noblindspot up`: the whole demo in one command.

Migrates the database, seeds the demo West Jakarta when the registry is empty, then runs three
child processes and stops them together: the camera simulator (the demo's connected cameras),
the relay (RTSP -> HLS) and the Streamlit dashboard.
"""
from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from pathlib import Path

import click
import httpx

from db import migrate
from noblindspot.stack import Child, Stack
from relay.local_stack import ChildState

REPO_ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 120.0
SIMULATOR_PORT = 8554   # the demo's stream URLs point here (geo/demo)
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


def _noblindspot() -> str:
    script = Path(sys.executable).with_name("noblindspot")
    return str(script) if script.exists() else "noblindspot"


def _children(port: int, relay_port: int, with_video: bool) -> list[Child]:
    # Always headless: a non-headless Streamlit asks for an e-mail address on first run (and waits
    # forever without a terminal) and opens a browser on the server. `--browser` is up's own job.
    # dashboard/server.py serves dashboard/app.py with the security headers Streamlit cannot set
    app = str(REPO_ROOT / "dashboard" / "server.py")
    dashboard = Child("dashboard", [sys.executable, "-m", "streamlit", "run", app,
                                    "--server.port", str(port), "--server.headless", "true",
                                    "--browser.gatherUsageStats", "false"], required=True,
                      ready=lambda: http_ok(f"http://127.0.0.1:{port}/_stcore/health"))
    if not with_video:
        return [dashboard]
    from relay.simulator.control import rtsp_answers

    return [Child("simulator", [_noblindspot(), "simulate", "--from-db"], required=False,
                  purpose="the demo cameras are not served, so no camera plays",
                  ready=lambda: rtsp_answers("127.0.0.1", SIMULATOR_PORT, timeout_s=0.3)),
            Child("relay", [_noblindspot(), "relay", "--port", str(relay_port)], required=False,
                  purpose="no live video reaches the dashboard",
                  ready=lambda: http_ok(f"http://127.0.0.1:{relay_port}/healthz")),
            dashboard]


def http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until_ready(stack: Stack, dashboard: Child, timeout_s: float = READY_TIMEOUT_S) -> bool:
    """Watch the children until the dashboard serves; False on timeout (a required child's end exits)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        code = stack.poll()
        if code is not None:
            raise SystemExit(code)
        if dashboard.state is ChildState.RUNNING:
            return True
        time.sleep(0.5)
    return False


def _open_browser(url: str) -> None:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        click.echo("--browser: this machine has no display (DISPLAY is not set); open the address yourself", err=True)
        return
    import webbrowser

    webbrowser.open(url)


def _ready_banner(url: str, accounts: Path, with_video: bool) -> str:
    lines = [f"No Blindspot is ready: {url}  (Ctrl-C stops everything)"]
    if accounts.exists():
        lines.append(f"demo sign-in names and passwords: {accounts}")
    if with_video:
        lines.append("live video: the relay starts the demo's always-on feeds within about a minute")
    return "\n".join(lines)


def _use_secrets(app, data_dir: Path, insecure_dev: bool) -> None:
    """Draw the secrets on first run, re-read the settings with them, and refuse weak ones."""
    from relay.__main__ import enforce_secrets
    from settings import Settings
    from settings.secrets_file import ensure_secrets_file

    written = ensure_secrets_file(data_dir)
    if written is not None:
        click.echo(f"secrets drawn at random for the relay and the dashboard: {written} (0600)")
    app.settings = Settings(data_dir=data_dir)
    enforce_secrets(app.settings, insecure_dev)


@click.command("up")
@click.option("--port", default=8501, show_default=True, help="Dashboard port.")
@click.option("--relay-port", default=8787, show_default=True, help="Relay port.")
@click.option("--browser/--headless", "browser", default=False,
              help="Open the dashboard in a browser when this machine has a display [default: headless].")
@click.option("--video/--no-video", "with_video", default=True,
              help="Also run the camera simulator and the relay for live video.")
@click.option("--insecure-dev", is_flag=True,
              help="Allow published or short secrets (throw-away development only; said on every start).")
@click.pass_context
def up(ctx: click.Context, port: int, relay_port: int, browser: bool, with_video: bool, insecure_dev: bool) -> None:
    """Start the product on the demo data: schema, demo seed when empty, simulator, relay, dashboard."""
    app = ctx.obj
    data_dir = Path(app.settings.data_dir)
    os.umask(0o077)        # everything up and its children write in the data directory is the owner's alone
    _use_secrets(app, data_dir, insecure_dev)
    migrate.upgrade(app.database_url)
    demo = ctx.find_root().command.get_command(ctx, "demo")
    ctx.invoke(demo, if_empty=True)
    if ensure_demo_accounts(app.session_factory(), data_dir) is not None:
        click.echo("demo accounts created: admin, komandan, operator, briefing")
    env = dict(os.environ)
    env.setdefault("NOBLINDSPOT_RELAY_URL", f"http://127.0.0.1:{relay_port}")
    if insecure_dev:
        env["NOBLINDSPOT_INSECURE_DEV"] = "1"
    env["STREAMLIT_SERVER_HEADLESS"] = "true"
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    stack = Stack(_children(port, relay_port, with_video), data_dir)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    url = f"http://localhost:{port}"
    code = 0
    try:
        stack.start(env, REPO_ROOT)
        if wait_until_ready(stack, next(c for c in stack.children if c.name == "dashboard")):
            click.echo(_ready_banner(url, data_dir / "demo-accounts.txt", with_video))
            if browser:
                _open_browser(url)
        else:
            click.echo(f"the dashboard did not answer on {url} within {READY_TIMEOUT_S:g} s; still waiting", err=True)
        code = stack.watch()
    except KeyboardInterrupt:
        click.echo("stopping ...", err=True)
    finally:
        stack.stop()
    raise SystemExit(code)


COMMANDS = [up]
