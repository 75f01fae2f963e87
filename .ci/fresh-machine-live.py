#!/usr/bin/env python3
"""Live-video probe for .ci/fresh-machine: runs on the host (the root shares its network).

Checks, within a bounded time, that the relay of a running `./run.sh` serves live video:
every always-on (pinned) feed is `running`, and one feed's HLS media playlist advances (its media
sequence or its last segment changes between two fetches a few seconds apart) and serves a
non-empty segment. Standard library only, so it needs nothing but the host's python3.

The operator credential is the one `./run.sh` drew into the data dir's secrets.toml
(settings/secrets_file.py); there is no default to fall back on.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

SECRETS_FILE = "secrets.toml"
OPERATOR_KEY = "relay_operator_token"


def say(msg: str) -> None:
    print(f"[live] {msg}", flush=True)


def find_operator_token(data_dir: Path) -> tuple[str, str]:
    """(token, where it came from) from the secrets file that ./run.sh writes on first start."""
    path = data_dir / SECRETS_FILE
    try:
        token = tomllib.loads(path.read_text(encoding="utf-8")).get(OPERATOR_KEY)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SystemExit(f"FAIL: cannot read the operator token from {path}: {exc}") from None
    if not token:
        raise SystemExit(f"FAIL: {path} has no {OPERATOR_KEY}")
    return token, f"{SECRETS_FILE} in the data dir"


def http(method: str, url: str, token: str | None = None, body: dict | None = None,
         timeout: float = 10.0) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        return 0, str(exc).encode()


def media_playlist(url: str, deadline: float) -> tuple[str, str]:
    """(url, text) of a media playlist: follows the first variant of a master playlist."""
    last = ""
    while time.monotonic() < deadline:
        status, body = http("GET", url)
        if status == 200:
            text = body.decode("utf-8", "replace")
            if "#EXT-X-STREAM-INF" in text:
                variant = next(line for line in text.splitlines() if line and not line.startswith("#"))
                url = urllib.parse.urljoin(url, variant)
                continue
            if segments(text):
                return url, text
            last = "playlist lists no segment yet"
        else:
            last = f"HTTP {status}: {body[:200].decode('utf-8', 'replace')}"
        time.sleep(1)
    raise SystemExit(f"FAIL: no HLS media playlist with segments at {url.split('?')[0]} ({last})")


def segments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def sequence(text: str) -> int:
    match = re.search(r"^#EXT-X-MEDIA-SEQUENCE:(\d+)", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--relay", default="http://127.0.0.1:8787")
    ap.add_argument("--data-dir", type=Path, required=True, help="the demo's data dir, as seen from the host")
    ap.add_argument("--within", type=float, default=60.0, help="seconds allowed for live video")
    ap.add_argument("--started-at", type=float, required=True, help="epoch seconds when ./run.sh was started")
    args = ap.parse_args()
    t0 = time.monotonic()
    deadline = t0 + args.within

    token, source = find_operator_token(args.data_dir)
    say(f"operator credential from {source}")

    # 1. every pinned feed running
    pinned: list[dict] = []
    last = ""
    while True:
        status, body = http("GET", f"{args.relay}/api/feeds", token)
        if status == 200:
            feeds = json.loads(body)["feeds"]
            pinned = [f for f in feeds if f.get("mode") == "always_on"]
            not_running = [f"{f['camera_code']}={f['state']}" for f in pinned if f.get("state") != "running"]
            if pinned and not not_running:
                break
            last = (f"{len(feeds)} feeds, {len(pinned)} pinned; not running: {', '.join(not_running[:10])}"
                    if pinned else f"{len(feeds)} feeds, none pinned")
        elif status == 401:
            raise SystemExit(f"FAIL: the relay refused the operator credential from {source} (HTTP 401)")
        else:
            last = f"GET /api/feeds: HTTP {status} {body[:200].decode('utf-8', 'replace')}"
        if time.monotonic() > deadline:
            raise SystemExit(f"FAIL: pinned feeds not all running within {args.within:.0f} s ({last})")
        time.sleep(1)
    say(f"{len(pinned)} pinned feeds running after {time.monotonic() - t0:.1f} s: "
        + ", ".join(f["camera_code"] for f in pinned))

    # 2. one feed's playlist advances and serves a segment
    feed = pinned[0]
    code = feed["camera_code"]
    status, body = http("POST", f"{args.relay}/api/feeds/{urllib.parse.quote(code, safe='')}/token", token,
                        {"user": "fresh-machine-check", "ttl_s": 300})
    if status != 200:
        raise SystemExit(f"FAIL: POST /api/feeds/{code}/token: HTTP {status} {body[:200]!r}")
    grant = json.loads(body)
    base = (grant.get("node_url") or args.relay).rstrip("/")
    url = f"{base}{grant['hls_path']}?token={urllib.parse.quote(grant['token'])}"
    url, first = media_playlist(url, deadline)
    seq0, segs0 = sequence(first), segments(first)
    seg_url = urllib.parse.urljoin(url, segs0[-1])
    status, seg = http("GET", seg_url)
    if status != 200 or not seg:
        raise SystemExit(f"FAIL: segment {segs0[-1].split('?')[0]} of {code}: HTTP {status}, {len(seg)} bytes")
    say(f"{code}: media sequence {seq0}, {len(segs0)} segments, last segment {len(seg)} bytes")
    while True:
        time.sleep(2)
        status, body = http("GET", url)
        if status == 200:
            text = body.decode("utf-8", "replace")
            if segments(text) and (sequence(text) > seq0 or segments(text)[-1] != segs0[-1]):
                break
        if time.monotonic() > deadline:
            raise SystemExit(f"FAIL: {code}'s playlist did not advance within {args.within:.0f} s "
                             f"(media sequence stayed {seq0})")
    say(f"{code}: media sequence {seq0} -> {sequence(text)} (last segment "
        f"{segs0[-1].split('?')[0]} -> {segments(text)[-1].split('?')[0]})")
    say(f"live video {time.monotonic() - t0:.1f} s after the dashboard answered; "
        f"{time.time() - args.started_at:.0f} s after ./run.sh started")
    return 0


if __name__ == "__main__":
    sys.exit(main())
