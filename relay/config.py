"""The relay's media configuration: one frozen object built at the entry point and passed down.

Nothing here reads the environment; `relay.__main__` (the service) builds a RelayConfig from the
``[relay]`` section of the application settings (settings/relay.py, ``media_config_from``) and hands
it to every FeedSupervisor; the same section builds the manager's configuration.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from geo.vocabulary import AudioPolicy

if TYPE_CHECKING:
    from db.feeds import LeasePolicy
    from relay.manager import ManagerConfig
    from settings.relay import RelaySettings

HLS_FORMATS = ("mpegts", "fmp4")
AUDIO_POLICIES = tuple(AudioPolicy)
RTSP_TRANSPORTS = ("tcp", "udp")


class RelayConfigError(ValueError):
    """A relay setting is out of range; the message names the setting and the accepted values."""


@dataclass(frozen=True)
class RelayConfig:
    """How every feed is pulled, packaged and supervised.

    hls_format: "mpegts" (default) or "fmp4". MPEG-TS segments are self-contained (no init segment
    that a restarted camera could invalidate), survive codec-parameter changes across camera
    reboots, and hls.js remuxes them cheaply in the browser; see docs/relay.md.
    segment_seconds: target HLS segment length. ffmpeg cuts only on keyframes, so with `copy` a
    segment lasts max(segment_seconds, camera GOP); the supervisor's stall window follows the
    playlist's real target duration, not this number alone.
    max_runtime_bytes: bound for one feed's directory; past it, every file the playlist no longer
    lists is removed at once (normally ffmpeg's delete_segments and the stale-file guard keep a
    feed at a few MB).
    start_timeout_s: a launched ffmpeg that is alive but has written nothing for this long is
    restarted (4x longer while many feeds struggle at once); a dead camera ends ffmpeg sooner
    through the socket timeout (io_timeout_s).
    """

    runtime_dir: Path
    segment_seconds: float = 1.0
    playlist_size: int = 6
    stall_factor: float = 3.0
    backoff_steps: tuple = (1, 2, 5, 10, 30, 60)
    rtsp_transport: str = "tcp"
    io_timeout_s: float = 5.0
    audio: str = "aac"
    hls_format: str = "mpegts"
    max_runtime_bytes: int = 256 * 1024**2
    ffmpeg_path: str = "ffmpeg"
    ffprobe_path: str = "ffprobe"
    stderr_lines: int = 100
    start_timeout_s: float = 30.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "runtime_dir", Path(self.runtime_dir))
        object.__setattr__(self, "backoff_steps", tuple(float(s) for s in self.backoff_steps))
        _check(self.hls_format in HLS_FORMATS, "hls_format", HLS_FORMATS)
        _check(self.audio in AUDIO_POLICIES, "audio", AUDIO_POLICIES)
        _check(self.rtsp_transport in RTSP_TRANSPORTS, "rtsp_transport", RTSP_TRANSPORTS)
        _check(0.2 <= self.segment_seconds <= 10, "segment_seconds", "0.2 .. 10")
        _check(2 <= self.playlist_size <= 30, "playlist_size", "2 .. 30")
        _check(self.stall_factor >= 1.5, "stall_factor", ">= 1.5")
        _check(bool(self.backoff_steps) and min(self.backoff_steps) > 0, "backoff_steps", "positive seconds")
        _check(self.io_timeout_s > 0, "io_timeout_s", "> 0")
        _check(self.stderr_lines >= 1, "stderr_lines", ">= 1")
        _check(self.max_runtime_bytes >= 1024**2, "max_runtime_bytes", ">= 1 MiB")

    @property
    def io_timeout_us(self) -> int:
        """The RTSP socket timeout as ffmpeg wants it (microseconds)."""
        return int(self.io_timeout_s * 1_000_000)

    def backoff_delay(self, failures: int) -> float:
        """Seconds to wait before retry number `failures` (1-based); the last step repeats forever."""
        index = min(max(failures, 1), len(self.backoff_steps)) - 1
        return self.backoff_steps[index]


def _check(ok: bool, name: str, accepted: object) -> None:
    if not ok:
        raise RelayConfigError(f"relay setting '{name}' is out of range; use {accepted}")


def media_config_from(section: RelaySettings, runtime_dir: Path) -> RelayConfig:
    """The media configuration the ``[relay]`` settings describe (RelayConfigError when out of range)."""
    return RelayConfig(runtime_dir=runtime_dir, **section.media_knobs())


def manager_config_from(section: RelaySettings, *, node_id: str, public_url: str, runtime_dir: Path,
                        lease: LeasePolicy, timezone: str = "Asia/Jakarta") -> ManagerConfig:
    """The feed manager's configuration: the node's resolved identity plus the section's limits."""
    from relay.manager import ManagerConfig

    return ManagerConfig(node_id=node_id, public_url=public_url, runtime_dir=runtime_dir, lease=lease,
                         timezone=timezone, **section.manager_knobs())
