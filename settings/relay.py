"""The ``[relay]`` section of the settings: how a relay node serves, pulls and packages its feeds.

Set from a ``[relay]`` table in the ``NOBLINDSPOT_CONFIG`` TOML file or from environment variables
with a double underscore (``NOBLINDSPOT_RELAY__FFMPEG_PATH=/opt/ffmpeg/bin/ffmpeg``); the options of
`noblindspot relay` override both. Unknown keys are errors. The names are those of the objects they
build in the relay (``relay.config.RelayConfig`` for the media side, ``relay.manager.ManagerConfig``
for the node), which also check the ranges: the relay refuses to start, naming the setting, when one
is out of range. A feed's audio (``aac`` or ``drop``) is chosen per feed in the registry, not here.

The relay's address for the dashboard, its public URL and its two secrets are top-level settings
(``relay_url``, ``relay_public_url``, ``relay_operator_token``, ``relay_hls_secret``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# The RelayConfig fields this section sets (RelayConfig's own runtime_dir and per-feed audio aside).
MEDIA_KNOBS = ("segment_seconds", "playlist_size", "stall_factor", "backoff_steps", "rtsp_transport",
               "io_timeout_s", "hls_format", "max_runtime_bytes", "ffmpeg_path", "ffprobe_path",
               "stderr_lines", "start_timeout_s")
# The ManagerConfig fields this section sets (node_id, public_url and runtime_dir are resolved first).
MANAGER_KNOBS = ("max_feeds", "max_transcodes", "idle_timeout_s", "sync_interval_s")


class RelaySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # the node
    host: str = "127.0.0.1"
    port: int = Field(default=8787, ge=1, le=65535)
    node_id: str | None = Field(default=None, max_length=64)
    runtime_dir: Path | None = None
    max_feeds: int = Field(default=120, ge=0)
    max_transcodes: int = Field(default=4, ge=0)
    idle_timeout_s: float = Field(default=60.0, ge=0.5)
    sync_interval_s: float = Field(default=2.0, ge=0.2)
    # slow clients (relay/slow_clients.py): a request's headers, then its body, must arrive in time
    header_timeout_s: float = Field(default=10.0, gt=0, le=300)
    body_timeout_s: float = Field(default=30.0, gt=0, le=600)
    # the media side
    segment_seconds: float = 1.0
    playlist_size: int = 6
    stall_factor: float = 3.0
    backoff_steps: tuple[float, ...] = (1, 2, 5, 10, 30, 60)
    rtsp_transport: Literal["tcp", "udp"] = "tcp"
    io_timeout_s: float = 5.0
    hls_format: Literal["mpegts", "fmp4"] = "mpegts"
    max_runtime_bytes: int = 256 * 1024**2
    ffmpeg_path: str = "ffmpeg"
    ffprobe_path: str = "ffprobe"
    stderr_lines: int = 100
    start_timeout_s: float = 30.0

    def media_knobs(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in MEDIA_KNOBS}

    def manager_knobs(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in MANAGER_KNOBS}

    def with_overrides(self, **values: object) -> RelaySettings:
        """This section with the given values (command-line options) in place of its own; None keeps ours."""
        given = {name: value for name, value in values.items() if value is not None}
        return RelaySettings.model_validate({**self.model_dump(), **given})

    def resolved_node_id(self, hostname: str) -> str:
        return self.node_id or f"{hostname}-{self.port}"[:64]

    def resolved_runtime_dir(self, data_dir: Path, hostname: str) -> Path:
        # one directory per node: reaping at start must never touch another node's ffmpeg
        return Path(self.runtime_dir or Path(data_dir) / "relay-runtime" / self.resolved_node_id(hostname))
