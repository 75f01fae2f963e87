"""ffprobe's JSON read into what a handed-over file is, and the store's names: pure, no files."""
import json
from datetime import UTC, datetime

import pytest

from db.evidence_store import EvidenceStore, EvidenceStoreError, clean_name, extension
from geo.media_info import NotMedia, RefusalReason, creation_time, ffprobe_argv, parse_ffprobe


def _probe(streams, fmt=None) -> str:
    return json.dumps({"streams": streams, "format": fmt or {}})


MP4 = {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "120.040000",
       "tags": {"creation_time": "2026-11-21T15:10:00.000000Z"}}
H264 = {"codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080, "nb_frames": "3001"}


def test_a_dvr_mp4_with_creation_time_gives_its_time_range():
    info = parse_ffprobe(_probe([H264, {"codec_type": "audio", "codec_name": "aac"}], MP4))
    assert (info.container, info.video_codec, info.width, info.height) == (MP4["format_name"], "h264", 1920, 1080)
    assert info.duration_s == pytest.approx(120.04)
    assert info.media_start == datetime(2026, 11, 21, 15, 10, tzinfo=UTC)
    assert (info.media_end - info.media_start).total_seconds() == pytest.approx(120.04)


def test_no_creation_time_or_an_unset_recorder_clock_gives_no_range():
    info = parse_ffprobe(_probe([H264], {"format_name": "avi", "duration": "5"}))
    assert info.media_start is None and info.media_end is None and info.duration_s == 5
    assert creation_time({"creation_time": "1970-01-01T00:00:00Z"}) is None
    assert creation_time({"CREATION_TIME": "2026-11-21 22:10:00+07:00"}) == datetime(2026, 11, 21, 15, 10,
                                                                                      tzinfo=UTC)
    assert creation_time({"creation_time": "yesterday"}) is None and creation_time(None) is None


@pytest.mark.parametrize("text, reason", [
    ("not json", RefusalReason.NOT_MEDIA),
    ("[1, 2]", RefusalReason.NOT_MEDIA),
    (_probe([{"codec_type": "audio", "codec_name": "pcm_s16le"}], {"format_name": "wav"}), RefusalReason.NO_VIDEO),
    (_probe([{"codec_type": "video", "codec_name": "png"}], {"format_name": "png_pipe"}), RefusalReason.NO_VIDEO),
    (_probe([{"codec_type": "video", "codec_name": "mjpeg"}], {"format_name": "image2"}), RefusalReason.NO_VIDEO),
    (_probe([{"codec_type": "audio", "codec_name": "mp3"},
             {"codec_type": "video", "codec_name": "mjpeg", "disposition": {"attached_pic": 1}}],
            {"format_name": "mp3"}), RefusalReason.NO_VIDEO),
])
def test_files_without_footage_are_refused_with_a_reason(text, reason):
    with pytest.raises(NotMedia) as refused:
        parse_ffprobe(text)
    assert refused.value.reason is reason


def test_ffprobe_reads_only_the_local_file():
    argv = ffprobe_argv("ffprobe", "/x/a.mp4")
    assert argv[argv.index("-protocol_whitelist") + 1] == "file" and argv[-1] == "/x/a.mp4"
    assert {"-show_format", "-show_streams"} <= set(argv)


@pytest.mark.parametrize("raw, clean", [
    ("../../etc/passwd", "passwd"), ("C:\\DVR\\CH01.h264", "CH01.h264"), ("a\x00b\x1f.mp4", "ab.mp4"),
    ("", "unnamed"), (None, "unnamed"), ("...", "unnamed"), (".hidden.mp4", "hidden.mp4"),
])
def test_owner_file_names_lose_directories_and_control_characters(raw, clean):
    assert clean_name(raw) == clean


def test_long_names_keep_their_extension_and_odd_extensions_are_dropped():
    name = clean_name("x" * 300 + ".mp4")
    assert len(name) == 255 and name.endswith(".mp4")
    assert extension("CH01.MP4") == ".mp4" and extension("a.tar.gz") == ".gz" and extension("a.<script>") == ""
    assert extension("noext") == ""


def test_store_paths_stay_inside_the_root(tmp_path):
    store = EvidenceStore(tmp_path)
    assert store.relative_path(3, 12, "ab" * 32, ".mp4", accepted=True) == "files/3/12_abababababab.mp4"
    assert store.relative_path(3, 12, "ab" * 32, "", accepted=False) == "quarantine/3/12_abababababab"
    assert store.path_of("files/3/x.mp4") == tmp_path.resolve() / "files" / "3" / "x.mp4"
    for bad in ("../x", "/etc/passwd", "files/../../x", ""):
        with pytest.raises(EvidenceStoreError):
            store.path_of(bad)
