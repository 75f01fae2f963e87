"""Ask the camera what it sends (ffprobe), with a hard timeout and the relay's protocol whitelist.

The camera's URL reaches ffprobe in a temporary 0600 list file (relay/source_list.py), never in its argv.
"""
from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from relay.config import RelayConfig
from relay.errors import SourceUnreachable, UnsupportedSource
from relay.redact import redact, url_secrets
from relay.source_list import CONCAT_INPUT, list_text, source_options, temporary_list

PROBE_ANALYZE = 100000      # analyzeduration (us) and probesize (bytes): a probe wants an answer fast


@dataclass(frozen=True)
class SourceInfo:
    video_codec: str                 # ffmpeg codec name: "h264", "hevc", "mjpeg" ...
    width: int | None
    height: int | None
    fps: float | None
    audio_codec: str | None = None   # "aac", "pcm_alaw", "pcm_mulaw" ... or None
    audio_sample_rate: int | None = None


def probe(url: str, config: RelayConfig, cancel: threading.Event | None = None) -> SourceInfo:
    """Describe the camera's streams; SourceUnreachable (redacted reason) when it does not answer.

    `cancel` (set by a supervisor being stopped) ends the probe early with SourceUnreachable.
    """
    deadline = config.io_timeout_s * 2 + 5
    try:
        listed = temporary_list(list_text(url, source_options(config, PROBE_ANALYZE)), config.runtime_dir)
        with listed as source_list:
            try:
                proc = subprocess.Popen(probe_argv(source_list, config), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
            except OSError as exc:
                raise SourceUnreachable(f"cannot run ffprobe ({exc.strerror}); install ffmpeg") from None
            stdout, stderr = _wait(proc, deadline, cancel)
    except OSError as exc:
        raise SourceUnreachable(f"cannot write the probe's source list ({exc.strerror}); is the runtime "
                                "disk full?") from None
    if proc.returncode != 0:
        raise SourceUnreachable(_reason(stderr, url, source_list))
    return parse_probe_json(stdout)


def _wait(proc: subprocess.Popen, deadline: float, cancel: threading.Event | None) -> tuple[str, str]:
    end = time.monotonic() + deadline
    while True:
        try:
            return proc.communicate(timeout=0.1)
        except subprocess.TimeoutExpired:
            pass
        cancelled = cancel is not None and cancel.is_set()
        if cancelled or time.monotonic() > end:
            proc.kill()
            proc.communicate()
            raise SourceUnreachable("probe cancelled" if cancelled
                                    else f"camera did not answer within {deadline:.0f} s")


def probe_argv(source_list: Path, config: RelayConfig) -> list[str]:
    """ffprobe reading the camera named in ``source_list`` (the list carries its RTSP options)."""
    return [config.ffprobe_path, "-hide_banner", "-v", "error", *CONCAT_INPUT,
            "-analyzeduration", str(PROBE_ANALYZE), "-probesize", str(PROBE_ANALYZE),
            "-show_entries", "stream=codec_type,codec_name,width,height,avg_frame_rate,r_frame_rate,sample_rate",
            "-of", "json", "-i", str(source_list)]


def parse_probe_json(text: str) -> SourceInfo:
    try:
        streams = json.loads(text or "{}").get("streams", [])
    except json.JSONDecodeError:
        raise UnsupportedSource("ffprobe returned unreadable output") from None
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None or not video.get("codec_name"):
        raise UnsupportedSource("camera sends no video stream")
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    return SourceInfo(
        video_codec=video["codec_name"],
        width=_int(video.get("width")),
        height=_int(video.get("height")),
        fps=_rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate")),
        audio_codec=audio.get("codec_name") if audio else None,
        audio_sample_rate=_int(audio.get("sample_rate")) if audio else None,
    )


def _reason(stderr: str, url: str, source_list: Path) -> str:
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    last = lines[-1] if lines else "ffprobe failed without a message"
    last = last.removeprefix(f"{source_list}: ")        # ffprobe names its input: the list, not the camera
    return redact(last, url_secrets(url))[:300]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rate(value) -> float | None:
    try:
        rate = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    return float(rate) if rate > 0 else None
