"""HLS serving rules: which names may be served, and the playlist rewritten to carry the viewer's token.

Only the camera code names a feed's directory and only plain segment file names are served, so no
request path can reach outside the runtime directory.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from geo.codes import is_camera_code
from relay.runtime import PLAYLIST

__all__ = ["PLAYLIST", "UnsafeName", "check_camera_code", "check_media_file", "media_path", "rewrite_playlist"]

MEDIA_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}\.(ts|m4s|mp4|aac)$")
URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')


class UnsafeName(ValueError):
    """A camera code or file name that could escape the runtime directory."""


def check_camera_code(code: str) -> str:
    if not is_camera_code(code):
        raise UnsafeName("not a camera code")
    return code


def check_media_file(name: str) -> str:
    if not MEDIA_FILE.match(name):
        raise UnsafeName("not a media segment name")
    return name


def media_path(feed_dir: Path, name: str) -> Path:
    """The segment's path inside feed_dir, refusing anything that resolves elsewhere."""
    path = (feed_dir / check_media_file(name)).resolve()
    if path.parent != feed_dir.resolve():
        raise UnsafeName("outside the feed directory")
    return path


def _with_token(name: str, token: str) -> str | None:
    if not MEDIA_FILE.match(name):
        return None
    return f"{name}?token={quote(token, safe='')}"


def _rewrite_tag(line: str, token: str) -> str | None:
    match = URI_ATTRIBUTE.search(line)
    if match is None:
        return line
    uri = _with_token(match.group(1), token)
    if uri is None:
        return None
    return line[:match.start(1)] + uri + line[match.end(1):]


def rewrite_playlist(text: str, token: str) -> str:
    """Every segment (and init/map) URI gets ``?token=``; any URI that is not a plain local name is
    dropped with its EXTINF, so a playlist can never point a browser somewhere else."""
    out: list[str] = []
    pending: list[str] = []   # tags describing the next segment (EXTINF ...), dropped with it
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            rewritten = _rewrite_tag(line, token)
            if rewritten is None:
                continue
            (pending if line.startswith(("#EXTINF", "#EXT-X-PROGRAM-DATE-TIME", "#EXT-X-BYTERANGE"))
             else out).append(rewritten)
            continue
        uri = _with_token(line, token)
        if uri is not None:
            out.extend(pending)
            out.append(uri)
        pending = []
    return "\n".join(out) + "\n"
