"""Credential redaction, playlist parsing and progress tracking, config validation."""
from __future__ import annotations

from pathlib import Path

import pytest

from relay.config import RelayConfig, RelayConfigError
from relay.errors import InvalidCameraCode
from relay.playlist import ProgressTracker, parse_playlist
from relay.redact import redact, url_secrets
from relay.runtime import feed_dir, remove_stale_files


@pytest.mark.parametrize("line", [
    "[rtsp @ 0x55] rtsp://admin:hunter22@10.1.2.3:554/ch1: Server returned 401 Unauthorized",
    "Input #0, rtsp, from 'rtsps://admin:hunter22@cam.local/live':",
    "opening rtsp://admin:hun%2Fter22@10.1.2.3/x failed",
    "rtsp://admin@10.1.2.3/x has only a user",
    # issue 12: an unencoded "@" in the password leaked its tail ("rtsp://***@ss@...")
    "Error opening rtsp://admin:hun@ter22@10.1.2.3:554/live: 401",
    "[tcp @ 0x55] Connection to tcp://admin:hun@ter22@10.1.2.3:554?timeout=5 failed",
])
def test_credentials_in_urls_are_masked(line):
    cleaned = redact(line)
    assert "hunter22" not in cleaned and "hun%2Fter22" not in cleaned and "admin" not in cleaned
    assert "***@" in cleaned


@pytest.mark.parametrize("line", [
    "Error opening rtsp://10.1.2.3/cam/realmonitor?channel=1&user=admin&password=hunter22: 401",
    "rtsp://10.1.2.3/live?pwd=hunter22 and rtsp://10.1.2.4/live?token=hunter22&x=1",
])
def test_credentials_in_the_query_string_are_masked(line):
    """Issue 12: a password in the query string appeared in full in the feed's last error and reports."""
    cleaned = redact(line)
    assert "hunter22" not in cleaned and "=***" in cleaned
    assert "channel=1" in cleaned or "x=1" in cleaned   # other parameters stay readable


def test_query_credentials_are_masked_even_when_echoed_alone():
    secrets = url_secrets("rtsp://10.1.2.3/live?user=opr&password=hunter22")
    assert redact("server said: bad password hunter22 for opr", secrets) == "server said: bad password *** for ***"


def test_given_secrets_are_masked_raw_and_percent_decoded():
    secrets = url_secrets("rtsp://op:p%40ss%3Aword@10.0.0.9/x")
    text = "auth failed for op with p@ss:word (encoded p%40ss%3Aword)"
    cleaned = redact(text, secrets)
    assert "p@ss:word" not in cleaned and "p%40ss%3Aword" not in cleaned
    assert redact("nothing secret here", secrets) == "nothing secret here"


PLAYLIST = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:40
#EXTINF:1.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T16:23:52.563+0000
seg_000040.ts
#EXTINF:2.000000,
seg_000041.ts
"""


def test_playlist_parse_numbers_segments_from_media_sequence():
    snap = parse_playlist(PLAYLIST)
    assert snap.target_duration == 2.0 and snap.media_sequence == 40
    assert [(s.sequence, s.name, s.duration) for s in snap.segments] == [
        (40, "seg_000040.ts", 1.0), (41, "seg_000041.ts", 2.0)]
    assert snap.last_sequence == 41


def test_tracker_reports_progress_only_when_a_newer_segment_appears(tmp_path):
    (tmp_path / "seg_000040.ts").write_bytes(b"x" * 1000)
    (tmp_path / "seg_000041.ts").write_bytes(b"x" * 3000)
    tracker = ProgressTracker()
    assert tracker.observe(parse_playlist(PLAYLIST), tmp_path, now=10.0)
    assert not tracker.observe(parse_playlist(PLAYLIST), tmp_path, now=11.0)
    assert tracker.age(12.5) == 2.5 and tracker.bytes_out == 4000
    assert tracker.bitrate_kbps == round(4000 * 8 / 3.0 / 1000, 1)
    assert tracker.next_start_number() == 42
    newer = PLAYLIST.replace("MEDIA-SEQUENCE:40", "MEDIA-SEQUENCE:41")
    (tmp_path / "seg_000042.ts").write_bytes(b"x" * 500)
    assert tracker.observe(parse_playlist(newer.replace("seg_000041", "seg_000042").replace(
        "seg_000040", "seg_000041")), tmp_path, now=13.0)
    assert tracker.bytes_out == 4500 and tracker.age(13.0) == 0.0


def test_empty_or_missing_playlist_is_no_progress(tmp_path):
    tracker = ProgressTracker()
    assert not tracker.observe(None, tmp_path, 1.0)
    assert not tracker.observe(parse_playlist("#EXTM3U\n"), tmp_path, 1.0)
    assert tracker.age(5.0) is None


@pytest.mark.parametrize("code", ["../etc", "a/b", "", ".hidden", "x" * 65, "cam 1", "ca..m"])
def test_unsafe_camera_codes_are_refused(code, tmp_path):
    with pytest.raises(InvalidCameraCode, match="letters, digits"):
        feed_dir(tmp_path, code)


def test_safe_camera_code_maps_inside_runtime_dir(tmp_path):
    assert feed_dir(tmp_path, "JKB-KBJ-0042.a_1") == tmp_path / "JKB-KBJ-0042.a_1"


def test_stale_file_guard_keeps_live_segments_and_the_playlist(tmp_path):
    import os
    for name in ("index.m3u8", "seg_1.ts", "seg_2.ts", "old.ts"):
        (tmp_path / name).write_bytes(b"12345")
        os.utime(tmp_path / name, (1, 1))
    freed = remove_stale_files(tmp_path, {"seg_1.ts", "seg_2.ts"}, older_than_s=60)
    assert freed == 5 and sorted(p.name for p in tmp_path.iterdir()) == ["index.m3u8", "seg_1.ts", "seg_2.ts"]


def test_config_validates_and_backoff_repeats_last_step():
    cfg = RelayConfig(runtime_dir=Path("/tmp/x"))
    assert [cfg.backoff_delay(n) for n in range(1, 9)] == [1, 2, 5, 10, 30, 60, 60, 60]
    assert cfg.io_timeout_us == 5_000_000
    with pytest.raises(RelayConfigError, match="hls_format"):
        RelayConfig(runtime_dir=Path("/tmp/x"), hls_format="dash")
    with pytest.raises(RelayConfigError, match="audio"):
        RelayConfig(runtime_dir=Path("/tmp/x"), audio="opus")
