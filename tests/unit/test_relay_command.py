"""Golden tests of the ffmpeg argv for each profile and camera codec combination."""
from __future__ import annotations

from pathlib import Path

import pytest

from relay.command import build_argv, needs_video_encode, source_list_text
from relay.config import RelayConfig
from relay.probe import SourceInfo
from relay.profiles import UnknownProfile, get_profile

URL = "rtsp://admin:pw@10.0.0.5:554/stream1"
OUT = Path("/run/nbs/cam-1")
H264_1080 = SourceInfo("h264", 1920, 1080, 25.0, None)
H264_PCMA = SourceInfo("h264", 1280, 720, 25.0, "pcm_alaw", 8000)
H264_AAC = SourceInfo("h264", 1280, 720, 25.0, "aac", 16000)
HEVC_720 = SourceInfo("hevc", 1280, 720, 20.0, None)
MJPEG_480 = SourceInfo("mjpeg", 640, 480, 10.0, "pcm_mulaw", 8000)

LIST = OUT / "source.ffconcat"
INPUT = ["ffmpeg", "-f", "concat", "-analyzeduration", "500000", "-probesize", "500000",
         "-protocol_whitelist", "file", "-safe", "0", "-i", str(LIST)]
HLS = ["-f", "hls"]
HLS_TAIL = ["-hls_allow_cache", "0", "-hls_delete_threshold", "2",
            "-hls_flags", "delete_segments+temp_file+omit_endlist+independent_segments+program_date_time",
            "-hls_list_size", "6", "-hls_segment_filename", "/run/nbs/cam-1/seg_%06d.ts",
            "-hls_segment_type", "mpegts", "-hls_time", "1"]
GLOBAL = ["/run/nbs/cam-1/index.m3u8", "-hide_banner", "-nostdin", "-loglevel", "warning", "-nostats", "-y"]


def config(**overrides) -> RelayConfig:
    return RelayConfig(runtime_dir=Path("/run/nbs"), **overrides)


def argv(info: SourceInfo, profile: str = "copy", start_number: int = 0, **cfg) -> list[str]:
    return build_argv(LIST, info, get_profile(profile), config(**cfg), OUT, start_number=start_number)


def x264(kbps: int, keyint: int, seg: str = "1") -> list[str]:
    return ["-b:v", f"{kbps}k", "-bufsize", f"{kbps * 2}k", "-c:v", "libx264",
            "-force_key_frames", f"expr:gte(t,n_forced*{seg})", "-g", str(keyint)]


AAC_ENCODE = ["-ac", "1", "-ar", "16000", "-b:a", "64k", "-c:a", "aac"]


def test_h264_copy_is_a_pure_video_remux_with_optional_audio():
    assert argv(H264_1080) == [*INPUT, "-map", "0:v:0", "-map", "0:a:0?", *HLS, *AAC_ENCODE,
                               "-c:v", "copy", *HLS_TAIL, "-start_number", "0", *GLOBAL]


def test_h264_with_g711_keeps_video_and_encodes_audio_to_aac_at_16k():
    assert argv(H264_PCMA) == argv(H264_1080)      # same argv before and after the probe


def test_aac_audio_is_copied_and_drop_policy_removes_audio():
    got = argv(H264_AAC)
    assert got[got.index("-c:a"):][:2] == ["-c:a", "copy"] and got[got.index("0:v:0") + 2] == "0:a:0"
    dropped = argv(H264_AAC, audio="drop")
    assert "-an" in dropped and "0:a:0" not in dropped and "0:a:0?" not in dropped and "-c:a" not in dropped


def test_h265_is_transcoded_at_source_size_with_keyframes_every_segment():
    got = argv(HEVC_720)
    filt = got[got.index("-filter_complex") + 1] if "-filter_complex" in got else None
    assert filt is None                      # 720 lines <= 1080 cap: no scaling
    for option, value in zip(x264(1800, 20)[::2], x264(1800, 20)[1::2], strict=True):
        assert got[got.index(option) + 1] == value
    assert got[got.index("-preset") + 1] == "veryfast" and got[got.index("-tune") + 1] == "zerolatency"
    assert got[got.index("-sc_threshold") + 1] == "0"


def test_transcode_profiles_scale_and_cap_fps():
    got = argv(H264_1080, "h264-720p")
    assert got[got.index("-filter_complex") + 1] == "[0:v:0]scale=-2:720[s0]"
    assert got[got.index("-b:v") + 1] == "2000k"
    low = argv(H264_1080, "h264-360p-low")
    assert low[low.index("-filter_complex") + 1] == "[0:v:0]scale=-2:360[s0]"
    assert low[low.index("-r") + 1] == "15" and low[low.index("-g") + 1] == "15"


def test_mjpeg_with_mulaw_is_fully_transcoded_without_upscaling():
    got = argv(MJPEG_480, "h264-720p")
    assert "-filter_complex" not in got and got[got.index("-c:v") + 1] == "libx264"
    assert got[got.index("-c:a") + 1] == "aac" and got[got.index("-g") + 1] == "10"


def test_restart_continues_numbering_with_discontinuity_and_fmp4_names_init():
    got = argv(H264_1080, start_number=42, hls_format="fmp4", segment_seconds=2.0)
    assert got[got.index("-start_number") + 1] == "42"
    assert "+discont_start" in got[got.index("-hls_flags") + 1]
    assert got[got.index("-hls_segment_filename") + 1] == "/run/nbs/cam-1/seg_%06d.m4s"
    assert got[got.index("-hls_fmp4_init_filename") + 1] == "init.mp4"
    assert got[got.index("-hls_time") + 1] == "2"


def test_the_argv_opens_only_the_source_list_and_never_holds_the_url():
    for info in (H264_1080, H264_PCMA, HEVC_720, MJPEG_480):
        got = argv(info)
        assert got[got.index("-protocol_whitelist") + 1] == "file"
        assert got.index("-protocol_whitelist") < got.index("-i") and got[got.index("-i") + 1] == str(LIST)
        assert not [a for a in got if "rtsp" in a or "admin" in a or "pw@" in a]


def test_a_stream_url_instead_of_the_list_is_refused():
    with pytest.raises(TypeError):
        build_argv(URL, H264_1080, get_profile("copy"), config(), OUT)


def test_the_source_list_carries_the_camera_and_its_network_only_options():
    text = source_list_text(URL, config())
    lines = text.splitlines()
    assert lines[:2] == ["ffconcat version 1.0", f"file '{URL}'"]
    options = dict(line.split(" ", 2)[1:] for line in lines[2:])
    assert options == {"rtsp_transport": "'tcp'", "timeout": "'5000000'",
                       "protocol_whitelist": "'rtsp,rtsps,rtp,udp,tcp,tls,crypto'",
                       "analyzeduration": "'500000'", "probesize": "'500000'"}
    whitelist = set(options["protocol_whitelist"].strip("'").split(","))
    assert not {"file", "http", "https", "concat", "subfile", "data", "pipe"} & whitelist
    assert source_list_text(URL, config(rtsp_transport="udp")).count("option rtsp_transport 'udp'") == 1


def test_a_quote_in_the_url_stays_inside_its_token_and_line_breaks_are_refused():
    assert source_list_text("rtsp://u:it's@h/p", config()).splitlines()[1] == "file 'rtsp://u:it'\\''s@h/p'"
    with pytest.raises(ValueError):
        source_list_text("rtsp://u:p@h/p\nfile '/etc/shadow'", config())


def test_the_guess_used_before_the_probe_matches_h264_cameras_video_decision():
    from relay.command import GUESSED_SOURCE, video_decision
    copy = get_profile("copy")
    assert video_decision(GUESSED_SOURCE, copy) == video_decision(H264_PCMA, copy) == (False, None, None)
    assert video_decision(HEVC_720, copy) == (True, None, 20.0)


def test_only_h264_is_remuxed():
    assert not needs_video_encode(H264_1080, get_profile("copy"))
    assert needs_video_encode(HEVC_720, get_profile("copy"))
    assert needs_video_encode(H264_1080, get_profile("h264-720p"))


def test_unknown_profile_names_the_choices():
    with pytest.raises(UnknownProfile, match="copy, h264-360p-low, h264-720p"):
        get_profile("4k-hdr")
