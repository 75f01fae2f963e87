"""Blind spots: the parts of the districts no camera sees, as a square-block layer for the map.

The coverage grid (5 m cells) is far too fine to draw for a whole city, so cells are grouped into
square blocks (default 100 m, i.e. 20 x 20 cells). Each block inside a district becomes one polygon
with the share of its district cells that are unseen. Blocks on a district border are assigned to
the district holding most of their cells.

Public function
---------------
blind_spot_layer(result, which="registered", block_m=100.0, min_blind_share=0.0) -> GeoDataFrame
    EPSG:4326; columns district_code, district_name, blind_share (0..1), blind_m2, district_m2,
    geometry (the block square). ``which`` is "registered" or "live".
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.coverage import CoverageResult


class BlindSpotError(ValueError):
    """Bad parameters for the blind-spot layer."""


def _span_rows_cols(spans: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, column and district of every cell of the spans (no division per cell)."""
    n = spans[:, 2] - spans[:, 1]
    which = np.repeat(np.arange(len(spans)), n)
    cols = spans[which, 1] + (np.arange(which.size) - np.repeat(np.cumsum(n) - n, n))
    return spans[which, 0], cols, spans[which, 3]


def _majority_district(block: np.ndarray, owner: np.ndarray, sample: np.ndarray, n_blocks: int,
                       n_districts: int) -> np.ndarray:
    """For each block, the district holding most of a 1-in-16 sample of its cells (any of its cells'
    districts when the sample misses the block)."""
    majority = np.zeros(n_blocks, np.int64)
    majority[block] = owner
    keys, counts = np.unique(block[sample] * n_districts + owner[sample], return_counts=True)
    blocks, district = np.divmod(keys, n_districts)
    order = np.lexsort((-counts, blocks))
    first = np.ones(len(order), bool)
    first[1:] = blocks[order][1:] != blocks[order][:-1]
    majority[blocks[order][first]] = district[order][first]
    return majority


def blind_spot_layer(result: CoverageResult, which: str = "registered", block_m: float = 100.0,
                     min_blind_share: float = 0.0) -> gpd.GeoDataFrame:
    if which not in ("registered", "live"):
        raise BlindSpotError(f"which must be 'registered' or 'live', not {which!r}")
    if not block_m >= 4 * result.grid.grid.cell_m:
        raise BlindSpotError(f"block_m must be at least 4 cells ({4 * result.grid.grid.cell_m:g} m)")
    cg = result.grid
    grid = cg.grid
    factor = round(block_m / grid.cell_m)
    covered = grid.zeros(bool)
    covered[result.registered_cells if which == "registered" else result.live_cells] = True
    rows, cols, owner = _span_rows_cols(cg.spans)
    n_block_cols = grid.n_cols // factor + 1
    n_blocks = (grid.n_rows // factor + 1) * n_block_cols
    block = (rows // factor) * n_block_cols + cols // factor
    block_cells = np.bincount(block, minlength=n_blocks)
    block_unseen = np.bincount(block, weights=~covered[rows * grid.n_cols + cols], minlength=n_blocks)
    sample = ((rows & 3) == 0) & ((cols & 3) == 0)
    majority = _majority_district(block, owner, sample, n_blocks, len(cg.districts))
    present = np.flatnonzero(block_cells)
    share = block_unseen[present] / block_cells[present]
    keep = share >= min_blind_share
    b = present[keep]
    br, bc = np.divmod(b, n_block_cols)
    size = factor * grid.cell_m
    x0, y0 = grid.x0 + bc * size, grid.y0 + br * size
    d = majority[b]
    frame = pd.DataFrame({
        "district_code": cg.districts["code"].to_numpy()[d],
        "district_name": cg.districts["name"].to_numpy()[d],
        "blind_share": share[keep],
        "blind_m2": block_unseen[b] * grid.cell_area_m2,
        "district_m2": block_cells[b] * grid.cell_area_m2,
    })
    return gpd.GeoDataFrame(frame, geometry=shapely.box(x0, y0, x0 + size, y0 + size), crs=grid.epsg).to_crs(4326)
