"""Benchmark: what one video-wall refresh sends to the browser and costs the server, against a same-run
naive baseline.

Ours: each tile is a small player page (dashboard.components.player.player_html) that loads hls.js
from the relay's /static/hls.min.js, so the browser fetches the 600 kB library once and caches it;
a rerun sends only the tiles' HTML (and an unchanged tile keeps its iframe: the token is stable within
its time bucket).
Baseline: the same tiles with hls.min.js inlined in every tile (what an iframe component with the
library pasted in would send on every rerun).

    .venv/bin/python bench/wall_payload.py [--tiles 16] [--repeat 50]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.components.player import TOKEN_TTL_S, PlayerOptions, player_html, player_source
from dashboard.components.player_script import PLAYER_JS
from relay.tokens import mint_windowed

REPO = Path(__file__).resolve().parents[1]
HLS_JS = REPO / "node_modules" / "hls.js" / "dist" / "hls.min.js"
SECRET = "bench-hls-secret-0123456789abcdef"
LABELS = {k: k for k in ("connecting", "live", "offline", "retrying", "unreachable", "refused", "notFound",
                         "busy", "stalled", "media", "unsupported", "starting")}


def ours(codes: list[str], now: float) -> list[str]:
    return [player_html(player_source("http://relay.example:8787", code,
                                      mint_windowed(SECRET, code, "duty.officer", TOKEN_TTL_S, now)),
                        PlayerOptions(low_bitrate=True, labels=LABELS), PLAYER_JS) for code in codes]


def naive(codes: list[str], now: float, library: str) -> list[str]:
    pages = ours(codes, now)
    return [page.replace("<script>window.NBS_PLAYER", f"<script>{library}</script><script>window.NBS_PLAYER", 1)
            for page in pages]


def timed(build, repeat: int) -> tuple[float, list[str]]:
    samples, pages = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        pages = build()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    library = HLS_JS.read_text(encoding="utf-8")
    codes = [f"JB-{i:03d}" for i in range(1, args.tiles + 1)]
    now = time.time()
    ours_s, ours_pages = timed(lambda: ours(codes, now), args.repeat)
    naive_s, naive_pages = timed(lambda: naive(codes, now, library), args.repeat)
    ours_bytes = sum(len(p.encode()) for p in ours_pages)
    naive_bytes = sum(len(p.encode()) for p in naive_pages)
    stable = ours(codes, now + 1) == ours_pages
    print(f"video wall, {args.tiles} tiles, median of {args.repeat} builds")
    print(f"  ours : {ours_bytes / 1024:8.1f} kB per refresh, {ours_s * 1000:6.2f} ms server time "
          f"(+ hls.min.js {len(library.encode()) / 1024:.0f} kB once, browser-cached)")
    print(f"  naive: {naive_bytes / 1024:8.1f} kB per refresh, {naive_s * 1000:6.2f} ms server time")
    print(f"  ratio ours/naive: bytes {ours_bytes / naive_bytes:.4f}, time {ours_s / naive_s:.2f}")
    print(f"  tiles identical on the next refresh (iframes kept, video not reloaded): {stable}")


if __name__ == "__main__":
    main()
