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


def _cells(grid: CoverageGrid, x, y, bearings, fov, rng) -> tuple[np.ndarray, np.ndarray]:
    n = len(bearings)
    return cone_cells(grid.grid, np.full(n, x), np.full(n, y), bearings, np.full(n, fov), np.full(n, rng))


def _best_move(grid, counts, inside, row, bearings, max_loss_cells) -> tuple[float, float]:
    """Best (bearing, gain in cells) for one camera against the current counts; gain 0 when none."""
    old, _ = _cells(grid, row.x, row.y, [row.bearing_deg], row.fov_deg, row.range_m)
    old = old[inside[old]]
    own = old[counts[old] == 1]
    cells, which = _cells(grid, row.x, row.y, bearings, row.fov_deg, row.range_m)
    keep = inside[cells]
    cells, which = cells[keep], which[keep]
    gain = np.bincount(which, weights=counts[cells] == 0, minlength=len(bearings))
    kept_own = np.bincount(which, weights=np.isin(cells, own), minlength=len(bearings))
    loss = len(own) - kept_own
    gain = np.where(loss <= max_loss_cells, gain - loss, 0.0)
    best = int(np.argmax(gain))
    return float(bearings[best]), float(gain[best])


def _apply(grid, counts, inside, row, new_bearing) -> None:
    old, _ = _cells(grid, row.x, row.y, [row.bearing_deg], row.fov_deg, row.range_m)
    new, _ = _cells(grid, row.x, row.y, [new_bearing], row.fov_deg, row.range_m)
    np.subtract.at(counts, old, 1)
    np.add.at(counts, new, 1)


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
    rep = lambda col: np.repeat(fields[col].to_numpy(), k)
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
    gains: dict[int, float] = {}
    for _ in range(max_rounds):
        best = _first_pass(grid, counts, inside, fields.iloc[movable], bearings, max_loss_cells)
        order = movable[np.argsort(-best, kind="stable")][np.sort(-best) < 0]
        moved = 0
        for i in order:
            row = fields.iloc[i]
            bearing, gain = _best_move(grid, counts, inside, row, bearings, max_loss_cells)
            if gain > 0 and bearing != row.bearing_deg:
                _apply(grid, counts, inside, row, bearing)
                fields.iat[i, fields.columns.get_loc("bearing_deg")] = bearing
                gains[i] = gains.get(i, 0.0) + gain
                moved += 1
        if not moved:
            break
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
