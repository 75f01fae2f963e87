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
from geo.raster import span_cells


class BlindSpotError(ValueError):
    """Bad parameters for the blind-spot layer."""


def blind_spot_layer(result: CoverageResult, which: str = "registered", block_m: float = 100.0,
                     min_blind_share: float = 0.0) -> gpd.GeoDataFrame:
    if which not in ("registered", "live"):
        raise BlindSpotError(f"which must be 'registered' or 'live', not {which!r}")
    cg = result.grid
    grid = cg.grid
    factor = max(1, round(block_m / grid.cell_m))
    cells, owner = span_cells(cg.spans, grid)
    covered = grid.zeros(bool)
    covered[result.registered_cells if which == "registered" else result.live_cells] = True
    rows, cols = grid.rows_cols(cells)
    n_block_cols = grid.n_cols // factor + 1
    block = (rows // factor) * n_block_cols + cols // factor
    n_d = len(cg.districts)
    key = block * n_d + owner
    keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    unseen = np.bincount(inverse, weights=~covered[cells], minlength=len(keys))
    blocks, district = np.divmod(keys, n_d)
    # Keep, for each block, the district holding most of its cells.
    order = np.lexsort((-counts, blocks))
    first = np.ones(len(order), bool)
    first[1:] = blocks[order][1:] != blocks[order][:-1]
    pick = order[first]
    block_id = np.searchsorted(blocks[pick], blocks)
    block_cells = np.bincount(block_id, weights=counts)
    block_unseen = np.bincount(block_id, weights=unseen)
    share = block_unseen / block_cells
    keep = share >= min_blind_share
    b = blocks[pick][keep]
    br, bc = np.divmod(b, n_block_cols)
    size = factor * grid.cell_m
    x0, y0 = grid.x0 + bc * size, grid.y0 + br * size
    geoms = shapely.box(x0, y0, x0 + size, y0 + size)
    d = district[pick][keep]
    frame = pd.DataFrame({
        "district_code": cg.districts["code"].to_numpy()[d],
        "district_name": cg.districts["name"].to_numpy()[d],
        "blind_share": share[keep],
        "blind_m2": block_unseen[keep] * grid.cell_area_m2,
        "district_m2": block_cells[keep] * grid.cell_area_m2,
    })
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=grid.epsg).to_crs(4326)
