"""Benchmark: start-up of the `noblindspot` command, against a same-run baseline.

Each command runs as a fresh subprocess (the way a user or `noblindspot up` starts it), several
times; the figures are medians of wall time and of CPU time (user + system of the child, from
os.wait4). Baselines, measured in the same run: `python -c pass` (the interpreter alone) and
`python -c "import geopandas, streamlit"` (what every command paid before the CLI loaded its
command modules lazily).

    .venv/bin/python bench/startup.py [--runs 9]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = "from noblindspot.cli import cli; cli(prog_name='noblindspot')"
CASES = {
    "python -c pass": ["-c", "pass"],
    "import geopandas, streamlit": ["-c", "import geopandas, streamlit"],
    "noblindspot --help": ["-c", CLI, "--help"],
    "noblindspot users --help": ["-c", CLI, "users", "--help"],
}
BASELINE = "import geopandas, streamlit"


def run_once(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{args} exited with {child.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(runs: int) -> dict[str, tuple[float, float]]:
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in CASES}
    for _ in range(runs):               # interleaved, so a load change hits every case alike
        for name, args in CASES.items():
            samples[name].append(run_once(args))
    return {name: (statistics.median(w for w, _c in got), statistics.median(c for _w, c in got))
            for name, got in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    for args in CASES.values():         # warm the page cache and the bytecode
        run_once(args)
    figures = measure(runs)
    base_wall, base_cpu = figures[BASELINE]
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {runs} runs each, medians, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'command':<30} {'wall s':>8} {'cpu s':>8} {'wall / geo+st':>14} {'cpu / geo+st':>13}")
    for name, (wall, cpu) in figures.items():
        print(f"{name:<30} {wall:8.3f} {cpu:8.3f} {wall / base_wall:14.2f} {cpu / base_cpu:13.2f}")


if __name__ == "__main__":
    main()
