"""What a handed-over footage file is, read from ffprobe's JSON: pure parsing, no process, no file.

``ffprobe -show_format -show_streams -of json`` describes a file; a file is accepted as evidence only
when it holds a video stream. ``creation_time`` (when the recorder wrote it, if it says) gives the
recording's start; with the duration, its end. Nothing here trusts the file's name or extension.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any


class EvidenceVerdict(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"


class RefusalReason(StrEnum):
    """Why a file was refused (kept in quarantine); the owner page shows each in its own words."""

    NOT_MEDIA = "not_media"            # ffprobe could not read it
    NO_VIDEO = "no_video"              # readable, but no video stream (audio only, a picture list ...)
    TOO_LARGE = "too_large"            # beyond max_upload_bytes
    EMPTY = "empty"


class NotMedia(ValueError):
    """ffprobe's output describes no usable video; ``reason`` is a RefusalReason."""

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class MediaInfo:
    container: str | None            # ffprobe's format_name: "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm" ...
    video_codec: str                 # "h264", "hevc", "mjpeg" ...
    width: int | None
    height: int | None
    duration_s: float | None
    media_start: datetime | None     # the creation_time tag, when the file carries one
    media_end: datetime | None


def ffprobe_argv(ffprobe: str, path: str) -> list[str]:
    """Read the file only (no network protocol, no concatenated playlists), as JSON."""
    return [ffprobe, "-hide_banner", "-v", "error", "-protocol_whitelist", "file",
            "-show_format", "-show_streams", "-of", "json", path]


def parse_ffprobe(text: str) -> MediaInfo:
    """MediaInfo from ffprobe's JSON, or NotMedia saying why the file is no video evidence."""
    try:
        data = json.loads(text or "{}")
    except json.JSONDecodeError:
        raise NotMedia(RefusalReason.NOT_MEDIA, "ffprobe returned unreadable output") from None
    if not isinstance(data, dict):
        raise NotMedia(RefusalReason.NOT_MEDIA, "ffprobe returned unreadable output")
    streams = [s for s in data.get("streams") or [] if isinstance(s, dict)]
    fmt: dict[str, Any] = data["format"] if isinstance(data.get("format"), dict) else {}
    video = next((s for s in streams if s.get("codec_type") == "video" and s.get("codec_name")
                  and not _is_picture(s)), None)
    if video is None or _is_still_format(fmt.get("format_name")):
        raise NotMedia(RefusalReason.NO_VIDEO, "the file holds no video stream")
    duration = _float(fmt.get("duration")) or _float(video.get("duration"))
    start = creation_time(fmt.get("tags")) or creation_time(video.get("tags"))
    end = start + timedelta(seconds=duration) if start is not None and duration is not None else None
    return MediaInfo(container=_text(fmt.get("format_name")), video_codec=str(video["codec_name"]),
                     width=_int(video.get("width")), height=_int(video.get("height")), duration_s=duration,
                     media_start=start, media_end=end)


def _is_still_format(name: Any) -> bool:
    """ffmpeg's demuxers for single pictures: image2 (a .jpg/.png file) and the *_pipe readers."""
    return isinstance(name, str) and (name == "image2" or name.endswith("_pipe"))


def _is_picture(stream: dict[str, Any]) -> bool:
    """A still image (cover art, or a lone .jpg/.png read by the image demuxer) is no footage."""
    disposition = stream.get("disposition") or {}
    if isinstance(disposition, dict) and disposition.get("attached_pic") == 1:
        return True
    frames = _int(stream.get("nb_frames"))
    return stream.get("codec_name") in {"png", "bmp", "gif", "webp"} or (
        stream.get("codec_name") == "mjpeg" and frames is not None and frames <= 1)


def creation_time(tags: Any) -> datetime | None:
    """The ``creation_time`` tag as an aware UTC datetime (ffmpeg writes ISO 8601 with a Z)."""
    if not isinstance(tags, dict):
        return None
    raw = next((v for k, v in tags.items() if str(k).lower() == "creation_time"), None)
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.year < 2000:           # recorders with an unset clock write 1970 or 1904
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _text(value: Any) -> str | None:
    return str(value)[:80] if value not in (None, "") else None


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _float(value: Any) -> float | None:
    try:
        number = float(Fraction(str(value)))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if number > 0 else None
