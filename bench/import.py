"""Benchmark: import 19,942 and 200,000 cameras from CSV into SQLite and PostgreSQL.

The real pipeline end to end (read CSV, validate every row, upsert owners and cameras, assign
districts), then the same file again (all unchanged). Same-run baseline: a naive row-by-row ORM
upsert (select by code, add or update, flush per row) of the 19,942-row file, no validation.

    .venv/bin/python bench/import.py [--sizes 19942 200000] [--postgres URL] [--skip-baseline]

The PostgreSQL URL defaults to NOBLINDSPOT_TEST_DATABASE_URL; each run uses a schema of its own.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import create_engine, select, text

from db.engine import make_engine, make_session_factory, normalise_url
from db.io.boundaries import BoundaryOptions
from db.io.pipeline import ImportOptions, import_boundaries, import_records
from db.migrate import upgrade
from db.models import Camera, Owner

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
BBOX = (106.69, -6.21, 106.82, -6.12)
KINDS = np.array(["fixed", "dome", "ptz"])
CLASSES = np.array(["government", "company", "housing", "private"])


def camera_csv(n: int, path: Path, seed: int = 20240501) -> Path:
    """A deterministic registry of n cameras inside West Jakarta (real outline when available)."""
    rng = np.random.default_rng(seed)
    lon, lat = _points(rng, n)
    owners = max(1, n // 10)
    owner_idx = rng.integers(0, owners, n)
    kind = KINDS[rng.choice(3, n, p=[0.6, 0.3, 0.1])]
    connected = rng.random(n) < 0.006
    frame = pd.DataFrame({
        "code": [f"JB-{i:06d}" for i in range(n)],
        "name": [f"Kamera {i}" for i in range(n)],
        "lat": lat.round(6), "lon": lon.round(6),
        "address": [f"Jl. Contoh No. {i % 300 + 1}" for i in range(n)],
        "owner_code": [f"OWN-{i:05d}" for i in owner_idx],
        "owner": [f"Pemilik {i}" for i in owner_idx],
        "owner_class": CLASSES[owner_idx % 4],
        "kind": kind,
        "bearing_deg": rng.integers(0, 360, n),
        "fov_deg": np.where(kind == "fixed", 90, 360),
        "range_m": rng.integers(15, 80, n),
        "height_m": rng.integers(3, 9, n),
        "connection": np.where(connected, "connected", "registered"),
        "consent": np.where(connected, "live", "on_request"),
        "consent_signed_on": "2024-01-15",
        "dvr_retention_days": rng.integers(7, 31, n),
        "sticker_installed": rng.random(n) < 0.7,
        "stream_url": np.where(connected, [f"rtsp://op:pw{i}@10.1.{i % 250}.{i % 200}/s" for i in range(n)], ""),
    })
    frame.to_csv(path, index=False)
    return path


def _points(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    outline = None
    if (SHARED / "jakbar_kota.geojson").exists():
        import geopandas as gpd
        outline = gpd.read_file(SHARED / "jakbar_kota.geojson").geometry.iloc[0].buffer(-0.001)
        shapely.prepare(outline)
    xs, ys = [], []
    while sum(len(x) for x in xs) < n:
        x = rng.uniform(BBOX[0], BBOX[2], n)
        y = rng.uniform(BBOX[1], BBOX[3], n)
        keep = shapely.contains_xy(outline, x, y) if outline is not None else np.ones(n, bool)
        xs.append(x[keep])
        ys.append(y[keep])
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


@contextmanager
def database(kind: str, pg_url: str | None):
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            upgrade(url)
            yield url
        return
    base = normalise_url(pg_url)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}"
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def with_boundaries(session_factory) -> bool:
    if not SHARED.is_dir():
        return False
    import_boundaries(session_factory, SHARED / "jakbar_kecamatan.geojson", BoundaryOptions("kecamatan"))
    import_boundaries(session_factory, SHARED / "jakbar_kelurahan.geojson", BoundaryOptions("kelurahan"))
    return True


def timed_import(session_factory, path: Path) -> tuple[float, object, float]:
    """(wall seconds, outcome, this process's CPU seconds: the database server's work is not in it)."""
    options = ImportOptions(region_bbox=(106.64, -6.26, 106.86, -6.08), region_name="Jakarta Barat")
    start, cpu = time.perf_counter(), time.process_time()
    outcome = import_records(session_factory, "cameras", path, options)
    return time.perf_counter() - start, outcome, time.process_time() - cpu


def naive_orm_upsert(session_factory, path: Path) -> float:
    """The baseline: what a straightforward ORM loop does (no validation at all)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    start = time.perf_counter()
    with session_factory.begin() as session:
        for row in frame.itertuples(index=False):
            owner = session.scalar(select(Owner).where(Owner.code == row.owner_code))
            if owner is None:
                owner = Owner(code=row.owner_code, name=row.owner, owner_class=row.owner_class)
                session.add(owner)
                session.flush()
            camera = session.scalar(select(Camera).where(Camera.code == row.code))
            if camera is None:
                camera = Camera(code=row.code)
                session.add(camera)
            camera.name, camera.lat, camera.lon, camera.address = row.name, float(row.lat), float(row.lon), row.address
            camera.owner_id, camera.kind = owner.id, row.kind
            camera.bearing_deg, camera.fov_deg = float(row.bearing_deg), float(row.fov_deg)
            camera.range_m, camera.height_m = float(row.range_m), float(row.height_m)
            camera.connection, camera.consent = row.connection, row.consent
            camera.dvr_retention_days = int(row.dvr_retention_days)
            camera.sticker_installed = row.sticker_installed == "True"
            camera.stream_url = row.stream_url or None
            session.flush()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[19_942, 200_000])
    parser.add_argument("--postgres", default=os.environ.get("NOBLINDSPOT_TEST_DATABASE_URL"))
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    with tempfile.TemporaryDirectory() as tmp:
        files = {n: camera_csv(n, Path(tmp) / f"cameras_{n}.csv") for n in args.sizes}
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'backend':<11}{'rows':>9}{'first import s':>16}{'rows/s':>10}{'cpu s':>8}"
              f"{'re-import s':>13}{'rows/s':>10}{'cpu s':>8}")
        for backend in backends:
            for n, path in files.items():
                with database(backend, args.postgres) as url:
                    engine = make_engine(url)
                    factory = make_session_factory(engine)
                    districts = with_boundaries(factory)
                    first, outcome, first_cpu = timed_import(factory, path)
                    again, second, again_cpu = timed_import(factory, path)
                    assert outcome.summary.added == n and second.summary.unchanged == n, (outcome, second)
                    note = "" if districts else "  (no district boundaries: assignment skipped)"
                    print(f"{backend:<11}{n:>9,}{first:>16.2f}{n / first:>10,.0f}{first_cpu:>8.2f}"
                          f"{again:>13.2f}{n / again:>10,.0f}{again_cpu:>8.2f}{note}")
                    engine.dispose()
            if not args.skip_baseline:
                n = min(args.sizes)
                with database(backend, args.postgres) as url:
                    engine = make_engine(url)
                    factory = make_session_factory(engine)
                    with_boundaries(factory)
                    pipeline, _, _ = timed_import(factory, files[n])
                    engine.dispose()
                with database(backend, args.postgres) as url:
                    engine = make_engine(url)
                    baseline = naive_orm_upsert(make_session_factory(engine), files[n])
                    engine.dispose()
                print(f"{backend:<11}{n:>9,}  baseline naive ORM upsert {baseline:.2f} s ({n / baseline:,.0f} rows/s); "
                      f"pipeline {pipeline:.2f} s; pipeline is {baseline / pipeline:.1f}x faster")


if __name__ == "__main__":
    main()
