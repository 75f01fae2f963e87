"""The relay's runtime directory: one sub-directory per feed, named by the camera code.

Camera codes become path components, so they are checked against a safe charset first. The size
of the tree stays bounded: ffmpeg deletes old segments itself, and `remove_stale_files()` removes
whatever an earlier run left behind.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from geo.codes import CODE_RULE_TEXT, is_camera_code
from relay.errors import InvalidCameraCode
from relay.source_list import FEED_LIST

# The camera-code rule lives in geo/codes.py (the importer refuses what the relay could never serve);
# the one playlist name is here. relay/hls.py and relay/command.py use these.
PLAYLIST = "index.m3u8"
KEEP = {PLAYLIST, "init.mp4", "ffmpeg.pid", FEED_LIST}   # the source list goes when its ffmpeg stops


def validate_camera_code(code: str) -> str:
    text = str(code)
    if not is_camera_code(text):
        raise InvalidCameraCode(f"camera code '{text[:80]}' cannot name a feed; use {CODE_RULE_TEXT}")
    return text


def feed_dir(runtime_dir: Path, camera_code: str) -> Path:
    return Path(runtime_dir) / validate_camera_code(camera_code)


def clean_feed_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def remove_stale_files(path: Path, live_names: set[str], older_than_s: float) -> int:
    """Delete files not in the playlist and not touched for older_than_s; return bytes freed."""
    freed, cutoff = 0, time.time() - older_than_s
    try:
        entries = list(Path(path).iterdir())
    except OSError:
        return 0
    for entry in entries:
        if entry.name in KEEP or entry.name in live_names or not entry.is_file():
            continue
        try:
            stat = entry.stat()
            if stat.st_mtime < cutoff:
                entry.unlink()
                freed += stat.st_size
        except OSError:
            continue
    return freed


def tree_bytes(path: Path) -> int:
    total = 0
    for entry in Path(path).rglob("*"):
        try:
            if entry.is_file():
                total += entry.stat().st_size
        except OSError:
            continue
    return total


def newest_write_age(path: Path) -> float | None:
    """Seconds since ffmpeg last wrote any segment file (finished or `.tmp`) in a feed directory."""
    newest = None
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.name.startswith("seg_"):
                    try:
                        mtime = entry.stat().st_mtime
                    except OSError:
                        continue
                    newest = mtime if newest is None else max(newest, mtime)
    except OSError:
        return None
    return None if newest is None else max(0.0, time.time() - newest)


def guard_feed_dir(path: Path, snapshot, config, target_duration: float | None) -> None:
    """Remove files the playlist no longer lists once they are older than (list size + 4) segments,
    or at once (except files written in the last 2 s) when the directory exceeds its budget."""
    live = {s.name for s in snapshot.segments} if snapshot else set()
    horizon = (config.playlist_size + 4) * max(config.segment_seconds, target_duration or 0.0)
    remove_stale_files(path, live, older_than_s=horizon)
    if tree_bytes(path) > config.max_runtime_bytes:
        remove_stale_files(path, live, older_than_s=2.0)
