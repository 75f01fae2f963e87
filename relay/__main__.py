"""The relay service's composition root: settings -> engine -> manager -> API, served by uvicorn.

``python -m relay`` or ``noblindspot relay``. At start it reaps ffmpeg left in its runtime directory
by a relay that died (kill -9 included); on SIGTERM/SIGINT uvicorn stops serving, then every feed's
ffmpeg is stopped and this node's leases are released so other nodes take over at once.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from dataclasses import replace
from pathlib import Path

import click
from pydantic import ValidationError

from db.engine import is_postgres, make_engine, make_session_factory
from db.migrate import ensure_current
from settings import Settings, describe_invalid
from settings.relay import RelaySettings
from settings.secrets_file import ensure_private_dir

log = logging.getLogger("relay")


def public_url(settings: Settings, section: RelaySettings) -> str:
    """The base URL browsers use to reach this node: configured, or this host and port."""
    if settings.relay_public_url:
        return settings.relay_public_url.rstrip("/")
    host = socket.gethostname() if section.host in ("0.0.0.0", "::") else section.host
    return f"http://{host}:{section.port}"


def supervisor_factory(media_config):
    """Build a FeedSupervisor per feed, with the feed's own audio choice."""
    from relay.profiles import get_profile
    from relay.supervisor import FeedSupervisor

    def make(source):
        config = replace(media_config, audio=source.audio)
        return FeedSupervisor(source.camera_code, source.source_url, get_profile(source.profile), config)

    return make


def build(settings: Settings):
    """The engine, manager and ASGI app for one relay node (nothing is started yet).

    Every knob comes from ``settings.relay`` (the command line has put its options there). The entry
    point (`noblindspot relay`) has refused weak secrets already; ApiSettings raises RelayConfigError
    below the HMAC floor for any caller.
    """
    from db.feeds import LeasePolicy
    from relay.api import ApiSettings, create_app
    from relay.config import manager_config_from, media_config_from
    from relay.manager import FeedManager

    section = settings.relay
    token, hls_secret = settings.relay_operator_token, settings.relay_hls_secret
    if token is None or hls_secret is None:
        from relay.config import RelayConfigError

        raise RelayConfigError("the relay needs relay_operator_token and relay_hls_secret; `noblindspot up` "
                               "writes both to the data directory's secrets.toml")
    api_settings = ApiSettings(operator_token=token, hls_secret=hls_secret)
    hostname = socket.gethostname()
    runtime_dir = section.resolved_runtime_dir(settings.data_dir, hostname)
    media = media_config_from(section, runtime_dir)      # checks the ranges before anything is created
    engine = make_engine(settings.resolved_database_url())
    ensure_current(engine)
    runtime_dir.mkdir(parents=True, exist_ok=True)
    config = manager_config_from(section, node_id=section.resolved_node_id(hostname),
                                 public_url=public_url(settings, section), runtime_dir=runtime_dir,
                                 lease=LeasePolicy(single_node=not is_postgres(engine)), timezone=settings.timezone)
    manager = FeedManager(make_session_factory(engine), config, supervisor_factory(media))
    app = create_app(manager, api_settings, lifespan=_lifespan(manager), intake=intake_settings(settings))
    return engine, manager, app


def intake_settings(settings: Settings):
    """The owners' upload links (relay/intake.py): the evidence store and the size limit."""
    from functools import partial

    from db.evidence_probe import ffprobe_file
    from db.evidence_store import EvidenceStore
    from relay.intake import IntakeSettings

    store = EvidenceStore(settings.resolved_evidence_dir(), max_bytes=settings.max_upload_bytes)
    return IntakeSettings(store=store, probe=partial(ffprobe_file, ffprobe=settings.relay.ffprobe_path))


def _lifespan(manager):
    """Stop every feed when serving ends. uvicorn re-raises SIGTERM once it has shut down, so this
    must happen inside its shutdown (the ASGI lifespan), not after ``server.run()`` returns."""

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        log.info("relay node %s stopping every feed", manager.config.node_id)
        await asyncio.to_thread(manager.shutdown)

    return lifespan


def reap(runtime_dir: Path) -> list[int]:
    from relay.process import reap_orphans
    from relay.source_list import remove_leftovers

    reaped = reap_orphans(runtime_dir)
    remove_leftovers(runtime_dir)       # camera URLs in plain text, written for ffmpeg that is gone now
    if reaped:
        log.warning("stopped %d ffmpeg left by a previous relay in %s", len(reaped), runtime_dir)
    return reaped


def serve(settings: Settings) -> None:
    """Run one relay node until SIGTERM/SIGINT, then stop every ffmpeg and release leases."""
    import uvicorn

    # HLS files are camera pictures: ffmpeg (our child) writes them 0640 in 0750 directories, and the
    # data directory (database with stream credentials, secrets) is the owner's alone.
    os.umask(0o027)
    ensure_private_dir(settings.data_dir)
    engine, manager, app = build(settings)
    section = settings.relay
    reap(manager.config.runtime_dir)
    log.info("relay node %s serving on %s:%d (public %s, runtime %s)", manager.config.node_id, section.host,
             section.port, manager.config.public_url, manager.config.runtime_dir)
    # access_log off: HLS URLs carry viewers' tokens in their query strings
    from relay.slow_clients import deadline_protocol

    server = uvicorn.Server(uvicorn.Config(app, host=section.host, port=section.port, access_log=False,
                                           log_level="warning", lifespan="on",
                                           http=deadline_protocol(section.header_timeout_s, section.body_timeout_s)))
    from relay.camera_checks import CameraChecks

    checks = CameraChecks(manager.sessions(), today=manager.today)   # idle cameras: do they answer?
    try:
        manager.sync_once()
        manager.run_background()
        checks.run_background()
        server.run()
    finally:
        checks.close()
        manager.shutdown()   # already done by the lifespan unless serving never started
        engine.dispose()


def enforce_secrets(settings: Settings, insecure_dev: bool) -> None:
    """Refuse weak secrets (ClickException), or print each insecure-development warning."""
    from settings.secrets_file import InsecureSecret, check_secrets

    try:
        for warning in check_secrets(settings, insecure_dev=insecure_dev or settings.insecure_dev):
            click.echo(f"WARNING: {warning}", err=True)
    except InsecureSecret as exc:
        raise click.ClickException(str(exc)) from None


def _settings(ctx: click.Context) -> Settings:
    """The invocation's settings (`noblindspot` built them), or this process's own (`python -m relay`)."""
    app = ctx.find_root().obj
    if isinstance(getattr(app, "settings", None), Settings):
        return app.settings
    try:
        return Settings()
    except ValidationError as exc:
        raise click.UsageError(f"invalid configuration: {describe_invalid(exc)}") from None


@click.command("relay")
@click.option("--host", default=None, help="Interface to listen on [default: relay.host, 127.0.0.1].")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="[default: relay.port, 8787]")
@click.option("--node-id", default=None, help="This node's id in the database [default: <hostname>-<port>].")
@click.option("--public-url", default=None,
              help="Base URL browsers use to reach this node [default: NOBLINDSPOT_RELAY_PUBLIC_URL or host:port].")
@click.option("--runtime-dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Where HLS files live [default: <data dir>/relay-runtime/<node id>].")
@click.option("--max-feeds", default=None, type=click.IntRange(0),
              help="Most feeds this node runs at once; more starts get HTTP 429 [default: 120].")
@click.option("--max-transcodes", default=None, type=click.IntRange(0),
              help="Most feeds this node encodes at once; more get HTTP 429 [default: 4].")
@click.option("--idle-timeout", "idle_timeout_s", default=None, type=click.FloatRange(min=0.5),
              help="Seconds without viewers before an on-demand feed stops [default: 60].")
@click.option("--sync-interval", "sync_interval_s", default=None, type=click.FloatRange(min=0.2),
              help="Seconds between syncs with the database (heartbeat) [default: 2].")
@click.option("--ffmpeg", "ffmpeg_path", default=None, help="The ffmpeg program [default: ffmpeg on PATH].")
@click.option("--hls-format", default=None, type=click.Choice(["mpegts", "fmp4"]),
              help="HLS segment format [default: mpegts].")
@click.option("--segment-seconds", default=None, type=click.FloatRange(0.2, 10),
              help="Target HLS segment length in seconds [default: 1].")
@click.option("--rtsp-transport", default=None, type=click.Choice(["tcp", "udp"]),
              help="How ffmpeg pulls RTSP [default: tcp].")
@click.option("--insecure-dev", is_flag=True,
              help="Start with published or short secrets, warning on every start (throw-away development "
                   "only; a missing secret is refused even so).")
@click.pass_context
def relay_command(ctx: click.Context, public_url: str | None, insecure_dev: bool, **knobs) -> None:
    """Serve camera feeds as HLS with tokens, for the dashboard and relay operators.

    Every option overrides the [relay] settings (NOBLINDSPOT_RELAY__<KNOB>, docs/relay.md).
    """
    from db.engine import DatabaseURLError
    from db.migrate import SchemaOutOfDate
    from relay.config import RelayConfigError

    settings = _settings(ctx)
    enforce_secrets(settings, insecure_dev)
    try:
        update: dict = {"relay": settings.relay.with_overrides(**knobs)}
    except ValidationError as exc:
        raise click.UsageError(f"invalid relay option: {describe_invalid(exc)}") from None
    if public_url:
        update["relay_public_url"] = public_url
    settings = settings.model_copy(update=update)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("relay").setLevel(logging.INFO)
    try:
        serve(settings)
    except (SchemaOutOfDate, DatabaseURLError, RelayConfigError) as exc:
        raise click.ClickException(str(exc)) from None


def main() -> None:
    relay_command.main(prog_name="python -m relay")


if __name__ == "__main__":
    main()
