"""The ffconcat list that carries a camera's URL to ffmpeg: private from its first byte, gone after use."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest

from relay.config import RelayConfig
from relay.probe import probe_argv
from relay.source_list import (
    FEED_LIST,
    feed_list_path,
    list_text,
    remove_leftovers,
    remove_list,
    temporary_list,
    write_list,
)

URL = "rtsp://admin:S3cret@10.0.0.5/stream1"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_feed_list_is_0600_whatever_the_umask_and_replaced_whole(tmp_path):
    path = write_list(feed_list_path(tmp_path), list_text(URL, {}))
    assert path.name == FEED_LIST and mode(path) == 0o600
    assert path.read_text() == f"ffconcat version 1.0\nfile '{URL}'\n"
    write_list(path, list_text("rtsp://h/other", {}))
    assert "S3cret" not in path.read_text() and [p.name for p in tmp_path.iterdir()] == [FEED_LIST]
    remove_list(path)
    remove_list(path)           # twice: no error
    assert not path.exists()


def test_a_probe_list_lives_only_while_the_probe_runs(tmp_path):
    with temporary_list(list_text(URL, {}), tmp_path / "rt") as path:
        assert path.parent == tmp_path / "rt" and mode(path) == 0o600 and URL in path.read_text()
    assert not path.exists() and list((tmp_path / "rt").iterdir()) == []
    with pytest.raises(RuntimeError), temporary_list("x", tmp_path) as path:
        raise RuntimeError("ffprobe failed")
    assert not path.exists()


def test_the_probe_argv_names_the_list_and_no_url(tmp_path):
    argv = probe_argv(tmp_path / ".probe-x.ffconcat", RelayConfig(runtime_dir=tmp_path))
    assert argv[argv.index("-protocol_whitelist") + 1] == "file"
    assert argv[-2:] == ["-i", str(tmp_path / ".probe-x.ffconcat")] and not [a for a in argv if "rtsp" in a]


def test_lists_left_by_a_dead_relay_are_removed_at_the_next_start(tmp_path):
    (tmp_path / "cam-1").mkdir()
    left = [write_list(tmp_path / "cam-1" / FEED_LIST, URL), tmp_path / ".probe-abc.ffconcat",
            tmp_path / "cam-1" / ".source-xyz"]
    left[1].write_text(URL)
    left[2].write_text(URL)
    (tmp_path / "cam-1" / "index.m3u8").write_text("#EXTM3U\n")
    assert remove_leftovers(tmp_path) == 3
    assert not any(p.exists() for p in left) and (tmp_path / "cam-1" / "index.m3u8").exists()
