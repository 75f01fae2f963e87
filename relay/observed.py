"""What a supervisor reports about its feed, derived from the probe, the profile and ffmpeg's exit."""
from __future__ import annotations

from relay import command
from relay.probe import SourceInfo
from relay.profiles import Profile

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
    if not encoded or not info.height or height == info.height:
        return info.width
    return int(round(info.width * height / info.height / 2) * 2)


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
