"""Benchmark: ffmpeg reading the camera through the 0600 ffconcat list (relay/source_list.py) against
the same ffmpeg with the URL on its command line (the relay's argv before issue 15), in the same run.

N simulated 720p H.264 cameras (1 s GOP, one shared encoder) are pulled by bare ffmpeg processes, the
`copy` argv of relay.command.build_argv, once per way (the baseline first, then the list; then both
again, so drift on a shared machine shows). Printed per phase: time from start to the first listed
segment (median, max), CPU (% of one core) per feed over the window, and feeds whose playlist advanced.

    .venv/bin/python bench/relay_source_list.py [--feeds 10] [--window 10] [--out /dev/shm/nbs-bench-list]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from relay.command import build_argv, playlist_path, source_list_text
from relay.config import RelayConfig
from relay.playlist import read_playlist
from relay.probe import SourceInfo
from relay.profiles import get_profile
from relay.simulator.control import CameraSpec, Simulator
from relay.source_list import feed_list_path, source_options, write_list

INFO = SourceInfo("h264", 1280, 720, 25.0, None)


def url_argv(url: str, config: RelayConfig, out: Path) -> list[str]:
    """The argv as it was: the concat input replaced by the URL and its options on the command line."""
    listed = build_argv(feed_list_path(out), INFO, get_profile("copy"), config, out)
    cut = listed.index("-i") + 2
    options = [part for name, value in source_options(config, 500000).items() for part in (f"-{name}", value)]
    return [listed[0], *options, "-i", url, *listed[cut:]]


def list_argv(url: str, config: RelayConfig, out: Path) -> list[str]:
    listed = write_list(feed_list_path(out), source_list_text(url, config))
    return build_argv(listed, INFO, get_profile("copy"), config, out)


def last_sequence(out: Path) -> int | None:
    snapshot = read_playlist(playlist_path(out))
    return snapshot.last_sequence if snapshot else None


def run_phase(name: str, make_argv, sim: Simulator, codes: list[str], config: RelayConfig, window_s: float) -> None:
    shutil.rmtree(config.runtime_dir, ignore_errors=True)
    procs, started, firsts = {}, {}, {}
    for code in codes:
        out = config.runtime_dir / code
        out.mkdir(parents=True)
        argv = make_argv(sim.url(code), config, out)
        started[code] = time.monotonic()
        procs[code] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while len(firsts) < len(codes) and time.monotonic() < deadline:
        for code in codes:
            if code not in firsts and last_sequence(config.runtime_dir / code) is not None:
                firsts[code] = time.monotonic() - started[code]
        time.sleep(0.02)
    handles = [psutil.Process(p.pid) for p in procs.values()]
    cpu0 = sum(sum(h.cpu_times()[:2]) for h in handles)
    seq0 = {code: last_sequence(config.runtime_dir / code) or -1 for code in codes}
    t0 = time.monotonic()
    time.sleep(window_s)
    cpu = sum(sum(h.cpu_times()[:2]) for h in handles) - cpu0
    elapsed = time.monotonic() - t0
    advancing = sum((last_sequence(config.runtime_dir / code) or -1) > seq0[code] + 1 for code in codes)
    for proc in procs.values():
        proc.terminate()
    for proc in procs.values():
        proc.wait(timeout=10)
    times = sorted(firsts.values()) or [float("nan")]
    print(f"{name:>5}: first segment median {statistics.median(times):.2f} s, max {times[-1]:.2f} s "
          f"({len(firsts)}/{len(codes)}); CPU {100 * cpu / elapsed / len(codes):.2f} % of a core per feed; "
          f"advancing {advancing}/{len(codes)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=Path("/dev/shm/nbs-bench-list"))
    args = parser.parse_args()
    codes = [f"cam-{i:03d}" for i in range(args.feeds)]
    config = RelayConfig(runtime_dir=args.out)
    specs = [CameraSpec(code, width=1280, height=720, bitrate_kbps=2000, gop_s=1.0) for code in codes]
    with Simulator(specs, user="bench", password="Bench-pw-123") as sim:
        for _round in range(2):
            run_phase("url", url_argv, sim, codes, config, args.window)
            run_phase("list", list_argv, sim, codes, config, args.window)
    shutil.rmtree(args.out, ignore_errors=True)


if __name__ == "__main__":
    main()
