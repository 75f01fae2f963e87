"""Benchmark: generating (and optionally loading) the demo at 19,942 and 200,000 cameras.

Same-run baseline: camera placement done the naive way (one candidate point at a time, projected
and tested with Point-in-polygon in a Python loop) against the vectorised placement the demo uses,
on the same kecamatan and counts. Prints absolute figures and the ratio.

    .venv/bin/python bench/demo.py [--sizes 19942 200000] [--load] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.demo import generate_demo
from geo.demo.boundaries import build_layout
from geo.demo.facts import KECAMATAN
from geo.demo.placement import cameras_per_kecamatan, place_cameras
from geo.demo.priority import road_lines_metric
from geo.demo.projection import geometry_to_lonlat, metric_to_lonlat


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def naive_placement(layout, counts, rng) -> int:
    """The baseline: one uniform candidate at a time, scalar projection, unprepared contains."""
    placed = 0
    for cell, count in zip(layout.kecamatan, counts, strict=True):
        polygon = geometry_to_lonlat(cell)
        minx, miny, maxx, maxy = cell.bounds
        kept = 0
        while kept < count:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            lon, lat = metric_to_lonlat([x], [y])
            if polygon.contains(shapely.Point(lon[0], lat[0])):
                kept += 1
        placed += kept
    return placed


def vectorised_placement(layout, counts, rng) -> int:
    from geo.demo import _placement_areas
    return len(place_cameras(_placement_areas(layout), counts, rng).lon)


def bench_placement(size: int) -> None:
    layout = build_layout(np.random.default_rng(1))
    road_lines_metric(layout.outline)
    counts = cameras_per_kecamatan(size, np.array([k.population for k in KECAMATAN]), 15)
    fast, n_fast = timed(vectorised_placement, layout, counts, np.random.default_rng(2))
    slow, n_slow = timed(naive_placement, layout, counts, np.random.default_rng(2))
    assert n_fast == n_slow == size
    print(f"placement   {size:>7,} cameras: vectorised {fast:6.2f} s | naive baseline {slow:6.2f} s "
          f"| {slow / fast:5.1f}x faster")


def bench_generate(size: int) -> None:
    seconds, demo = timed(generate_demo, cameras=size)
    print(f"generate    {size:>7,} cameras: {seconds:6.2f} s ({size / seconds:,.0f} cameras/s), "
          f"{len(demo.owners):,} owners")


def bench_load(size: int, url: str, label: str) -> None:
    from db.engine import make_engine, make_session_factory
    from db.io.demo_loader import load_demo
    from db.migrate import upgrade
    upgrade(url)
    engine = make_engine(url)
    demo = generate_demo(cameras=size)
    try:
        with make_session_factory(engine).begin() as session:
            seconds, _ = timed(load_demo, session, demo)
    finally:
        engine.dispose()
    print(f"load {label:<6} {size:>7,} cameras: {seconds:6.2f} s ({size / seconds:,.0f} cameras/s)")


def postgres_schema_url(base: str):
    from urllib.parse import quote

    from sqlalchemy import create_engine, text

    from db.engine import normalise_url
    base = normalise_url(base)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[19_942, 200_000])
    parser.add_argument("--load", action="store_true", help="also time loading into a fresh SQLite file")
    parser.add_argument("--postgres", default=os.environ.get("NOBLINDSPOT_BENCH_POSTGRES_URL"),
                        help="also time loading into a fresh schema of this PostgreSQL database")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, shapely {shapely.__version__}")
    for size in args.sizes:
        bench_placement(size)
        bench_generate(size)
        if args.load:
            with tempfile.TemporaryDirectory() as tmp:
                bench_load(size, f"sqlite:///{tmp}/bench.db", "sqlite")
        if args.postgres:
            url, drop = postgres_schema_url(args.postgres)
            try:
                bench_load(size, url, "pg")
            finally:
                drop()


if __name__ == "__main__":
    main()
