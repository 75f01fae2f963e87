"""Benchmark: how soon a feed plays again after its camera comes back, by outage length.

Two feeds of identical simulated cameras go down and come back together, in the same run:
  - "checked": the relay's FeedSupervisor as it ships (relay/reach.py asks the camera during backoff);
  - "ladder":  the same supervisor with the check turned off (it retries only at the steps of the
    backoff ladder, 1, 2, 5, 10, 30, 60, 60 ... s), which is what the relay did before.
For each outage length the time from the camera's return to a new segment listed in the playlist is
printed for both, with their ratio (the ladder's figure depends on where in its step the camera
returns, so its wait at that moment is printed too), and the CPU seconds the relay process spent during the outage
(the checks run in it) beside the wall time. A third camera stays down all along, with 50 feeds
pointed at a closed port, so the cost of checking dead cameras shows in the same figures.

    .venv/bin/python bench/recovery.py [--outages 5 45 150 600] [--out /dev/shm/nbs-bench-recovery]
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.vocabulary import FeedState
from relay.command import playlist_path
from relay.config import RelayConfig
from relay.playlist import read_playlist
from relay.profiles import get_profile
from relay.simulator.control import CameraSpec, Simulator
from relay.supervisor import FeedSupervisor

SMALL = {"width": 640, "height": 360, "bitrate_kbps": 800}
DEAD_FEEDS = 50


def last_sequence(sup: FeedSupervisor) -> int:
    snap = read_playlist(playlist_path(sup.out_dir))
    return snap.last_sequence if snap and snap.last_sequence is not None else -1


def closed_port() -> int:
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def wait_running(sups: list[FeedSupervisor], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(s.state == FeedState.RUNNING for s in sups):
            return
        time.sleep(0.1)
    raise SystemExit("the feeds did not start; is the simulator healthy?")


def time_to_segment(sup: FeedSupervisor, mark: int, back: float, found: dict, key: str, limit_s: float) -> None:
    while time.monotonic() - back < limit_s:
        if sup.state == FeedState.RUNNING and last_sequence(sup) > mark:
            found[key] = time.monotonic() - back
            return
        time.sleep(0.02)
    found[key] = None


def one_outage(sim: Simulator, sups: dict[str, FeedSupervisor], down_s: float) -> dict:
    wait_running(list(sups.values()))
    for code in sups:
        sim.stop_camera(code)
    cpu0, wall0 = time.process_time(), time.monotonic()
    time.sleep(down_s)
    cpu = time.process_time() - cpu0
    wall = time.monotonic() - wall0
    marks = {code: last_sequence(sup) for code, sup in sups.items()}
    ladder_wait = sups["ladder"].status().next_retry_s     # where in its step the ladder stands
    for code in sups:
        sim.start_camera(code)
    back = time.monotonic()
    found: dict = {}
    threads = [threading.Thread(target=time_to_segment, args=(sup, marks[code], back, found, code, 90.0))
               for code, sup in sups.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"found": found, "cpu": cpu, "wall": wall, "ladder_wait": ladder_wait}


def fmt(value: float | None) -> str:
    return "never (90 s)" if value is None else f"{value:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outages", type=float, nargs="+", default=[5, 45, 150])
    parser.add_argument("--out", type=Path, default=Path("/dev/shm/nbs-bench-recovery"))
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    config = RelayConfig(runtime_dir=args.out)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}")
    print(f"ladder: {', '.join(f'{s:g}' for s in config.backoff_steps)} s; {DEAD_FEEDS} feeds at a dead camera")
    cameras = [CameraSpec("checked", **SMALL), CameraSpec("ladder", **SMALL)]
    with Simulator(cameras, user="bench", password="bench-secret") as sim:
        sups = {
            "checked": FeedSupervisor("checked", sim.url("checked"), get_profile("copy"), config),
            "ladder": FeedSupervisor("ladder", sim.url("ladder"), get_profile("copy"), config,
                                     checker=lambda url, timeout: None),
        }
        dead_url = f"rtsp://127.0.0.1:{closed_port()}/gone"
        dead = [FeedSupervisor(f"dead-{i:02d}", dead_url, get_profile("copy"), config) for i in range(DEAD_FEEDS)]
        try:
            for sup in [*sups.values(), *dead]:
                sup.start()
            print(f"{'outage':>8} | {'checked':>10} | {'ladder (baseline)':>18} | {'ratio':>6} | "
                  "ladder's next retry at the return | relay CPU during the outage (CPU s / wall s)")
            for down_s in args.outages:
                result = one_outage(sim, sups, down_s)
                checked, ladder = result["found"]["checked"], result["found"]["ladder"]
                ratio = f"{checked / ladder:.2f}" if checked and ladder else "-"
                wait = result["ladder_wait"]
                print(f"{down_s:>6g} s | {fmt(checked):>10} | {fmt(ladder):>18} | {ratio:>6} | "
                      f"{'-' if wait is None else f'{wait:.1f} s':>8} | {result['cpu']:.2f} / {result['wall']:.1f} "
                      f"({100 * result['cpu'] / result['wall']:.1f} % of a core)", flush=True)
        finally:
            for sup in [*sups.values(), *dead]:
                sup.close()
    shutil.rmtree(args.out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
