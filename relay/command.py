"""Build the ffmpeg argv for one feed. The ONLY module that imports ffmpeg-python, and only to
compile an argv: nothing here runs a process (relay.process does).

Decisions, in order:
- video: H.264 with the `copy` profile is remuxed (`-c:v copy`, no encoder, ~0 CPU); anything a
  browser cannot play (H.265, MJPEG ...) or any transcode profile is encoded with libx264
  (veryfast, zerolatency) with keyframes forced every segment, so segments are exactly
  `segment_seconds` long.
- audio: AAC is copied; G.711 (PCMA/PCMU) or other codecs are encoded to AAC, or every audio
  stream is dropped when the relay's audio policy is "drop".
- input: the camera's URL is never in the argv (any local user can read it there): ffmpeg reads a
  0600 ffconcat list (relay/source_list.py) that names the camera and carries its input options,
  RTSP over TCP with a socket timeout (so a dead camera ends ffmpeg instead of hanging it) and a
  protocol whitelist that refuses file:, http:, concat:, subfile: and the like; the argv itself may
  open only that list.
- output: HLS, short segments cut on keyframes, a short playlist, old segments deleted, playlist
  and segments written to temporary names and renamed, so a reader never sees half a file.
"""
from __future__ import annotations

from pathlib import Path

import ffmpeg

from relay.config import RelayConfig
from relay.probe import SourceInfo
from relay.profiles import Profile
from relay.runtime import PLAYLIST
from relay.source_list import CONCAT_INPUT, list_text, source_options

BROWSER_VIDEO_CODECS = ("h264",)
DEFAULT_FPS = 25.0
AAC_RATE = 16000        # G.711 is 8 kHz: too few bits per AAC frame at 8 kHz, and browsers like 16k
# Before the probe answers, a `copy` feed starts on this guess (most cameras send H.264); the
# supervisor replaces the process only if the real probe changes the video decision.
GUESSED_SOURCE = SourceInfo("h264", None, None, None, None)
ANALYZE = 500000          # analyzeduration (us) and probesize (bytes) for the camera
HLS_FLAGS = "delete_segments+temp_file+omit_endlist+independent_segments+program_date_time"


def playlist_path(out_dir: Path) -> Path:
    return Path(out_dir) / PLAYLIST


def segment_pattern(out_dir: Path, config: RelayConfig) -> Path:
    suffix = "m4s" if config.hls_format == "fmp4" else "ts"
    return Path(out_dir) / f"seg_%06d.{suffix}"


def needs_video_encode(probe: SourceInfo, profile: Profile) -> bool:
    return profile.transcode or probe.video_codec not in BROWSER_VIDEO_CODECS


def source_list_text(source_url: str, config: RelayConfig) -> str:
    """The ffconcat list (relay/source_list.py) a feed's ffmpeg reads its camera from."""
    return list_text(source_url, source_options(config, ANALYZE))


def build_argv(source_list: Path, probe: SourceInfo, profile: Profile, config: RelayConfig,
               out_dir: Path, start_number: int = 0) -> list[str]:
    """The complete argv (program first) that pulls the camera named in the list file `source_list`
    (written from `source_list_text`; the argv holds its path, never the URL) into HLS under `out_dir`.

    start_number > 0 (a restart) continues the segment numbering of the previous run and marks
    the new run's first segment as a discontinuity, so players keep going across the restart.
    """
    if not isinstance(source_list, Path):
        raise TypeError("build_argv takes the source list's path; a stream URL never goes on the command line")
    source = ffmpeg.input(str(source_list), **_input_options())
    streams = [_video(source, probe, profile)]
    audio_selector, audio_options = _audio_plan(probe, profile, config)
    if audio_selector is not None:
        streams.append(source[audio_selector])
    options = {**_video_options(probe, profile, config), **audio_options,
               **_hls_options(config, out_dir, start_number)}
    output = ffmpeg.output(*streams, str(playlist_path(out_dir)), **options)
    output = output.global_args("-hide_banner", "-nostdin", "-loglevel", "warning", "-nostats")
    return output.compile(cmd=config.ffmpeg_path, overwrite_output=True)


def _input_options() -> dict:
    """The concat demuxer reading the list; the camera's own options are in the list."""
    flags = dict(zip(CONCAT_INPUT[::2], CONCAT_INPUT[1::2], strict=True))
    return {name.lstrip("-"): value for name, value in flags.items()} | {
        "analyzeduration": str(ANALYZE), "probesize": str(ANALYZE)}


def _video(source, probe: SourceInfo, profile: Profile):
    video = source["v:0"]
    if not needs_video_encode(probe, profile):
        return video
    height = output_height(probe, profile)
    if height is not None:
        video = video.filter("scale", -2, height)
    return video


def output_height(probe: SourceInfo, profile: Profile) -> int | None:
    """Lines to scale to, or None to keep the source's (never upscales)."""
    wanted = profile.height or profile.max_height
    if probe.height is None:
        return profile.height
    return wanted if probe.height > wanted else None


def output_fps(probe: SourceInfo, profile: Profile) -> float:
    fps = probe.fps or DEFAULT_FPS
    return min(fps, profile.max_fps) if profile.max_fps else fps


def video_bitrate_kbps(probe: SourceInfo, profile: Profile) -> int:
    """The profile's bitrate, scaled down for small pictures when the profile keeps the source size."""
    if profile.height is not None:
        return profile.video_bitrate_kbps
    lines = output_height(probe, profile) or probe.height or profile.max_height
    scaled = profile.video_bitrate_kbps * (lines / profile.max_height) ** 2
    return max(300, int(round(scaled / 50) * 50))


def _video_options(probe: SourceInfo, profile: Profile, config: RelayConfig) -> dict:
    if not needs_video_encode(probe, profile):
        return {"c:v": "copy"}
    fps = output_fps(probe, profile)
    kbps = video_bitrate_kbps(probe, profile)
    keyint = max(1, round(fps * config.segment_seconds))
    options = {
        "c:v": "libx264", "preset": profile.preset, "tune": profile.tune,
        "profile:v": "main", "pix_fmt": "yuv420p",
        "b:v": f"{kbps}k", "maxrate": f"{kbps}k", "bufsize": f"{kbps * 2}k",
        "g": str(keyint), "keyint_min": str(keyint), "sc_threshold": "0",
        "force_key_frames": f"expr:gte(t,n_forced*{config.segment_seconds:g})",
    }
    if profile.max_fps and (probe.fps is None or probe.fps > profile.max_fps):
        options["r"] = f"{profile.max_fps:g}"
    return options


def _audio_plan(probe: SourceInfo, profile: Profile, config: RelayConfig) -> tuple[str | None, dict]:
    """Which audio stream to map and how: AAC is copied; anything else (G.711, none, not yet known)
    is mapped optionally ("a:0?") and encoded to 16 kHz mono AAC, so the same argv serves a camera
    without audio and one whose audio is not known yet."""
    if config.audio == "drop":
        return None, {"an": None}
    if probe.audio_codec == "aac":
        return "a:0", {"c:a": "copy"}
    return "a:0?", {"c:a": "aac", "b:a": f"{profile.audio_bitrate_kbps}k", "ac": "1", "ar": str(AAC_RATE)}


def video_decision(probe: SourceInfo, profile: Profile) -> tuple[bool, int | None, float | None]:
    """What decides the video half of the argv: encode or not, output height, output fps."""
    if not needs_video_encode(probe, profile):
        return (False, None, None)
    return (True, output_height(probe, profile), output_fps(probe, profile))


def _hls_options(config: RelayConfig, out_dir: Path, start_number: int) -> dict:
    flags = HLS_FLAGS + ("+discont_start" if start_number > 0 else "")
    options = {
        "f": "hls",
        "hls_time": f"{config.segment_seconds:g}",
        "hls_list_size": str(config.playlist_size),
        "hls_delete_threshold": "2",
        "hls_flags": flags,
        "start_number": str(start_number),
        "hls_segment_type": config.hls_format,
        "hls_segment_filename": str(segment_pattern(out_dir, config)),
        "hls_allow_cache": "0",
    }
    if config.hls_format == "fmp4":
        options["hls_fmp4_init_filename"] = "init.mp4"
    return options
