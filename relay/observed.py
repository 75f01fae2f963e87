"""What a supervisor reports about its feed, derived from the probe, the profile and ffmpeg's exit."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from geo.vocabulary import FeedState
from relay import command
from relay.playlist import ProgressTracker
from relay.probe import SourceInfo
from relay.profiles import Profile
from relay.schemas import FeedStatus

ERROR_HINTS = ("error", "fail", "refused", "timed out", "timeout", "not found", "unauthorized", "forbidden",
               "end of file", "broken pipe", "connection", "invalid")


def exit_reason(code: int | None, tail: list[str]) -> str:
    """A short, human reason for an ffmpeg exit: the signal or code plus its most telling line."""
    if code is not None and code < 0:
        head = f"ffmpeg was killed by signal {-code}"
    elif code == 0:
        head = "stream ended (the camera closed the connection)"
    else:
        head = f"ffmpeg exited with code {code}"
    telling = [line for line in tail if any(hint in line.lower() for hint in ERROR_HINTS)
               and "deprecated" not in line.lower()]
    return f"{head}: {telling[-1]}" if telling else head


def output_fps(info: SourceInfo | None, profile: Profile, encoded: bool) -> float | None:
    if info is None:
        return None
    return round(command.output_fps(info, profile), 2) if encoded else info.fps


def output_height(info: SourceInfo | None, profile: Profile, encoded: bool) -> int | None:
    if info is None:
        return None
    return (command.output_height(info, profile) or info.height) if encoded else info.height


def output_width(info: SourceInfo | None, profile: Profile, encoded: bool) -> int | None:
    if info is None or info.width is None:
        return None
    height = output_height(info, profile, encoded)
    if not encoded or not info.height or height is None or height == info.height:
        return info.width
    return int(round(info.width * height / info.height / 2) * 2)


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def build_status(camera_code: str, state: FeedState, since: datetime, info: SourceInfo | None, profile: Profile,
                 tracker: ProgressTracker, proc, last_tail: list[str], now: float, retry_in: float | None, *,
                 restarts: int, last_error: str | None, playlist: Path) -> FeedStatus:
    """The FeedStatus snapshot: everything in it is safe to show (no URL, redacted texts)."""
    encoded = info is not None and command.needs_video_encode(info, profile)
    return FeedStatus(
        camera_code=camera_code, state=state, since=since,
        fps=output_fps(info, profile, encoded), bitrate_kbps=tracker.bitrate_kbps,
        codec="h264" if info is not None else None,
        width=output_width(info, profile, encoded), height=output_height(info, profile, encoded),
        restarts=restarts, last_error=last_error,
        pid=proc.pid if proc is not None and proc.alive() else None,
        segment_age_s=rounded(tracker.age(now)), playlist_path=str(playlist), bytes_out=tracker.bytes_out,
        stderr_tail=proc.tail() if proc is not None else list(last_tail),
        source_codec=info.video_codec if info else None, transcoding=encoded,
        next_retry_s=rounded(max(0.0, retry_in)) if retry_in is not None else None,
    )
