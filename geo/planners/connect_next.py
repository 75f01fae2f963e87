"""Connect next: choose registered cameras to connect live so live coverage grows the most.

Candidates are cameras that are not connected and whose owner consented to live connection
(``consent == "live"``); cameras with consent "on_request" or "registry_only" are never proposed.

Method: lazy greedy maximum coverage on the coverage grid's cells. The value of a set of cameras is
the area (or, with objective="priority", the priority-layer area) inside the districts that the
connected cameras plus the chosen ones see. Each step takes the candidate with the largest marginal
gain whose district still has quota. Greedy has the classic guarantee value >= (1 - 1/e) * optimum
(for a quota per district, a partition matroid, the guarantee is 1/2). We also report a data-dependent
upper bound: for any greedy prefix S, optimum <= f(S) + the sum of the ``budget`` largest marginal
gains over S (submodularity); the smallest of those bounds, checked every few steps, is
``upper_bound_m2``, and ``optimality_gap_pct`` says how far the plan is below it at most.

Quota: ``per_district`` limits the cameras *proposed* per district (already connected cameras do not
count); the district is the camera's ``kecamatan_code`` when present, else the grid district that
holds it.

Public function
---------------
plan_connect_next(cameras, grid, budget, per_district=None, objective="area") -> ConnectPlan
    ConnectPlan.picks: DataFrame rank, code, district, gain_m2, cumulative_gain_m2, owner_name,
    consent; plus baseline_m2 (live now), greedy_gain_m2, upper_bound_gain_m2, optimality_gap_pct.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.coverage import CoverageGrid, camera_fields, covered_cells
from geo.raster import cone_cells

BOUND_EVERY = 10


class PlanError(ValueError):
    """A plan that cannot be made as asked (bad budget, no priority layer, ...)."""


@dataclass
class ConnectPlan:
    picks: pd.DataFrame
    baseline_m2: float          # what connected cameras see now (objective units, m2)
    greedy_gain_m2: float       # what the picks add
    upper_bound_gain_m2: float  # no choice of `budget` cameras can add more than this
    candidates: int
    objective: str

    @property
    def optimality_gap_pct(self) -> float:
        if self.upper_bound_gain_m2 <= 0:
            return 0.0
        return 100.0 * (1.0 - self.greedy_gain_m2 / self.upper_bound_gain_m2)


def _values(series: pd.Series | None, n: int, default: str = "") -> np.ndarray:
    if series is None:
        return np.full(n, default, dtype=object)
    return series.map(lambda v: getattr(v, "value", v)).fillna(default).to_numpy(object)


def candidate_mask(cameras: pd.DataFrame) -> np.ndarray:
    consent = _values(cameras.get("consent"), len(cameras))
    connection = _values(cameras.get("connection"), len(cameras))
    return (consent == "live") & (connection != "connected")


def _weights(grid: CoverageGrid, objective: str) -> np.ndarray:
    if objective == "area":
        return grid.district_of > 0
    if objective == "priority":
        if grid.priority is None:
            raise PlanError("objective 'priority' needs a priority layer: import one or use objective 'area'")
        return grid.priority & (grid.district_of > 0)
    raise PlanError(f"objective must be 'area' or 'priority', not {objective!r}")


def _district_keys(cameras: pd.DataFrame, fields: pd.DataFrame, grid: CoverageGrid) -> np.ndarray:
    keys = _values(cameras.get("kecamatan_code"), len(cameras))
    cell = grid.grid.cell_of(fields["x"].to_numpy(), fields["y"].to_numpy())
    home = np.zeros(len(cell), np.int64)
    home[cell >= 0] = grid.district_of[cell[cell >= 0]]
    codes = np.append("", grid.districts["code"].to_numpy(object))
    return np.where(keys == "", codes[home], keys).astype(str)


@dataclass
class _Candidates:
    cells: np.ndarray     # cells of all candidates, grouped by candidate
    start: np.ndarray     # candidate i owns cells[start[i]:start[i + 1]]


def _candidate_cells(grid: CoverageGrid, fields: pd.DataFrame, weight: np.ndarray) -> _Candidates:
    cells, cams = cone_cells(grid.grid, fields["x"], fields["y"], fields["bearing_deg"], fields["fov_deg"],
                             fields["range_m"])
    keep = weight[cells]
    cells, cams = cells[keep], cams[keep]
    order = np.argsort(cams, kind="stable")
    start = np.searchsorted(cams[order], np.arange(len(fields) + 1))
    return _Candidates(cells[order], start)


def _all_gains(c: _Candidates, covered: np.ndarray) -> np.ndarray:
    owner = np.repeat(np.arange(len(c.start) - 1), np.diff(c.start))
    return np.bincount(owner, weights=~covered[c.cells], minlength=len(c.start) - 1)


def _bound(value: float, gains: np.ndarray, taken: np.ndarray, remaining: int) -> float:
    open_gains = np.sort(gains[~taken])[::-1][:max(remaining, 0)]
    return value + float(open_gains.sum())


def plan_connect_next(cameras: pd.DataFrame, grid: CoverageGrid, budget: int, per_district: int | None = None,
                      objective: str = "area") -> ConnectPlan:
    if budget < 1:
        raise PlanError("budget must be at least 1 camera")
    if per_district is not None and per_district < 1:
        raise PlanError("per-district quota must be at least 1 camera")
    weight = _weights(grid, objective)
    cameras = cameras.reset_index(drop=True)
    fields = camera_fields(cameras, grid)
    connected = _values(cameras.get("connection"), len(cameras)) == "connected"
    covered = grid.grid.zeros(bool)
    base_cells = covered_cells(grid, fields[connected])
    covered[base_cells] = True
    baseline = float(weight[base_cells].sum())
    pool = np.flatnonzero(candidate_mask(cameras))
    cand = _candidate_cells(grid, fields.iloc[pool], weight)
    district = _district_keys(cameras, fields, grid)[pool]
    picks, bound = _greedy(cand, covered, district, budget, per_district)
    area = grid.grid.cell_area_m2
    rows = pd.DataFrame({"rank": np.arange(1, len(picks) + 1),
                         "code": _values(cameras.get("code"), len(cameras))[pool[[p for p, _ in picks]]]
                         if picks else [],
                         "district": district[[p for p, _ in picks]] if picks else [],
                         "gain_m2": [g * area for _, g in picks]})
    rows["cumulative_gain_m2"] = rows["gain_m2"].cumsum()
    for col in ("owner_name", "consent", "lon", "lat"):
        if col in cameras and picks:
            rows[col] = cameras[col].to_numpy()[pool[[p for p, _ in picks]]]
    gain = float(sum(g for _, g in picks))
    return ConnectPlan(rows, baseline * area, gain * area, bound * area, len(pool), objective)


def _greedy(cand: _Candidates, covered: np.ndarray, district: np.ndarray, budget: int,
            quota: int | None) -> tuple[list[tuple[int, float]], float]:
    gains = _all_gains(cand, covered)
    bound = _bound(0.0, gains, np.zeros(len(gains), bool), budget)
    heap = [(-g, i) for i, g in enumerate(gains) if g > 0]
    heapq.heapify(heap)
    taken = np.zeros(len(gains), bool)
    used: dict[str, int] = {}
    picks: list[tuple[int, float]] = []
    value = 0.0
    while heap and len(picks) < budget:
        _, i = heapq.heappop(heap)
        if quota is not None and used.get(district[i], 0) >= quota:
            continue
        cells = cand.cells[cand.start[i]:cand.start[i + 1]]
        fresh = float((~covered[cells]).sum())
        if heap and fresh < -heap[0][0]:
            if fresh > 0:
                heapq.heappush(heap, (-fresh, i))
            continue
        if fresh <= 0:
            break
        covered[cells] = True
        taken[i] = True
        used[district[i]] = used.get(district[i], 0) + 1
        picks.append((int(i), fresh))
        value += fresh
        if len(picks) % BOUND_EVERY == 0 or len(picks) == budget:
            bound = min(bound, _bound(value, _all_gains(cand, covered), taken, budget))
    return picks, max(bound, value)
