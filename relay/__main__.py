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
from dataclasses import dataclass, replace
from pathlib import Path

from db.engine import is_postgres, make_engine, make_session_factory
from db.migrate import ensure_current
from noblindspot.secrets_file import ensure_private_dir
from noblindspot.settings import Settings

log = logging.getLogger("relay")


@dataclass(frozen=True)
class RelayOptions:
    host: str = "127.0.0.1"
    port: int = 8787
    node_id: str | None = None
    public_url: str | None = None
    runtime_dir: Path | None = None
    max_feeds: int = 120
    max_transcodes: int = 4
    idle_timeout_s: float = 60.0
    sync_interval_s: float = 2.0
    segment_seconds: float = 1.0

    def resolved_node_id(self) -> str:
        return self.node_id or f"{socket.gethostname()}-{self.port}"[:64]

    def resolved_public_url(self, settings: Settings) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        if settings.relay_public_url:
            return settings.relay_public_url.rstrip("/")
        host = socket.gethostname() if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    def resolved_runtime_dir(self, settings: Settings) -> Path:
        # one directory per node: reaping at start must never touch another node's ffmpeg
        return Path(self.runtime_dir or settings.data_dir / "relay-runtime" / self.resolved_node_id())


def supervisor_factory(media_config):
    """Build a FeedSupervisor per feed, with the feed's own audio choice."""
    from relay.profiles import get_profile
    from relay.supervisor import FeedSupervisor

    def make(source):
        config = replace(media_config, audio=source.audio)
        return FeedSupervisor(source.camera_code, source.source_url, get_profile(source.profile), config)

    return make


def build(settings: Settings, options: RelayOptions):
    """The engine, manager and ASGI app for one relay node (nothing is started yet).

    The entry point (`noblindspot relay`) has refused weak secrets already; ApiSettings raises
    RelayConfigError below the HMAC floor for any caller.
    """
    from relay.api import ApiSettings, create_app
    from relay.config import RelayConfig
    from relay.leases import LeasePolicy
    from relay.manager import FeedManager, ManagerConfig

    api_settings = ApiSettings(operator_token=settings.relay_operator_token, hls_secret=settings.relay_hls_secret)
    engine = make_engine(settings.resolved_database_url())
    ensure_current(engine)
    runtime_dir = options.resolved_runtime_dir(settings)
    runtime_dir.mkdir(parents=True, exist_ok=True)
    media = RelayConfig(runtime_dir=runtime_dir, segment_seconds=options.segment_seconds)
    config = ManagerConfig(node_id=options.resolved_node_id(), public_url=options.resolved_public_url(settings),
                           runtime_dir=runtime_dir, max_feeds=options.max_feeds,
                           max_transcodes=options.max_transcodes, idle_timeout_s=options.idle_timeout_s,
                           sync_interval_s=options.sync_interval_s,
                           lease=LeasePolicy(single_node=not is_postgres(engine)))
    manager = FeedManager(make_session_factory(engine), config, supervisor_factory(media))
    app = create_app(manager, api_settings, lifespan=_lifespan(manager))
    return engine, manager, app


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

    reaped = reap_orphans(runtime_dir)
    if reaped:
        log.warning("stopped %d ffmpeg left by a previous relay in %s", len(reaped), runtime_dir)
    return reaped


def serve(settings: Settings, options: RelayOptions) -> None:
    """Run one relay node until SIGTERM/SIGINT, then stop every ffmpeg and release leases."""
    import uvicorn

    # HLS files are camera pictures: ffmpeg (our child) writes them 0640 in 0750 directories, and the
    # data directory (database with stream credentials, secrets) is the owner's alone.
    os.umask(0o027)
    ensure_private_dir(settings.data_dir)
    engine, manager, app = build(settings, options)
    reap(manager.config.runtime_dir)
    log.info("relay node %s serving on %s:%d (public %s, runtime %s)", manager.config.node_id, options.host,
             options.port, manager.config.public_url, manager.config.runtime_dir)
    # access_log off: HLS URLs carry viewers' tokens in their query strings
    server = uvicorn.Server(uvicorn.Config(app, host=options.host, port=options.port, access_log=False,
                                           log_level="warning", lifespan="on"))
    try:
        manager.sync_once()
        manager.run_background()
        server.run()
    finally:
        manager.shutdown()   # already done by the lifespan unless serving never started
        engine.dispose()


def main() -> None:
    from noblindspot.cli_relay import relay

    relay.main(prog_name="python -m relay")


if __name__ == "__main__":
    main()
