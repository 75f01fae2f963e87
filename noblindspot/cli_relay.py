"""`noblindspot relay`: serve selected RTSP camera feeds as HLS (and `simulate`, from the media side)."""
from __future__ import annotations

import logging
from pathlib import Path

import click
from pydantic import ValidationError

from noblindspot.settings import Settings, describe_invalid
from relay.simulator.cli import simulate_command


@click.command("relay")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8787, show_default=True, type=click.IntRange(1, 65535))
@click.option("--node-id", default=None, help="This node's id in the database [default: <hostname>-<port>].")
@click.option("--public-url", default=None,
              help="Base URL browsers use to reach this node [default: NOBLINDSPOT_RELAY_PUBLIC_URL or host:port].")
@click.option("--runtime-dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Where HLS files live [default: <data dir>/relay-runtime/<node id>].")
@click.option("--max-feeds", default=120, show_default=True, type=click.IntRange(0),
              help="Most feeds this node runs at once; more starts get HTTP 429.")
@click.option("--max-transcodes", default=4, show_default=True, type=click.IntRange(0),
              help="Most feeds this node encodes at once; more get HTTP 429.")
@click.option("--idle-timeout", "idle_timeout_s", default=60.0, show_default=True, type=click.FloatRange(min=0.5),
              help="Seconds without viewers before an on-demand feed stops.")
@click.option("--sync-interval", "sync_interval_s", default=2.0, show_default=True,
              type=click.FloatRange(min=0.2), help="Seconds between syncs with the database (heartbeat).")
@click.option("--insecure-dev", is_flag=True,
              help="Start with published or short secrets, warning on every start (throw-away development "
                   "only; a missing secret is refused even so).")
@click.pass_context
def relay(ctx: click.Context, host: str, port: int, node_id: str | None, public_url: str | None,
          runtime_dir: Path | None, max_feeds: int, max_transcodes: int, idle_timeout_s: float,
          sync_interval_s: float, insecure_dev: bool) -> None:
    """Serve camera feeds as HLS with tokens, for the dashboard and relay operators."""
    from noblindspot.context import enforce_secrets
    from relay.__main__ import RelayOptions, serve

    settings = _settings(ctx)
    enforce_secrets(settings, insecure_dev)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("relay").setLevel(logging.INFO)
    options = RelayOptions(host=host, port=port, node_id=node_id, public_url=public_url, runtime_dir=runtime_dir,
                           max_feeds=max_feeds, max_transcodes=max_transcodes, idle_timeout_s=idle_timeout_s,
                           sync_interval_s=sync_interval_s)
    from db.engine import DatabaseURLError
    from db.migrate import SchemaOutOfDate
    from relay.config import RelayConfigError

    try:
        serve(settings, options)
    except (SchemaOutOfDate, DatabaseURLError, RelayConfigError) as exc:
        raise click.ClickException(str(exc)) from None


def _settings(ctx: click.Context) -> Settings:
    app = ctx.obj
    if app is not None and getattr(app, "settings", None) is not None:
        return app.settings
    try:
        return Settings()
    except ValidationError as exc:
        raise click.UsageError(f"invalid configuration: {describe_invalid(exc)}") from None


COMMANDS: list = [relay, simulate_command]
