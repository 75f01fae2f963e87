"""Benchmark: coverage per district, who-can-see-a-point and connect-next, each against a same-run
naive baseline.

* coverage, 19,942 cameras (the demo West Jakarta, kecamatan + kelurahan) and 200,000 cameras over
  the 270 kelurahan of DKI Jakarta (../shared/data; skipped with a message when absent).
  Baseline: shapely union_all of every cone polygon, then intersection with each district.
  Ours: the 5 m raster (geo.coverage), "cold" (district grid built too) and "warm" (grid reused, as
  the product does while districts and layers are unchanged).
* who-sees at 200,000 cameras: STRtree index + exact cone test, per query after the index build.
  Baseline: the exact cone test over every camera (vectorised numpy, no index).
* connect-next: 120 of 19,942 with 15 per kecamatan. Baseline: plain greedy that recomputes every
  candidate's gain at every step (no lazy queue).

    .venv/bin/python bench/coverage.py [--skip-dki] [--queries 500] [--parts demo-coverage connect ...]
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.coverage import analyse_coverage, build_coverage_grid, camera_fields
from geo.crs import JAKARTA_EPSG, to_metric
from geo.demo import generate_demo
from geo.fov import cone_polygons, in_cone
from geo.planners.connect_next import _candidate_cells, _weights, candidate_mask, plan_connect_next
from geo.visibility import build_camera_index, cameras_seeing_point

PARTS = ("demo-coverage", "connect", "dki-coverage", "who-sees")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


class Timing(float):
    """Wall seconds (the float) with the process CPU seconds beside it (.cpu): the machine is shared,
    so CPU time is the steadier figure."""
    cpu: float

    def __str__(self) -> str:
        return f"{float(self):7.2f} s wall {self.cpu:7.2f} s cpu"


def timed(fn, *args, **kwargs):
    start, cpu = time.perf_counter(), time.process_time()
    value = fn(*args, **kwargs)
    out = Timing(time.perf_counter() - start)
    out.cpu = time.process_time() - cpu
    return value, out


def ratio(base: Timing, ours: Timing) -> str:
    return f"ratio {base / ours:5.1f}x wall, {base.cpu / max(ours.cpu, 1e-9):5.1f}x cpu"


def naive_coverage(cameras: pd.DataFrame, district_frames: list[gpd.GeoDataFrame]) -> list[np.ndarray]:
    cones = cone_polygons(cameras, epsg=JAKARTA_EPSG, to_wgs84=False).geometry.to_numpy()
    union = shapely.union_all(cones)
    out = []
    for frame in district_frames:
        geoms = frame.to_crs(JAKARTA_EPSG).geometry.to_numpy()
        out.append(100 * shapely.area(shapely.intersection(geoms, union)) / shapely.area(geoms))
    return out


def raster_coverage(cameras, district_frames, priority=None, grids=None):
    grids = grids or [build_coverage_grid(f, priority) for f in district_frames]
    out, previous = [], None
    for grid in grids:  # the second level reuses the first level's covered cells (same grid)
        previous = analyse_coverage(cameras, grid=grid, reuse=previous)
        out.append(previous.table["registered_coverage_pct"].to_numpy())
    return out


def report_coverage(label: str, cameras, frames, priority=None) -> None:
    base, t_base = timed(naive_coverage, cameras, frames)
    ours, t_cold = timed(raster_coverage, cameras, frames, priority)
    grids = [build_coverage_grid(f, priority) for f in frames]
    _, t_warm = timed(raster_coverage, cameras, frames, priority, grids)
    diff = max(np.abs(a - b).max() for a, b in zip(base, ours, strict=True))
    n = sum(len(f) for f in frames)
    print(f"coverage {label}: {len(cameras):,} cameras, {n} districts")
    print(f"  baseline union_all + intersect: {t_base}")
    print(f"  raster 5 m, cold (grid built):  {t_cold}  {ratio(t_base, t_cold)}")
    print(f"  raster 5 m, warm (grid reused): {t_warm}  {ratio(t_base, t_warm)}")
    print(f"  largest difference from the exact union: {diff:.3f} percentage points")


def dki_cameras(frame: gpd.GeoDataFrame, n: int, seed: int = 7) -> pd.DataFrame:
    """Demo-like cameras (60% fixed, 30% dome, 10% PTZ) placed inside the mainland kelurahan."""
    rng = np.random.default_rng(seed)
    mainland = frame[frame["regency"] != "Kepulauan Seribu"].to_crs(JAKARTA_EPSG)
    minx, miny, maxx, maxy = mainland.total_bounds
    area = shapely.union_all(mainland.geometry.to_numpy())
    shapely.prepare(area)
    xs, ys = [], []
    while sum(len(x) for x in xs) < n:
        x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        keep = shapely.contains_xy(area, x, y)
        xs.append(x[keep]), ys.append(y[keep])
    x, y = np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    from geo.crs import to_lonlat
    lon, lat = to_lonlat(x, y, JAKARTA_EPSG)
    kind = rng.choice(["fixed", "dome", "ptz"], n, p=[0.6, 0.3, 0.1])
    return pd.DataFrame({"code": [f"B{i}" for i in range(n)], "lon": lon, "lat": lat, "kind": kind,
                         "bearing_deg": rng.uniform(0, 360, n), "connection": "registered"})


def report_who_sees(cameras: pd.DataFrame, queries: int) -> None:
    index, t_build = timed(build_camera_index, cameras)
    rng = np.random.default_rng(3)
    picks = cameras.sample(queries, random_state=3)
    offsets = rng.uniform(-0.0003, 0.0003, (queries, 2))  # ~30 m around cameras: real candidates
    points = picks[["lon", "lat"]].to_numpy() + offsets
    times, cpu, found = [], [], 0
    for lon, lat in points:
        start, start_cpu = time.perf_counter(), time.process_time()
        found += len(cameras_seeing_point(index, lon, lat))
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    fields = camera_fields(cameras, build_coverage_grid_like(index))
    base, base_cpu = [], []
    for lon, lat in points[: min(queries, 100)]:
        start, start_cpu = time.perf_counter(), time.process_time()
        px, py = to_metric(lon, lat, JAKARTA_EPSG)
        seen = np.flatnonzero(in_cone(px, py, fields["x"].to_numpy(), fields["y"].to_numpy(),
                                      fields["bearing_deg"].to_numpy(), fields["fov_deg"].to_numpy(),
                                      fields["range_m"].to_numpy()))
        cameras.iloc[seen]
        base.append(time.perf_counter() - start)
        base_cpu.append(time.process_time() - start_cpu)
    t, c = np.array(times) * 1000, np.array(cpu) * 1000
    b, bc = np.median(base) * 1000, np.median(base_cpu) * 1000
    print(f"who-sees at {len(cameras):,} cameras: index build {t_build}; {queries} queries, "
          f"{found / queries:.1f} cameras per answer")
    print(f"  ours: median {np.median(t):.2f} ms wall ({np.median(c):.2f} ms cpu), p95 {np.percentile(t, 95):.2f} ms "
          f"wall ({np.percentile(c, 95):.2f} ms cpu)")
    print(f"  baseline (cone test over every camera): median {b:.2f} ms wall ({bc:.2f} ms cpu)  "
          f"ratio {b / np.median(t):5.1f}x wall, {bc / np.median(c):5.1f}x cpu")


class build_coverage_grid_like:
    def __init__(self, index):
        self.epsg = index.epsg


def naive_greedy(cameras, grid, budget, quota):
    fields = camera_fields(cameras, grid)
    pool = np.flatnonzero(candidate_mask(cameras))
    weight = _weights(grid, "area")
    cand = _candidate_cells(grid, fields.iloc[pool], weight)
    covered = grid.grid.zeros(bool)
    owner = np.repeat(np.arange(len(pool)), np.diff(cand.start))
    district = cameras["kecamatan_code"].to_numpy()[pool]
    used: dict = {}
    picks = []
    for _ in range(budget):
        gains = np.bincount(owner, weights=~covered[cand.cells], minlength=len(pool))
        full = np.array([used.get(d, 0) >= quota for d in district])
        gains[full] = -1
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        covered[cand.cells[cand.start[best]:cand.start[best + 1]]] = True
        used[district[best]] = used.get(district[best], 0) + 1
        picks.append(best)
    return picks


def report_connect(demo) -> None:
    kecamatan = demo.districts[demo.districts["level"] == "kecamatan"]
    grid = build_coverage_grid(kecamatan)
    plan, t_ours = timed(plan_connect_next, demo.cameras, grid, 120, 15)
    _, t_base = timed(naive_greedy, demo.cameras, grid, 120, 15)
    print(f"connect-next 120 of {len(demo.cameras):,} (15 per kecamatan, {plan.candidates:,} with live consent)")
    print(f"  lazy greedy: {t_ours}; plain greedy baseline: {t_base}  {ratio(t_base, t_ours)}")
    print(f"  adds {plan.greedy_gain_m2:,.0f} m2 live; upper bound {plan.upper_bound_gain_m2:,.0f} m2 "
          f"(within {plan.optimality_gap_pct:.1f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-dki", action="store_true", help="Skip the 200,000-camera DKI Jakarta runs.")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS), help="Which runs (default: all).")
    args = parser.parse_args()
    demo = generate_demo(now=datetime(2026, 11, 22, tzinfo=UTC))
    kec = demo.districts[demo.districts["level"] == "kecamatan"]
    kel = demo.districts[demo.districts["level"] == "kelurahan"]
    if "demo-coverage" in args.parts:
        report_coverage("demo West Jakarta", demo.cameras, [kec, kel], demo.priority)
    if "connect" in args.parts:
        report_connect(demo)
    if args.skip_dki or not {"dki-coverage", "who-sees"} & set(args.parts):
        return
    if not (SHARED / "dki_jakarta_kelurahan.geojson").exists():
        print(f"skipping the 200,000-camera runs: {SHARED}/dki_jakarta_kelurahan.geojson is absent")
        return
    dki = gpd.read_file(SHARED / "dki_jakarta_kelurahan.geojson").rename(
        columns={"village_code": "code", "village": "name"})
    cameras = dki_cameras(dki, 200_000)
    if "dki-coverage" in args.parts:
        report_coverage("DKI Jakarta kelurahan", cameras, [dki])
    if "who-sees" in args.parts:
        report_who_sees(cameras, args.queries)


if __name__ == "__main__":
    main()
