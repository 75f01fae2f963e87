"""A metric grid for coverage: polygon scanlines and cone rasterisation with numpy.

A cell counts as seen when its centre is inside a cone, and as part of a district when its centre is
inside the district polygon (the usual centre-sampling rule: unbiased, so edge errors cancel).
Cells are addressed by a flat index ``row * n_cols + col``, rows counted from the south.

Large regions (all of DKI Jakarta, with the Thousand Islands 130 km offshore) give grids of a few
hundred million cells; dense arrays over such a grid are created with ``np.zeros`` (the operating
system hands out zero pages lazily) and only touched through index lists, never scanned whole.

Public functions
----------------
Grid / grid_for_bounds(bounds, cell_m, epsg)
polygon_spans(geoms, grid) -> int64 array (k, 4): row, first col, end col (exclusive), owner index
cone_cells(grid, x, y, bearing_deg, fov_deg, range_m) -> (cells, cameras): one pair per cell seen
distinct_cells(cells, grid) -> the distinct cell indices (order-free dedupe without sorting)
occluded(grid, cells, cams, cam_x, cam_y, blocked) -> bool per pair: a building cell lies between
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

CHUNK_CELLS = 4_000_000  # cells per numpy batch: bounds temporary memory at ~0.2 GB


@dataclass(frozen=True)
class Grid:
    x0: float
    y0: float
    cell_m: float
    n_rows: int
    n_cols: int
    epsg: int

    @property
    def size(self) -> int:
        return self.n_rows * self.n_cols

    @property
    def cell_area_m2(self) -> float:
        return self.cell_m * self.cell_m

    def rows_cols(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.divmod(np.asarray(cells, np.int64), self.n_cols)

    def centres(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows, cols = self.rows_cols(cells)
        return self.x0 + (cols + 0.5) * self.cell_m, self.y0 + (rows + 0.5) * self.cell_m

    def cell_of(self, x, y) -> np.ndarray:
        """Flat cell index of metric points; -1 outside the grid."""
        col = np.floor((np.asarray(x, float) - self.x0) / self.cell_m).astype(np.int64)
        row = np.floor((np.asarray(y, float) - self.y0) / self.cell_m).astype(np.int64)
        inside = (col >= 0) & (col < self.n_cols) & (row >= 0) & (row < self.n_rows)
        return np.where(inside, row * self.n_cols + col, -1)

    def zeros(self, dtype) -> np.ndarray:
        return np.zeros(self.size, dtype=dtype)


def grid_for_bounds(bounds, cell_m: float, epsg: int, margin_m: float = 0.0, align_m: float = 1000.0) -> Grid:
    """A grid covering bounds (+ margin), its corners snapped to ``align_m`` so that two layers of
    the same region (kecamatan and kelurahan) get the very same cells."""
    align = max(align_m, cell_m)
    minx, miny, maxx, maxy = bounds
    x0 = np.floor((minx - margin_m) / align) * align
    y0 = np.floor((miny - margin_m) / align) * align
    n_cols = int(np.ceil((maxx + margin_m - x0) / align) * round(align / cell_m))
    n_rows = int(np.ceil((maxy + margin_m - y0) / align) * round(align / cell_m))
    return Grid(float(x0), float(y0), float(cell_m), n_rows, n_cols, epsg)


def _edges(geoms) -> tuple[np.ndarray, np.ndarray]:
    """Every ring edge as (x1, y1, x2, y2) with the index of the polygon it belongs to."""
    parts, part_owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    polys = shapely.get_type_id(parts) == 3
    rings, ring_part = shapely.get_rings(parts[polys], return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[1:] == ring_of[:-1]
    start, end = coords[:-1][same], coords[1:][same]
    owner = part_owner[polys][ring_part][ring_of[:-1][same]]
    return np.hstack([start, end]), owner


def polygon_spans(geoms, grid: Grid) -> np.ndarray:
    """Scanline fill: runs of cells whose centres are inside each polygon (even-odd rule, holes kept)."""
    edges, owner = _edges(geoms)
    if not len(edges):
        return np.zeros((0, 4), np.int64)
    x1, y1, x2, y2 = edges.T
    s = grid.cell_m
    lo = np.ceil((np.minimum(y1, y2) - grid.y0) / s - 0.5).astype(np.int64)
    hi = np.ceil((np.maximum(y1, y2) - grid.y0) / s - 0.5).astype(np.int64)  # rows [lo, hi)
    n = np.maximum(hi - lo, 0)
    which = np.repeat(np.arange(len(n)), n)
    row = lo[which] + (np.arange(which.size) - np.repeat(np.cumsum(n) - n, n))
    yc = grid.y0 + (row + 0.5) * s
    t = (yc - y1[which]) / (y2[which] - y1[which])
    xc = x1[which] + t * (x2[which] - x1[which])
    who = owner[which]
    order = np.lexsort((xc, row, who))
    xc, row, who = xc[order], row[order], who[order]
    c = np.ceil((xc - grid.x0) / s - 0.5).astype(np.int64)
    spans = np.stack([row[0::2], c[0::2], c[1::2], who[0::2]], axis=1)
    spans[:, 1:3] = np.clip(spans[:, 1:3], 0, grid.n_cols)
    keep = (spans[:, 2] > spans[:, 1]) & (spans[:, 0] >= 0) & (spans[:, 0] < grid.n_rows)
    return spans[keep]


def fill_spans(spans: np.ndarray, grid: Grid, values: np.ndarray, dtype=np.int32) -> np.ndarray:
    """A flat grid array with values[owner] written on each span's cells (0 elsewhere).

    A plain loop of row-slice writes: it touches only the cells inside the spans (the grid may be
    mostly empty sea) and, where polygons overlap, the later one wins instead of values adding up."""
    out = grid.zeros(dtype)
    view = out.reshape(grid.n_rows, grid.n_cols)
    for (row, c0, c1, _), value in zip(spans.tolist(), np.asarray(values)[spans[:, 3]].tolist(), strict=True):
        view[row, c0:c1] = value
    return out


def span_cells(spans: np.ndarray, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Every cell covered by the spans, with the span's owner."""
    n = spans[:, 2] - spans[:, 1]
    which = np.repeat(np.arange(len(spans)), n)
    offset = np.arange(which.size) - np.repeat(np.cumsum(n) - n, n)
    cells = spans[which, 0] * grid.n_cols + spans[which, 1] + offset
    return cells, spans[which, 3]


def sector_bounds(x, y, bearing_deg, fov_deg, range_m) -> tuple[np.ndarray, ...]:
    """Tight bounding boxes (minx, miny, maxx, maxy) of sectors: apex, arc ends and the compass
    points the arc passes."""
    x, y, bearing, fov, rng = (np.asarray(v, float) for v in (x, y, bearing_deg, fov_deg, range_m))
    start = bearing - np.minimum(fov, 360.0) / 2.0
    ends = np.radians(np.stack([start, start + np.minimum(fov, 360.0)], axis=1))
    px = np.concatenate([np.zeros((len(x), 1)), np.sin(ends)], axis=1)
    py = np.concatenate([np.zeros((len(x), 1)), np.cos(ends)], axis=1)
    minx, maxx, miny, maxy = px.min(1), px.max(1), py.min(1), py.max(1)
    for compass, (cx, cy) in ((0.0, (0, 1)), (90.0, (1, 0)), (180.0, (0, -1)), (270.0, (-1, 0))):
        passes = ((compass - start) % 360.0 <= np.minimum(fov, 360.0)) | (fov >= 360.0)
        minx = np.where(passes, np.minimum(minx, cx), minx)
        maxx = np.where(passes, np.maximum(maxx, cx), maxx)
        miny = np.where(passes, np.minimum(miny, cy), miny)
        maxy = np.where(passes, np.maximum(maxy, cy), maxy)
    return x + rng * minx, y + rng * miny, x + rng * maxx, y + rng * maxy


def _window_batch(grid: Grid, x, y, bearing, fov, rng, c0, r0, wx: int, wy: int):
    s = grid.cell_m
    # Offsets from the camera to the cell centres of its window: a row vector and a column vector.
    dx = (grid.x0 + (c0 + 0.5) * s - x).astype(np.float32)[:, None, None] + (np.arange(wx) * s).astype(np.float32)
    dy = ((grid.y0 + (r0 + 0.5) * s - y).astype(np.float32)[:, None, None]
          + (np.arange(wy) * s).astype(np.float32)[None, :, None])
    d2 = dx * dx + dy * dy
    seen = d2 <= (rng * rng).astype(np.float32)[:, None, None]
    narrow = fov < 360.0
    if narrow.any():
        b = np.radians(bearing)
        ux, uy = np.sin(b).astype(np.float32), np.cos(b).astype(np.float32)
        cos_half = np.where(narrow, np.cos(np.radians(fov / 2.0)), -2.0).astype(np.float32)
        dot = dx * ux[:, None, None] + dy * uy[:, None, None]
        seen &= dot >= np.sqrt(d2) * cos_half[:, None, None] - 1e-4
    cols = c0[:, None] + np.arange(wx)[None, :]
    rows = r0[:, None] + np.arange(wy)[None, :]
    seen &= ((cols >= 0) & (cols < grid.n_cols))[:, None, :] & ((rows >= 0) & (rows < grid.n_rows))[:, :, None]
    cam, r, c = np.nonzero(seen)
    return (r0[cam] + r) * grid.n_cols + c0[cam] + c, cam


def cone_cells(grid: Grid, x, y, bearing_deg, fov_deg, range_m) -> tuple[np.ndarray, np.ndarray]:
    """(cell, camera) for every cell whose centre lies in a camera's cone; cameras by position 0..n-1."""
    x, y, bearing, fov, rng = (np.asarray(v, float) for v in (x, y, bearing_deg, fov_deg, range_m))
    if not len(x):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    minx, miny, maxx, maxy = sector_bounds(x, y, bearing, fov, rng)
    s = grid.cell_m
    c0 = np.ceil((minx - grid.x0) / s - 0.5).astype(np.int64)
    r0 = np.ceil((miny - grid.y0) / s - 0.5).astype(np.int64)
    wx = np.floor((maxx - grid.x0) / s - 0.5).astype(np.int64) - c0 + 1
    wy = np.floor((maxy - grid.y0) / s - 0.5).astype(np.int64) - r0 + 1
    shape_key = np.maximum(wx, 1) * 4096 + np.maximum(wy, 1)
    order = np.argsort(shape_key, kind="stable")
    keys, starts = np.unique(shape_key[order], return_index=True)
    bounds = np.append(starts, len(order))
    cells_out, cams_out = [], []
    for key, lo, hi in zip(keys.tolist(), bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        kx, ky = divmod(key, 4096)
        step = max(1, CHUNK_CELLS // (kx * ky))
        for i in range(lo, hi, step):
            idx = order[i:min(hi, i + step)]
            cells, local = _window_batch(grid, x[idx], y[idx], bearing[idx], fov[idx], rng[idx],
                                         c0[idx], r0[idx], kx, ky)
            cells_out.append(cells)
            cams_out.append(idx[local])
    return np.concatenate(cells_out), np.concatenate(cams_out)


def distinct_cells(cells: np.ndarray, grid: Grid) -> np.ndarray:
    """Distinct values of cells in O(n) without sorting: whichever write to a cell lands keeps it."""
    if not len(cells):
        return cells
    slot = grid.zeros(np.int32)
    order = np.arange(len(cells), dtype=np.int32)
    slot[cells] = order
    return cells[slot[cells] == order]


def occluded(grid: Grid, cells: np.ndarray, cams: np.ndarray, cam_x: np.ndarray, cam_y: np.ndarray,
             blocked: np.ndarray) -> np.ndarray:
    """True for pairs whose line of sight crosses a building cell.

    Samples every half cell along the segment from the camera to the cell centre. Samples within one
    cell of the camera (the wall it is mounted on) and in the target cell itself are ignored.
    """
    out = np.zeros(len(cells), bool)
    tx, ty = grid.centres(cells)
    sx, sy = cam_x[cams], cam_y[cams]
    dist = np.hypot(tx - sx, ty - sy)
    n_samples = int(np.ceil(dist.max() / (grid.cell_m / 2))) if len(dist) else 0
    for k in range(1, n_samples):
        along = k * grid.cell_m / 2
        active = (along > grid.cell_m) & (along < dist - grid.cell_m / 2)
        if not active.any():
            continue
        idx = np.flatnonzero(active & ~out)
        t = along / dist[idx]
        probe = grid.cell_of(sx[idx] + t * (tx[idx] - sx[idx]), sy[idx] + t * (ty[idx] - sy[idx]))
        hit = (probe >= 0) & (probe != cells[idx])
        hit[hit] = blocked[probe[hit]]
        out[idx[hit]] = True
    return out
