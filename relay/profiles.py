"""Output profiles: `copy` remuxes H.264 as it comes; the others always encode H.264 for wall tiles.

With `copy`, a camera that does not send H.264 (H.265, MJPEG ...) is transcoded with the copy
profile's fallback settings at the camera's own resolution (capped at 1080 lines).
"""
from __future__ import annotations

from dataclasses import dataclass


class UnknownProfile(KeyError):
    """No output profile has this name."""

    def __str__(self) -> str:
        return f"unknown profile '{self.args[0]}'; use one of: {', '.join(sorted(PROFILES))}"


@dataclass(frozen=True)
class Profile:
    name: str
    transcode: bool                  # always encode video (False: remux when the source is H.264)
    height: int | None = None        # output lines; None keeps the source's (capped by max_height)
    width: int | None = None         # None: follow the aspect ratio (-2)
    video_bitrate_kbps: int = 4000
    max_fps: float | None = None     # None keeps the source rate
    max_height: int = 1080           # cap used when height is None and video must be encoded
    preset: str = "veryfast"
    tune: str = "zerolatency"
    audio_bitrate_kbps: int = 64


PROFILES: dict[str, Profile] = {
    "copy": Profile(name="copy", transcode=False, video_bitrate_kbps=4000),
    "h264-720p": Profile(name="h264-720p", transcode=True, height=720, video_bitrate_kbps=2000),
    "h264-360p-low": Profile(name="h264-360p-low", transcode=True, height=360, video_bitrate_kbps=500,
                             max_fps=15, audio_bitrate_kbps=32),
}

DEFAULT_PROFILE = "copy"
LOW_BITRATE_PROFILE = "h264-360p-low"   # what wall tiles ask for: small, 15 fps, cheap to decode


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfile(name) from None
