"""Benchmark: the relay's media side against bare ffmpeg running the identical argv.

For each N, N simulated 1080p H.264 cameras (~4 Mbit/s, 1 s GOP, ONE shared encoder) are pulled
twice in the same run: first by bare ffmpeg processes (argv from relay.command.build_argv, no
supervision), then by FeedSupervisors (the relay). Printed per phase:
  - CPU (% of one core) and PSS memory per feed; for the relay also with the supervisor threads'
    own CPU/PSS overhead; the relay/bare ratio;
  - feeds whose playlist advanced during the measurement window (all must);
  - time from start to a playable playlist (first segment listed);
  - latency camera -> listed: the simulator turns its picture white at a known wall time; the time
    until the first segment holding a white frame is listed in the playlist;
  - (relay only) recovery after a camera reboot: time from the camera's return to a new segment.

    .venv/bin/python bench/relay.py [--sizes 1 10 40 120] [--window 10] [--out /dev/shm/nbs-bench]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.vocabulary import FeedState
from relay.command import build_argv, playlist_path, source_list_text
from relay.config import RelayConfig
from relay.playlist import read_playlist
from relay.probe import probe
from relay.profiles import get_profile
from relay.simulator.control import CameraSpec, Simulator
from relay.source_list import feed_list_path, write_list
from relay.supervisor import FeedSupervisor

WHITE_LUMA = 190
KEEPER = "keeper"
LABEL = "1080p H.264 ~4 Mbit/s"
SAMPLE_FEEDS = 6          # feeds decoded for the latency probe (decoding costs CPU)


@dataclass
class Phase:
    name: str
    cpu_pct_per_feed: float = 0.0
    pss_mb_per_feed: float = 0.0
    overhead_cpu_pct_per_feed: float = 0.0
    overhead_pss_mb_per_feed: float = 0.0
    advancing: int = 0
    stream_kbps: float = 0.0
    states: str = ""
    start_s: list = field(default_factory=list)
    latency_s: list = field(default_factory=list)
    recovery_s: list = field(default_factory=list)


# ---- feeds: bare and supervised ----------------------------------------------------------------

class BareFeeds:
    def __init__(self, urls: dict[str, str], config: RelayConfig) -> None:
        self.urls, self.config, self.procs = urls, config, {}
        first = next(iter(urls.values()))
        self.info = probe(first, config)          # identical cameras: one probe, as the relay's cache would

    def start(self, code: str) -> None:
        out = self.config.runtime_dir / code
        out.mkdir(parents=True, exist_ok=True)
        listed = write_list(feed_list_path(out), source_list_text(self.urls[code], self.config))
        argv = build_argv(listed, self.info, get_profile("copy"), self.config, out)
        self.procs[code] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, start_new_session=True)

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs.values()]

    def close(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class RelayFeeds:
    def __init__(self, urls: dict[str, str], config: RelayConfig) -> None:
        self.urls, self.config = urls, config
        self.sups = {code: FeedSupervisor(code, url, get_profile("copy"), config) for code, url in urls.items()}

    def start(self, code: str) -> None:
        self.sups[code].start()

    def pids(self) -> list[int]:
        return [pid for pid in (s.status().pid for s in self.sups.values()) if pid]

    def close(self) -> None:
        threads = [threading.Thread(target=s.close) for s in self.sups.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


# ---- measurements ------------------------------------------------------------------------------

def last_sequence(out_dir: Path) -> int | None:
    snap = read_playlist(playlist_path(out_dir))
    return snap.last_sequence if snap else None


def start_all(feeds, codes: list[str], runtime: Path, timeout_s: float = 30.0) -> list[float]:
    began = {}
    for code in codes:
        began[code] = time.monotonic()
        feeds.start(code)
    ready: dict[str, float] = {}
    deadline = time.monotonic() + timeout_s
    while len(ready) < len(codes) and time.monotonic() < deadline:
        for code in codes:
            if code not in ready and last_sequence(runtime / code) is not None:
                ready[code] = time.monotonic() - began[code]
        time.sleep(0.02)
    return sorted(ready.values())


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system
        except psutil.Error:
            continue
    return total


def pss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            total += psutil.Process(pid).memory_full_info().pss
        except psutil.Error:
            continue
    return total / 2**20


def own_cpu() -> float:
    t = psutil.Process().cpu_times()
    return t.user + t.system


def measure_window(feeds, codes, runtime: Path, window_s: float, phase: Phase, own_idle_cpu_rate: float) -> None:
    pids = feeds.pids()
    before = {c: last_sequence(runtime / c) for c in codes}
    cpu0, own0, t0 = cpu_seconds(pids), own_cpu(), time.monotonic()
    time.sleep(window_s)
    elapsed = time.monotonic() - t0
    n = len(codes)
    phase.cpu_pct_per_feed = 100 * (cpu_seconds(pids) - cpu0) / elapsed / n
    phase.pss_mb_per_feed = pss_mb(pids) / n
    own_rate = (own_cpu() - own0) / elapsed
    phase.overhead_cpu_pct_per_feed = 100 * max(0.0, own_rate - own_idle_cpu_rate) / n
    phase.advancing = sum(1 for c in codes if (last_sequence(runtime / c) or -1) > (before[c] or -1))
    phase.stream_kbps = stream_kbps(runtime / codes[0])
    if isinstance(feeds, RelayFeeds):
        statuses = [sup.status() for sup in feeds.sups.values()]
        counts = Counter(st.state.value for st in statuses)
        restarts = sum(st.restarts for st in statuses)
        reasons = Counter((st.last_error or "")[:60] for st in statuses if st.last_error)
        phase.states = f"states {dict(counts)}, restarts {restarts}, reasons {dict(reasons.most_common(3))}"


def stream_kbps(out_dir: Path) -> float:
    snap = read_playlist(playlist_path(out_dir))
    if not snap:
        return 0.0
    sizes = [(out_dir / seg.name).stat().st_size for seg in snap.segments if (out_dir / seg.name).exists()]
    seconds = sum(seg.duration for seg in snap.segments[:len(sizes)])
    return sum(sizes) * 8 / seconds / 1000 if seconds else 0.0


def white_in(segment: Path) -> bool:
    """True when some frame of the segment is mostly white (the simulator's flash)."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(segment), "-an", "-vf", "scale=16:9,format=gray",
                          "-f", "rawvideo", "-"], check=False, capture_output=True, timeout=30).stdout
    frames = [out[i:i + 144] for i in range(0, len(out) - 143, 144)]
    return any(sum(f) / len(f) > WHITE_LUMA for f in frames)


def watch_for_white(out_dir: Path, since_sequence: int, flashed_at: float, timeout_s: float) -> float | None:
    """Seconds from the flash to the listing of the first segment with a white frame.

    A poller thread notes when each segment first appears in the playlist; decoding happens
    beside it, so a slow decode never delays the listing time that is measured."""
    first_seen: dict[str, float] = {}
    order: list[str] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            snap = read_playlist(playlist_path(out_dir))
            now = time.time()
            for seg in (snap.segments if snap else ()):
                if seg.sequence > since_sequence and seg.name not in first_seen:
                    first_seen[seg.name] = now
                    order.append(seg.name)
            time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        checked = 0
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if checked < len(order):
                name = order[checked]
                checked += 1
                if white_in(out_dir / name):
                    return first_seen[name] - flashed_at
            else:
                time.sleep(0.02)
        return None
    finally:
        done.set()
        poller.join()


def _watch_into(found: dict, code: str, out_dir: Path, mark: int, flashed_at: float) -> None:
    found[code] = watch_for_white(out_dir, mark, flashed_at, 10.0)


def measure_latency(sim: Simulator, codes: list[str], runtime: Path, cycles: int = 3) -> list[float]:
    sample = codes[:: max(1, len(codes) // SAMPLE_FEEDS)][:SAMPLE_FEEDS]
    results: list[float] = []
    for _ in range(cycles):
        sim.flash(codes[0], on=False)
        time.sleep(2.5)
        marks = {c: last_sequence(runtime / c) or -1 for c in sample}
        flashed_at = sim.flash(codes[0], on=True)
        found: dict[str, float | None] = {}
        threads = [threading.Thread(target=_watch_into, args=(found, c, runtime / c, marks[c], flashed_at))
                   for c in sample]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results += [v for v in found.values() if v is not None]
    sim.flash(codes[0], on=False)
    return sorted(results)


def measure_recovery(sim: Simulator, feeds: RelayFeeds, code: str, runtime: Path, down_s: float) -> float | None:
    sim.stop_camera(code)
    time.sleep(down_s)
    mark = last_sequence(runtime / code) or -1
    sim.start_camera(code)
    back = time.monotonic()
    deadline = back + 40
    while time.monotonic() < deadline:
        sup = feeds.sups[code]
        if sup.state == FeedState.RUNNING and (last_sequence(runtime / code) or -1) > mark:
            return time.monotonic() - back
        time.sleep(0.05)
    return None


# ---- one phase, one size -----------------------------------------------------------------------

def run_phase(kind: str, sim: Simulator, n: int, root: Path, window_s: float, idle_rate: float) -> Phase:
    runtime = root / kind
    shutil.rmtree(runtime, ignore_errors=True)
    runtime.mkdir(parents=True)
    config = RelayConfig(runtime_dir=runtime)
    codes = [f"cam-{i:03d}" for i in range(1, n + 1)]
    urls = {c: sim.url(c) for c in codes}
    feeds = BareFeeds(urls, config) if kind == "bare" else RelayFeeds(urls, config)
    phase = Phase(kind)
    try:
        phase.start_s = start_all(feeds, codes, runtime)
        time.sleep(3)
        measure_window(feeds, codes, runtime, window_s, phase, idle_rate)
        phase.latency_s = measure_latency(sim, codes, runtime)
        if kind == "relay":
            for code in codes[:3]:
                value = measure_recovery(sim, feeds, code, runtime, down_s=3.0)
                if value is not None:
                    phase.recovery_s.append(value)
    finally:
        feeds.close()
        shutil.rmtree(runtime, ignore_errors=True)
    return phase


def idle_cpu_rate(seconds: float = 3.0) -> float:
    own0, t0 = own_cpu(), time.monotonic()
    time.sleep(seconds)
    return (own_cpu() - own0) / (time.monotonic() - t0)


def fmt(values: list[float]) -> str:
    if not values:
        return "none"
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"median {statistics.median(values):.2f} s, p95 {p95:.2f} s, max {max(values):.2f} s (n={len(values)})"


def report(n: int, bare: Phase, relay: Phase) -> None:
    ratio_cpu = relay.cpu_pct_per_feed / bare.cpu_pct_per_feed if bare.cpu_pct_per_feed else float("nan")
    total_relay = relay.cpu_pct_per_feed + relay.overhead_cpu_pct_per_feed
    ratio_total = total_relay / bare.cpu_pct_per_feed if bare.cpu_pct_per_feed else float("nan")
    ratio_pss = relay.pss_mb_per_feed / bare.pss_mb_per_feed if bare.pss_mb_per_feed else float("nan")
    print(f"\n=== N = {n} feeds ({LABEL}, 1 s GOP, copy) ===")
    for p in (bare, relay):
        print(f"{p.name:>5}: CPU {p.cpu_pct_per_feed:.2f} %/feed (ffmpeg), PSS {p.pss_mb_per_feed:.1f} MB/feed, "
              f"advancing {p.advancing}/{n}, stream {p.stream_kbps:.0f} kbit/s")
        print(f"       start->playable: {fmt(p.start_s)}")
        print(f"       camera->listed latency: {fmt(p.latency_s)}")
    print(f"relay feeds at the end of the window: {relay.states}")
    print(f"relay supervision overhead (python threads): {relay.overhead_cpu_pct_per_feed:.3f} %/feed")
    print(f"ratio relay/bare: CPU ffmpeg {ratio_cpu:.2f}, CPU incl. supervision {ratio_total:.2f}, PSS {ratio_pss:.2f}")
    print(f"recovery after a 3 s camera reboot (camera back -> new segment): {fmt(relay.recovery_s)}")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 40, 120])
    parser.add_argument("--window", type=float, default=10.0, help="CPU measurement window (s)")
    parser.add_argument("--out", type=Path, default=Path("/dev/shm/nbs-bench-relay"))
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--bitrate", type=int, default=4000)
    args = parser.parse_args()
    width = args.height * 16 // 9
    global LABEL
    LABEL = f"{args.height}p H.264 ~{args.bitrate / 1000:g} Mbit/s"
    cameras = [CameraSpec(f"cam-{i:03d}", width=width, height=args.height, bitrate_kbps=args.bitrate)
               for i in range(1, max(args.sizes) + 1)]
    cameras.append(CameraSpec(KEEPER, width=width, height=args.height, bitrate_kbps=args.bitrate))
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}")
    with Simulator(cameras, user="bench", password="bench-secret") as sim:
        print(f"simulator: {len(cameras)} cameras, {sim.listing()['encoders']} shared encoder(s), pid {sim.pid}")
        # A real camera's encoder never sleeps: one viewer outside the measurement keeps the shared
        # encoder running, so start times are not charged for the simulator building its pipeline.
        keeper = subprocess.Popen(["ffmpeg", "-v", "quiet", "-rtsp_transport", "tcp", "-i", sim.url(KEEPER),
                                   "-c", "copy", "-f", "null", "-"], stdin=subprocess.DEVNULL)
        time.sleep(3)
        idle = idle_cpu_rate()
        for n in args.sizes:
            bare = run_phase("bare", sim, n, args.out, args.window, idle)
            relay = run_phase("relay", sim, n, args.out, args.window, idle)
            report(n, bare, relay)
        keeper.kill()
        keeper.wait()
    shutil.rmtree(args.out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
