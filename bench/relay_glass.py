"""Benchmark: glass-to-glass latency, simulated camera -> relay -> hls.js in headless Chromium.

The simulator turns its picture white at a known wall time; a page playing the feed with hls.js
(from node_modules, tuned for live with catch-up) samples every presented frame
(requestVideoFrameCallback) and records when the picture turns white. Same-run baseline: the
identical ffmpeg argv run bare, outside the relay, played by the same page. The HLS files are
served by a plain static HTTP server, so this measures the media pipeline and the player, not the
relay API's token checks.

    .venv/bin/python bench/relay_glass.py [--flashes 6]
"""
from __future__ import annotations

import argparse
import functools
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from geo.vocabulary import FeedState
from relay.command import build_argv, playlist_path, source_list_text
from relay.config import RelayConfig
from relay.probe import probe
from relay.profiles import get_profile
from relay.simulator.control import CameraSpec, Simulator
from relay.source_list import feed_list_path, write_list
from relay.supervisor import FeedSupervisor

REPO = Path(__file__).resolve().parents[1]
HLS_JS = REPO / "node_modules" / "hls.js" / "dist" / "hls.min.js"
CHROMIUM = "/usr/bin/chromium"
PAGE = """<!doctype html><html><body style="margin:0;background:#000">
<video id="v" muted autoplay playsinline style="width:640px"></video>
<canvas id="c" width="16" height="9" style="display:none"></canvas>
<script src="/hls.min.js"></script>
<script>
window.whiteAt = []; window.playing = false;
const video = document.getElementById('v');
const ctx = document.getElementById('c').getContext('2d', {willReadFrequently: true});
const hls = new Hls({liveSyncDurationCount: 1, liveMaxLatencyDurationCount: 3, maxLiveSyncPlaybackRate: 1.5,
                     backBufferLength: 0, lowLatencyMode: false, enableWorker: true});
hls.loadSource('/hls/index.m3u8'); hls.attachMedia(video);
hls.on(Hls.Events.MANIFEST_PARSED, () => video.play());
let wasWhite = false;
function onFrame(now, meta) {
  window.playing = true;
  ctx.drawImage(video, 0, 0, 16, 9);
  const px = ctx.getImageData(0, 0, 16, 9).data;
  let sum = 0; for (let i = 0; i < px.length; i += 4) sum += (px[i] + px[i + 1] + px[i + 2]) / 3;
  const white = sum / (px.length / 4) > 190;
  if (white && !wasWhite) window.whiteAt.push(performance.timeOrigin + meta.presentationTime);
  wasWhite = white;
  video.requestVideoFrameCallback(onFrame);
}
video.requestVideoFrameCallback(onFrame);
</script></body></html>"""


def serve(feed_dir: Path, www: Path) -> ThreadingHTTPServer:
    """Static server: /index.html, /hls.min.js, and /hls/* from the feed directory."""

    class Handler(SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            clean = path.split("?")[0]
            if clean.startswith("/hls/"):
                return str(feed_dir / Path(clean[5:]).name)
            return str(www / Path(clean).name)

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def log_message(self, *args) -> None:
            pass

    www.mkdir(parents=True, exist_ok=True)
    (www / "index.html").write_text(PAGE)
    shutil.copy(HLS_JS, www / "hls.min.js")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(www)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure(sim: Simulator, page, flashes: int) -> list[float]:
    page.wait_for_function("window.playing === true", timeout=30000)
    time.sleep(8)                                # let hls.js settle on the live edge
    results = []
    for _ in range(flashes):
        sim.flash("cam", on=False)
        time.sleep(2.5)
        seen = page.evaluate("window.whiteAt.length")
        at = sim.flash("cam", on=True)
        try:
            page.wait_for_function(f"window.whiteAt.length > {seen}", timeout=15000)
            results.append(page.evaluate("window.whiteAt[window.whiteAt.length - 1]") / 1000 - at)
        except PlaywrightTimeout:
            print("  a flash was not seen within 15 s")
    sim.flash("cam", on=False)
    return sorted(results)


def run(kind: str, sim: Simulator, root: Path, browser, flashes: int) -> list[float]:
    runtime = root / kind
    config = RelayConfig(runtime_dir=runtime)
    feed = runtime / "cam"
    feed.mkdir(parents=True, exist_ok=True)
    sup, bare = None, None
    if kind == "relay":
        sup = FeedSupervisor("cam", sim.url("cam"), get_profile("copy"), config)
        sup.start()
    else:
        listed = write_list(feed_list_path(feed), source_list_text(sim.url("cam"), config))
        argv = build_argv(listed, probe(sim.url("cam"), config), get_profile("copy"), config, feed)
        bare = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    server = serve(feed, root / "www")
    try:
        deadline = time.monotonic() + 30
        while not playlist_path(feed).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
        values = measure(sim, page, flashes)
        if sup is not None:
            assert sup.state == FeedState.RUNNING, sup.status().last_error
        page.close()
        return values
    finally:
        server.shutdown()
        if sup is not None:
            sup.close()
        if bare is not None:
            bare.terminate()
            bare.wait(timeout=10)


def fmt(values: list[float]) -> str:
    if not values:
        return "no flash seen"
    return (f"median {statistics.median(values):.2f} s, min {min(values):.2f} s, max {max(values):.2f} s "
            f"(n={len(values)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flashes", type=int, default=6)
    args = parser.parse_args()
    if not HLS_JS.exists():
        print(f"missing {HLS_JS}: run `npm install` first")
        return 2
    spec = [CameraSpec("cam", width=1920, height=1080, bitrate_kbps=4000),
            CameraSpec("keeper", width=1920, height=1080, bitrate_kbps=4000)]
    root = Path(tempfile.mkdtemp(prefix="nbs-glass-"))
    with Simulator(spec) as sim, sync_playwright() as pw:
        keeper = subprocess.Popen(["ffmpeg", "-v", "quiet", "-rtsp_transport", "tcp", "-i", sim.url("keeper"),
                                   "-c", "copy", "-f", "null", "-"], stdin=subprocess.DEVNULL)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--autoplay-policy=no-user-gesture-required"])
        try:
            bare = run("bare", sim, root, browser, args.flashes)
            relay = run("relay", sim, root, browser, args.flashes)
        finally:
            browser.close()
            keeper.kill()
            keeper.wait()
    shutil.rmtree(root, ignore_errors=True)
    print("glass-to-glass (camera flash -> white frame presented by hls.js in headless Chromium), 1080p 1 s GOP")
    print(f" bare ffmpeg: {fmt(bare)}")
    print(f" relay:       {fmt(relay)}")
    if bare and relay:
        print(f" ratio relay/bare (median): {statistics.median(relay) / statistics.median(bare):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
