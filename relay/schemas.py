"""What the relay tells the outside world about a feed: the contract the dashboard reads.

FeedStatus is created by the media side (relay.supervisor) and may gain fields from the service
side; every field is safe to show (no stream URL, errors and stderr already redacted).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from geo.vocabulary import FeedState


@dataclass(frozen=True)
class FeedStatus:
    camera_code: str
    state: FeedState
    since: datetime                      # UTC, when `state` was entered
    fps: float | None = None
    bitrate_kbps: float | None = None
    codec: str | None = None             # codec served to the browser ("h264")
    width: int | None = None
    height: int | None = None
    restarts: int = 0                    # ffmpeg launches after the first one
    last_error: str | None = None        # redacted reason for the latest stall/backoff/failure
    pid: int | None = None
    segment_age_s: float | None = None   # seconds since the playlist last advanced
    playlist_path: str | None = None     # local file path of index.m3u8 (never served as-is)
    bytes_out: int = 0                   # bytes of segments written since the supervisor started
    stderr_tail: list[str] = field(default_factory=list)   # redacted, newest last
    source_codec: str | None = None      # what the camera sends ("h264", "hevc", ...)
    transcoding: bool = False            # True when ffmpeg encodes video (not a remux)
    next_retry_s: float | None = None    # seconds until the next attempt while in backoff

    def to_dict(self) -> dict:
        data = asdict(self)
        data["state"] = self.state.value
        data["since"] = self.since.isoformat()
        return data
