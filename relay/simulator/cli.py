"""`noblindspot simulate`: synthetic RTSP cameras on localhost for the demo, tests and benchmarks.

Two ways to choose the cameras:
  --cameras N       N cameras sim-001 ... with a realistic mix of codecs, audio and GOPs;
  --from-db         one camera per *connected* camera in the registry whose stream URL points at
                    this host, using the path and credentials stored in its URL (the demo data
                    generates rtsp://demo:<password>@127.0.0.1:8554/<code>).
Cameras with identical picture settings share one encoder, so 120 cameras cost a few encoders.
"""
from __future__ import annotations

import signal
import threading
from collections import Counter
from urllib.parse import unquote, urlsplit

import click

from relay.simulator.control import (
    CameraSpec,
    Simulator,
    SimulatorError,
    SimulatorMissingComponent,
    demo_specs,
)


class MissingComponentExit(click.ClickException):
    """A system package is missing: exit code 3, like scripts/bootstrap.sh for missing packages."""

    exit_code = 3


@click.command("simulate")
@click.option("--cameras", "count", default=None, type=click.IntRange(1, 2000),
              help="Serve this many cameras (sim-001 ...).")
@click.option("--from-db", is_flag=True, help="Serve the registry's connected cameras that stream from this host.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8554, show_default=True, type=click.IntRange(0, 65535))
@click.option("--height", default=720, show_default=True, type=click.Choice(["360", "720", "1080"]),
              help="Picture height of every camera.")
@click.option("--user", default=None, help="Require this RTSP user name (with --password).")
@click.option("--password", default=None, envvar="NOBLINDSPOT_SIM_PASSWORD",
              help="RTSP password [env NOBLINDSPOT_SIM_PASSWORD].")
@click.pass_context
def simulate_command(ctx: click.Context, count: int | None, from_db: bool, host: str, port: int, height: str,
                     user: str | None, password: str | None) -> None:
    """Serve synthetic RTSP cameras (H.264/H.265, G.711/AAC audio, a clock in the picture)."""
    if (count is None) == (not from_db):
        raise click.UsageError("give either --cameras N or --from-db")
    if from_db:
        specs, user, password, port = _from_registry(ctx, host, port, int(height))
    elif count is not None:
        specs = demo_specs(count, height=int(height))
    else:
        raise click.UsageError("give either --cameras N or --from-db")
    if bool(user) != bool(password):
        raise click.UsageError("--user and --password go together")
    sim = Simulator(specs, user=user, password=password, host=host, port=port)
    try:
        sim.start()
    except SimulatorMissingComponent as exc:
        raise MissingComponentExit(f"the camera simulator cannot start: {exc}") from None
    except SimulatorError as exc:
        raise click.ClickException(f"{exc} (is port {port} free?)") from None
    encoders = sim.listing()["encoders"]
    click.echo(f"{len(specs)} cameras on rtsp://{host}:{sim.port}/<code> ({encoders} shared encoders); "
               f"e.g. rtsp://{host}:{sim.port}/{specs[0].code}. Ctrl-C stops.")
    _wait_for_signal()
    sim.close()


def _wait_for_signal() -> None:
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()


def _from_registry(ctx: click.Context, host: str, port: int, height: int):
    from sqlalchemy import select

    from db.models import Camera
    from geo.vocabulary import Connection

    app = ctx.find_root().obj
    if app is None:
        raise click.UsageError("--from-db needs the noblindspot configuration (run it as `noblindspot simulate`)")
    with app.session_factory()() as session:
        rows = session.execute(select(Camera.code, Camera.stream_url).where(
            Camera.connection == Connection.CONNECTED, Camera.stream_url.is_not(None))).all()
    return cameras_from_urls([url for _, url in rows], host, port, height)


def cameras_from_urls(urls: list[str], host: str, port: int, height: int):
    """Camera specs (and the shared credentials and port) for the stream URLs that point at host."""
    local = [urlsplit(u) for u in urls]
    local = [p for p in local if p.hostname in (host, "localhost") and p.path.strip("/")]
    if not local:
        raise click.ClickException(f"no connected camera streams from {host}; load the demo first "
                                   "(`noblindspot demo`) or use --cameras N")
    credentials = Counter((unquote(p.username or ""), unquote(p.password or "")) for p in local)
    if len(credentials) > 1:
        raise click.ClickException("connected cameras use different credentials; the simulator serves one "
                                   "user name and password")
    (user, password), = credentials
    ports = {p.port or 554 for p in local}
    chosen_port = ports.pop() if len(ports) == 1 else port
    width = height * 16 // 9
    specs = [CameraSpec(p.path.strip("/"), codec="h265" if i % 10 == 9 else "h264",
                        audio="pcma" if i % 3 == 1 else None, width=width, height=height)
             for i, p in enumerate(sorted(local, key=lambda q: q.path))]
    return specs, user or None, password or None, chosen_port
