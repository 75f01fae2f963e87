"""The camera's address reaches ffmpeg and ffprobe in a private file, never on their command line.

Every local user can read every process's argv (``/proc/<pid>/cmdline``, ``ps -ef``), and a stream URL
usually carries the DVR's user name and password. So the relay writes the URL into a one-entry
ffconcat list (the concat demuxer's own format), mode 0600 and owned by the relay's user, and runs
``ffmpeg -f concat -safe 0 -protocol_whitelist file -i <list>``: the argv holds only the list's path.

The list also carries the RTSP input options as ``option`` lines, which the concat demuxer applies
when it opens its entry; among them the relay's protocol whitelist, so the entry can be nothing but
rtsp/rtsps (the outer whitelist, ``file``, only lets ffmpeg read the list itself). A feed's list lives
in its runtime directory beside the playlist (never served: relay/hls.py serves segment names only)
and is removed when its ffmpeg stops; a probe's list is a temporary file removed when ffprobe ends.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from relay.config import RelayConfig

FEED_LIST = "source.ffconcat"
# what ffmpeg's own argv may open: the list, nothing else
LIST_WHITELIST = "file"
# what the list's one entry may open (the relay's whitelist for cameras)
SOURCE_WHITELIST = "rtsp,rtsps,rtp,udp,tcp,tls,crypto"
CONCAT_INPUT = ("-f", "concat", "-safe", "0", "-protocol_whitelist", LIST_WHITELIST)


def feed_list_path(out_dir: Path) -> Path:
    return Path(out_dir) / FEED_LIST


def quote(value: str) -> str:
    """``value`` as one ffconcat token: single-quoted, an inner ``'`` written as ``'\\''``."""
    return "'" + value.replace("'", "'\\''") + "'"


def list_text(source_url: str, options: dict[str, str]) -> str:
    """The ffconcat list opening ``source_url`` with ``options`` (ffmpeg input options, name -> value)."""
    if any(ch in source_url for ch in "\r\n\0"):
        raise ValueError("a stream URL with a line break or NUL byte cannot be listed")
    lines = ["ffconcat version 1.0", f"file {quote(source_url)}"]
    lines += [f"option {name} {quote(str(value))}" for name, value in options.items()]
    return "\n".join(lines) + "\n"


def source_options(config: RelayConfig, analyze_us: int) -> dict[str, str]:
    """The input options the list applies to the camera's RTSP connection."""
    return {"rtsp_transport": config.rtsp_transport, "timeout": str(config.io_timeout_us),
            "protocol_whitelist": SOURCE_WHITELIST, "analyzeduration": str(analyze_us),
            "probesize": str(analyze_us)}


def write_list(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (0600 from its first byte, replaced whole, never half-written)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".source-", dir=path.parent)      # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def remove_list(path: Path) -> None:
    Path(path).unlink(missing_ok=True)


@contextmanager
def temporary_list(text: str, directory: Path | None) -> Iterator[Path]:
    """A 0600 list holding ``text`` in ``directory`` (the relay's runtime directory) while the block runs."""
    where = None
    if directory is not None:
        Path(directory).mkdir(mode=0o700, parents=True, exist_ok=True)
        where = str(directory)
    fd, name = tempfile.mkstemp(prefix=".probe-", suffix=".ffconcat", dir=where)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def remove_leftovers(runtime_dir: Path) -> int:
    """Remove the lists a relay that died left in ``runtime_dir`` (run after its ffmpeg is reaped)."""
    root = Path(runtime_dir)
    found = [*root.glob(".probe-*.ffconcat"), *root.glob(f"*/{FEED_LIST}"), *root.glob("*/.source-*")]
    for path in found:
        path.unlink(missing_ok=True)
    return len(found)
