"""Re-aim: propose new bearings for adjustable fixed cameras that remove blind spots without losing
what is covered.

Rules (docs/coverage.md):
* Candidates: cameras with ``bearing_adjustable`` true and a cone narrower than 360 degrees (domes
  and PTZ see all round; re-aiming does not apply). ``districts`` limits them to cameras whose
  district_code or kecamatan_code is listed.
* Candidate bearings: every ``step_deg`` degrees (default 15) from north.
* A move is accepted only if it adds covered area inside the districts and uncovers no cell that
  only this camera saw (its "own" cells); ``max_loss_m2`` relaxes that when wanted.
* Greedy: cameras are visited in order of their best possible gain; each visit re-checks the move
  against the current state (earlier moves change what is covered), so moves never conflict.
  Rounds repeat until nothing improves or ``max_rounds`` is reached.

Public function
---------------
plan_reaim(cameras, grid, districts=None, step_deg=15, max_rounds=2, max_loss_m2=0.0) -> ReaimPlan
    ReaimPlan.moves: DataFrame code, district, from_deg, to_deg, gain_m2, text ("rotate camera X from
    40 to 85 degrees: +N m2 covered"); .before/.after: per-district coverage tables (geo.coverage);
    .total_gain_m2; .cameras_after (the input with bearing_deg updated).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.coverage import CoverageGrid, analyse_coverage, camera_fields
from geo.planners.connect_next import PlanError, _values
from geo.raster import cone_cells


@dataclass
class ReaimPlan:
    moves: pd.DataFrame
    before: pd.DataFrame
    after: pd.DataFrame
    total_gain_m2: float
    cameras_after: pd.DataFrame


def _adjustable(cameras: pd.DataFrame, fields: pd.DataFrame, districts) -> np.ndarray:
    flag = cameras["bearing_adjustable"] if "bearing_adjustable" in cameras else pd.Series(False, cameras.index)
    ok = flag.fillna(False).astype(bool).to_numpy() & (fields["fov_deg"].to_numpy() < 360.0)
    if districts:
        wanted = {str(d) for d in districts}
        in_scope = np.zeros(len(cameras), bool)
        for col in ("district_code", "kecamatan_code"):
            if col in cameras:
                in_scope |= np.isin(_values(cameras[col], len(cameras)).astype(str), list(wanted))
        ok &= in_scope
    return ok


def _best_move(grid, counts, inside, cam: tuple, bearings, max_loss_cells):
    """Best (bearing, net gain in cells, old cells, new cells) for one camera against the current
    counts; gain 0 when no bearing is allowed. One rasterisation: the candidates plus the current bearing."""
    x, y, current, fov, rng = cam
    k = len(bearings)
    cells, which = cone_cells(grid.grid, np.full(k + 1, x), np.full(k + 1, y), np.append(bearings, current),
                              np.full(k + 1, fov), np.full(k + 1, rng))
    old_all = cells[which == k]
    own = old_all[inside[old_all] & (counts[old_all] == 1)]
    keep = inside[cells] & (which < k)
    cand, group = cells[keep], which[keep]
    gain = np.bincount(group, weights=counts[cand] == 0, minlength=k)
    kept_own = np.bincount(group, weights=np.isin(cand, own), minlength=k)
    loss = len(own) - kept_own
    gain = np.where(loss <= max_loss_cells, gain - loss, 0.0)
    best = int(np.argmax(gain))
    return float(bearings[best]), float(gain[best]), old_all, cells[which == best]


def _counts(grid: CoverageGrid, fields: pd.DataFrame) -> np.ndarray:
    cells, _ = cone_cells(grid.grid, fields["x"], fields["y"], fields["bearing_deg"], fields["fov_deg"],
                          fields["range_m"])
    counts = grid.grid.zeros(np.int32)
    uniq, n = np.unique(cells, return_counts=True)
    counts[uniq] = n
    return counts


def _first_pass(grid, counts, inside, fields: pd.DataFrame, bearings, max_loss_cells) -> np.ndarray:
    """Best net gain (cells) of every camera's best bearing against the current counts, all at once.

    Cheap screening: only cameras with a positive value here are visited one by one."""
    n, k = len(fields), len(bearings)
    old, cam = cone_cells(grid.grid, fields["x"], fields["y"], fields["bearing_deg"], fields["fov_deg"],
                          fields["range_m"])
    mine = inside[old] & (counts[old] == 1)
    owner = grid.grid.zeros(np.int32)
    owner[old[mine]] = cam[mine] + 1
    own = np.bincount(cam[mine], minlength=n)

    def rep(col: str) -> np.ndarray:
        return np.repeat(fields[col].to_numpy(), k)

    cells, pseudo = cone_cells(grid.grid, rep("x"), rep("y"), np.tile(bearings, n), rep("fov_deg"), rep("range_m"))
    keep = inside[cells]
    cells, pseudo = cells[keep], pseudo[keep]
    gain = np.bincount(pseudo, weights=counts[cells] == 0, minlength=n * k)
    kept = np.bincount(pseudo, weights=owner[cells] == pseudo // k + 1, minlength=n * k)
    loss = np.repeat(own, k) - kept
    net = np.where(loss <= max_loss_cells, gain - loss, 0.0).reshape(n, k)
    return net.max(axis=1)


def plan_reaim(cameras: pd.DataFrame, grid: CoverageGrid, districts=None, step_deg: float = 15.0,
               max_rounds: int = 2, max_loss_m2: float = 0.0) -> ReaimPlan:
    if not 0 < step_deg <= 180:
        raise PlanError("step_deg must be above 0 and at most 180")
    cameras = cameras.reset_index(drop=True)
    fields = camera_fields(cameras, grid)
    inside = grid.district_of > 0
    counts = _counts(grid, fields)
    bearings = np.arange(0.0, 360.0, step_deg)
    max_loss_cells = max_loss_m2 / grid.grid.cell_area_m2
    movable = np.flatnonzero(_adjustable(cameras, fields, districts))
    original = fields["bearing_deg"].to_numpy().copy()
    x, y, fov, rng = (fields[c].to_numpy() for c in ("x", "y", "fov_deg", "range_m"))
    bearing_now = original.copy()
    gains: dict[int, float] = {}
    for _ in range(max_rounds):
        fields["bearing_deg"] = bearing_now
        best = _first_pass(grid, counts, inside, fields.iloc[movable], bearings, max_loss_cells)
        order = movable[np.argsort(-best, kind="stable")][np.sort(-best) < 0]
        moved = 0
        for i in order:
            cam = (x[i], y[i], bearing_now[i], fov[i], rng[i])
            bearing, gain, old_cells, new_cells = _best_move(grid, counts, inside, cam, bearings, max_loss_cells)
            if gain > 0 and bearing != bearing_now[i]:
                counts[old_cells] -= 1  # a cone holds each cell once: plain fancy indexing is exact
                counts[new_cells] += 1
                bearing_now[i] = bearing
                gains[i] = gains.get(i, 0.0) + gain
                moved += 1
        if not moved:
            break
    fields["bearing_deg"] = bearing_now
    return _plan(cameras, grid, fields, original, gains)


def _plan(cameras, grid, fields, original, gains) -> ReaimPlan:
    area = grid.grid.cell_area_m2
    idx = np.array(sorted(gains, key=lambda i: -gains[i]), dtype=np.int64)
    codes = _values(cameras.get("code"), len(cameras)).astype(str)
    district = _values(cameras.get("district_code"), len(cameras)).astype(str)
    moves = pd.DataFrame({"code": codes[idx], "district": district[idx],
                          "from_deg": np.round(original[idx], 1),
                          "to_deg": fields["bearing_deg"].to_numpy()[idx],
                          "gain_m2": [gains[i] * area for i in idx]})
    moves["text"] = [f"rotate camera {c} from {f:g} to {t:g} degrees: +{g:,.0f} m2 covered"
                     for c, f, t, g in moves[["code", "from_deg", "to_deg", "gain_m2"]].itertuples(index=False)]
    after_cams = cameras.copy()
    after_cams["bearing_deg"] = fields["bearing_deg"].to_numpy()
    before = analyse_coverage(cameras, grid=grid).table
    after = analyse_coverage(after_cams, grid=grid).table
    return ReaimPlan(moves, before, after, float(moves["gain_m2"].sum()), after_cams)
