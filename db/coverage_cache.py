"""Coverage, blind spots, the camera index and the planners, loaded from the database and cached
by data version, so an unchanged registry is never recomputed.

The key of every result is ``data_fingerprint(session, "registry", "layers")`` (database, versions and
when each last changed) plus the parameters.
Tables (coverage, blind spots, plans) are kept in memory and pickled under
``<data_dir>/cache``; grids and indexes (large numpy arrays) stay in memory only. Anything written
to the registry or layers bumps a version (db.repositories.bump_version), which changes the key.

Public API (every function takes an open Session and a ResultCache)
------------------------------------------------------------------
ResultCache(directory=None, memory_items=16)       directory=None: memory only
default_cache(settings) -> ResultCache              under settings.data_dir / "cache"
coverage_table(session, cache, level="kecamatan") -> (DataFrame, region dict)
blind_spots(session, cache, level="kecamatan", which="registered", block_m=100.0) -> GeoDataFrame
camera_index(session, cache) -> geo.visibility.CameraIndex
connect_plan(session, cache, budget, per_district=None, objective="area") -> geo.planners ConnectPlan
reaim_plan(session, cache, districts=None, step_deg=15.0) -> geo.planners ReaimPlan
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from db.repositories import LAYERS, REGISTRY, cameras_frame, data_fingerprint, districts_frame, layer_frame
from geo.blindspots import blind_spot_layer
from geo.coverage import DEFAULT_CELL_M, CoverageGrid, analyse_coverage, build_coverage_grid
from geo.planners.connect_next import plan_connect_next
from geo.planners.reaim import plan_reaim
from geo.visibility import build_camera_index
from geo.vocabulary import DistrictLevel

log = logging.getLogger(__name__)
FORMAT = 1  # bump when a cached object's shape changes
DISTRICT_LEVELS = tuple(level.value for level in DistrictLevel)


class ResultCache:
    """Results by key, in memory (least recently used first out) and optionally pickled on disk.

    Thread-safe: one instance serves every dashboard session. A key is computed by one thread at a
    time (others asking for it wait and get that result); different keys compute in parallel.
    """

    def __init__(self, directory: Path | None = None, memory_items: int = 16) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.memory_items = memory_items
        self._memory: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()                  # guards _memory, _computing and computed
        self._computing: dict[tuple, threading.Lock] = {}
        self.computed = 0  # how many times a result was actually computed (for tests and logs)

    def peek(self, key: tuple) -> Any:
        """The in-memory value for key, or None (never computes, never reads the disk)."""
        with self._lock:
            return self._memory.get(key)

    def _path(self, key: tuple) -> Path:
        if self.directory is None:
            raise ValueError("a memory-only ResultCache has no files")
        digest = hashlib.sha256(repr((FORMAT, key)).encode()).hexdigest()[:24]
        return self.directory / f"{key[0]}-{digest}.pkl"

    def _cached(self, key: tuple) -> tuple[bool, Any]:
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return True, self._memory[key]
        return False, None

    def get_or_compute(self, key: tuple, compute: Callable[[], Any], disk: bool = True) -> Any:
        found, value = self._cached(key)
        if found:
            return value
        with self._lock:
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:   # one thread computes this key; the others wait here and then find it in memory
            found, value = self._cached(key)
            if found:
                return value
            value = self._load(key) if disk else None
            computed = value is None
            if computed:
                value = compute()
                if disk:
                    self._store(key, value)
            with self._lock:
                self.computed += int(computed)
                self._memory[key] = value
                while len(self._memory) > self.memory_items:
                    self._memory.popitem(last=False)
                self._computing.pop(key, None)
        return value

    def _load(self, key: tuple) -> Any:
        if self.directory is None:
            return None
        path = self._path(key)
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except FileNotFoundError:
            return None
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            log.warning("ignoring unreadable cache file %s: %s", path.name, exc)
            return None

    def _store(self, key: tuple, value: Any) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(key)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)


CACHE_DIR = "cache"  # under the data directory


def default_cache(settings) -> ResultCache:
    return ResultCache(Path(settings.data_dir) / CACHE_DIR)


def _version(session: Session) -> tuple:
    return data_fingerprint(session, REGISTRY, LAYERS)


def _layer(session: Session, name: str):
    frame = layer_frame(session, name)
    return frame if len(frame) else None


def coverage_grid(session: Session, cache: ResultCache, level: str = "kecamatan",
                  cell_m: float = DEFAULT_CELL_M) -> CoverageGrid:
    level = DistrictLevel.parse(level).value
    return cache.get_or_compute(
        ("grid", _version(session), level, cell_m),
        lambda: build_coverage_grid(districts_frame(session, level), _layer(session, "priority"),
                                    _layer(session, "buildings"), cell_m),
        disk=False)


def coverage_result(session: Session, cache: ResultCache, level: str = "kecamatan",
                    cell_m: float = DEFAULT_CELL_M):
    grid = coverage_grid(session, cache, level, cell_m)
    version = _version(session)
    # The other district level, when already analysed, lends its covered cells (same grid cells).
    others = [cache.peek(("result", version, grid.grid, other)) for other in DISTRICT_LEVELS if other != level]
    reuse = next((r for r in others if r is not None), None)
    return cache.get_or_compute(("result", version, grid.grid, level),
                                lambda: analyse_coverage(cameras_frame(session), grid=grid, reuse=reuse),
                                disk=False)


def coverage_table(session: Session, cache: ResultCache, level: str = "kecamatan", cell_m: float = DEFAULT_CELL_M):
    level = DistrictLevel.parse(level).value

    def compute():
        result = coverage_result(session, cache, level, cell_m)
        return result.table, result.region

    return cache.get_or_compute(("coverage", _version(session), level, cell_m), compute)


def blind_spots(session: Session, cache: ResultCache, level: str = "kecamatan", which: str = "registered",
                block_m: float = 100.0, min_blind_share: float = 0.0):
    """Blocks of ``block_m`` with their blind share; only those at least ``min_blind_share`` unseen."""
    level = DistrictLevel.parse(level).value
    blocks = cache.get_or_compute(("blindspots", _version(session), level, which, block_m),
                                  lambda: blind_spot_layer(coverage_result(session, cache, level), which, block_m))
    return blocks[blocks["blind_share"] >= min_blind_share] if min_blind_share > 0 else blocks


def camera_index(session: Session, cache: ResultCache):
    return cache.get_or_compute(("index", _version(session)),
                                lambda: build_camera_index(cameras_frame(session), _layer(session, "buildings")),
                                disk=False)


def connect_plan(session: Session, cache: ResultCache, budget: int, per_district: int | None = None,
                 objective: str = "area"):
    grid = coverage_grid(session, cache, "kecamatan")
    return cache.get_or_compute(
        ("connect", _version(session), budget, per_district, objective),
        lambda: plan_connect_next(cameras_frame(session), grid, budget, per_district, objective))


def reaim_plan(session: Session, cache: ResultCache, districts: list[str] | None = None, step_deg: float = 15.0):
    grid = coverage_grid(session, cache, "kecamatan")
    scope = tuple(sorted(districts)) if districts else None
    return cache.get_or_compute(
        ("reaim", _version(session), scope, step_deg),
        lambda: plan_reaim(cameras_frame(session), grid, list(scope) if scope else None, step_deg))
