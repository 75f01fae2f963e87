"""Pydantic models of the relay's HTTP API: what the dashboard reads and sends.

No model has a field for a stream URL on the way out: ``FeedUpdate.stream_url`` is write-only.
"""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue, SecretStr

from geo.vocabulary import AudioPolicy, FeedMode, FeedState
from relay.on_demand import DemandState
from relay.profiles import PROFILES

_PROFILE_NAMES: list[JsonValue] = [name for name in sorted(PROFILES)]
# What the relay accepts as a stream address, said in the OpenAPI document (db/io/stream_url.py is
# the rule the relay applies; this pattern describes the same set, so a client can check first):
# rtsp:// or rtsps://, optional user:password@, a host, an optional port 1-65535, a path without
# blanks or control characters.
_PORT = r"(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
STREAM_URL_PATTERN = (r"^[Rr][Tt][Ss][Pp][Ss]?://(?:[^\s/@?#\x00-\x1f\x7f]+@)?[A-Za-z0-9.-]+" + _PORT
                      + r"(?:/[^\s\x00-\x1f\x7f]*)?$")


class FeedView(BaseModel):
    """One feed: desired state, observed state, and which relay node serves it."""

    camera_code: str
    camera_name: str
    mode: FeedMode
    profile: str
    audio: AudioPolicy
    state: FeedState
    state_since: datetime | None = None
    fps: float | None = None
    bitrate_kbps: float | None = None
    codec: str | None = None
    width: int | None = None
    height: int | None = None
    restarts: int = 0
    last_error: str | None = None
    node_id: str | None = Field(None, description="relay node holding the feed (None: not running)")
    node_url: str | None = Field(None, description="public base URL of that node; browsers fetch HLS there")
    hls_path: str = Field(description="path of the playlist on node_url; add ?token=<signed HLS token>")
    served_here: bool = Field(False, description="whether the node answering runs this feed")
    demand: DemandState | None = Field(None, description="the feed's on-demand life on the node answering "
                                       "(relay/on_demand.py); None when another node serves it")
    transcoding: bool | None = None
    segment_age_s: float | None = None
    observed_at: datetime | None = None


class FeedDetail(FeedView):
    log_tail: list[str] = Field(default_factory=list, description="last ffmpeg stderr lines, redacted")


class FeedList(BaseModel):
    node_id: str
    feeds: list[FeedView]


class FeedUpdate(BaseModel):
    """A change of desired state; any field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    mode: FeedMode | None = None
    profile: str | None = Field(None, max_length=40, json_schema_extra={"enum": _PROFILE_NAMES})
    audio: AudioPolicy | None = None
    stream_url: SecretStr | None = Field(None, description="write-only; rtsp:// or rtsps:// only",
                                         json_schema_extra={"pattern": STREAM_URL_PATTERN, "maxLength": 2048})


class ProfileView(BaseModel):
    """An output profile operators may choose (relay/profiles.py is the one list)."""

    name: str
    transcode: bool = Field(description="always encodes video (False: remuxes H.264 as the camera sends it)")
    height: int | None = Field(None, description="output lines; None keeps the camera's")
    video_bitrate_kbps: int
    max_fps: float | None = None


class FeedOptions(BaseModel):
    """The choices a feed's desired state accepts, so no client keeps its own copy of them."""

    profiles: list[ProfileView]
    default_profile: str
    low_bitrate_profile: str = Field(description="the profile for wall tiles")
    audio: list[AudioPolicy]
    modes: list[FeedMode]


class ActionResult(BaseModel):
    camera_code: str
    action: str
    feed: FeedView


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1, max_length=80)
    ttl_s: float = Field(300, gt=0, le=24 * 3600)
    purpose: str | None = Field(None, max_length=120, description="why the user looks (geo/purpose.py: "
                                "case:<incident> or reason:<key>); kept in the relay's audit event")


class TokenGrant(BaseModel):
    camera_code: str
    token: str
    expires_at: int
    hls_path: str
    node_url: str | None = None


class Health(BaseModel):
    status: str
    node_id: str
    public_url: str
    local_feeds: int
    running: int = 0     # local feeds whose playlist advances
    failing: int = 0     # local feeds stalled, backing off or failed
    database: str


class ErrorBody(BaseModel):
    detail: str
