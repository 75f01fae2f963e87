"""Cost of the relay's HLS gate (token check, playlist rewrite, viewer touch) against bare static serving.

Same run, same machine, same files: real HLS segments cut by ffmpeg from a test pattern are served
(1) by the relay's FastAPI app under uvicorn at /hls/<code>/... with a signed token, and
(2) by a bare Starlette StaticFiles app under uvicorn (the baseline: no token, no rewrite).
Viewers are threads fetching the playlist then its newest segment, like hls.js does each second.
Prints requests per second and latency percentiles for both, and the relay/baseline ratios.

    .venv/bin/python bench/relay_api.py [--viewers 20] [--seconds 10]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db.engine import make_engine, make_session_factory
from db.feeds import LeasePolicy
from db.migrate import upgrade
from db.models import Camera, Feed
from geo.vocabulary import Connection, ConsentLevel, FeedMode, FeedState
from relay.api import ApiSettings, create_app
from relay.manager import FeedManager, ManagerConfig
from relay.schemas import FeedStatus
from relay.tokens import mint_token
from tests.support.relay_api import ServerThread

CODE = "BENCH-001"
SECRET = "bench-hls-secret-0123456789abcdef"


class PreparedFeed:
    """A feed whose HLS files already exist (cut by ffmpeg before the run): the bench measures serving."""

    def __init__(self, source) -> None:
        self.code = source.camera_code

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def restart(self) -> None: ...
    def close(self) -> None: ...

    def status(self) -> FeedStatus:
        return FeedStatus(camera_code=self.code, state=FeedState.RUNNING, since=datetime.now(UTC))


def cut_segments(feed_dir: Path) -> None:
    feed_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25", "-t", "6",
                    "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "4M", "-g", "25", "-f", "hls",
                    "-hls_time", "1", "-hls_list_size", "6", "-hls_segment_filename",
                    str(feed_dir / "seg_%06d.ts"), str(feed_dir / "index.m3u8")], check=True, timeout=300)


def relay_app(root: Path):
    url = f"sqlite:///{root / 'bench.db'}"
    upgrade(url)
    sessions = make_session_factory(make_engine(url))
    with sessions.begin() as s:
        camera = Camera(code=CODE, name="bench", lon=106.8, lat=-6.17, stream_url="rtsp://127.0.0.1/bench",
                        connection=Connection.CONNECTED, consent=ConsentLevel.LIVE)
        s.add(camera)
        s.flush()
        s.add(Feed(camera_id=camera.id, mode=FeedMode.ON_DEMAND, profile="copy", audio="drop",
                   state=FeedState.STOPPED, restarts=0))
    config = ManagerConfig(node_id="bench", public_url="http://127.0.0.1", runtime_dir=root / "rt",
                           lease=LeasePolicy(single_node=True))
    manager = FeedManager(sessions, config, PreparedFeed)
    manager.demand(CODE)
    return create_app(manager, ApiSettings(operator_token=SecretStr("bench-operator"), hls_secret=SecretStr(SECRET)))


def viewer(base: str, query: str, stop_at: float, latencies: dict[str, list[float]], errors: list[str]) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            playlist = client.get(f"/hls/{CODE}/index.m3u8{query}")
            latencies["playlist"].append(time.perf_counter() - started)
            if playlist.status_code != 200:
                errors.append(f"playlist {playlist.status_code}")
                continue
            newest = [line for line in playlist.text.splitlines() if line and not line.startswith("#")][-1]
            if "?" not in newest:
                newest += query
            started = time.perf_counter()
            segment = client.get(f"/hls/{CODE}/{newest}")
            latencies["segment"].append(time.perf_counter() - started)
            if segment.status_code != 200:
                errors.append(f"segment {segment.status_code}")


def run(label: str, base: str, query: str, viewers: int, seconds: float) -> dict:
    latencies: dict[str, list[float]] = {"playlist": [], "segment": []}
    errors: list[str] = []
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=viewer, args=(base, query, stop_at, latencies, errors)) for _ in range(viewers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = {"label": label, "errors": len(errors)}
    for kind, values in latencies.items():
        values.sort()
        result[kind] = {"rps": len(values) / seconds, "p50_ms": 1000 * statistics.median(values),
                        "p95_ms": 1000 * values[int(0.95 * (len(values) - 1))]}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nbs-bench-api-") as tmp:
        root = Path(tmp)
        cut_segments(root / "rt" / CODE)
        relay = ServerThread(relay_app(root)).start()
        bare = ServerThread(Starlette(routes=[Mount("/hls", app=StaticFiles(directory=root / "rt"))])).start()
        try:
            token = mint_token(SECRET, CODE, "bench", ttl=3600)
            baseline = run("bare StaticFiles", bare.url, "", args.viewers, args.seconds)
            gated = run("relay /hls (token)", relay.url, f"?token={token}", args.viewers, args.seconds)
        finally:
            relay.stop()
            bare.stop()
    print(f"HLS serving, {args.viewers} viewers x {args.seconds:g} s, 1080p 4 Mbit/s 1 s segments")
    for result in (baseline, gated):
        print(f"  {result['label']:<20} errors={result['errors']}")
        for kind in ("playlist", "segment"):
            r = result[kind]
            print(f"    {kind:<9} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:7.2f} ms  p95 {r['p95_ms']:7.2f} ms")
    for kind in ("playlist", "segment"):
        ratio = gated[kind]["p50_ms"] / baseline[kind]["p50_ms"]
        print(f"  ratio relay/bare {kind:<9} p50 latency {ratio:5.2f}  "
              f"throughput {gated[kind]['rps'] / baseline[kind]['rps']:5.2f}")


if __name__ == "__main__":
    main()
