"""Per-district figures for the map's tooltips and the briefing screen, with ONE district assignment.

Cameras and posts are counted in the district whose polygon holds them (geo.assign.assign_points),
the same way the coverage grid places cameras, never by the district stored on the row (which an
import may have set differently). So "cameras", "connected" and "residents per officer" of a district
all refer to the same ground.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.assign import assign_points

FIGURE_COLUMNS = ["code", "name", "population", "cameras", "connected", "personnel", "on_duty"]


def _counts(codes: np.ndarray, weights: np.ndarray | None = None) -> pd.Series:
    frame = pd.DataFrame({"code": codes, "n": np.ones(len(codes)) if weights is None else weights})
    return frame.dropna(subset=["code"]).groupby("code")["n"].sum()


def district_figures(districts: gpd.GeoDataFrame, camera_lon: np.ndarray, camera_lat: np.ndarray,
                     connected: np.ndarray, posts: pd.DataFrame) -> pd.DataFrame:
    """code, name, population, cameras, connected, personnel, on_duty for each of ``districts``.

    ``districts``: one level's polygons (code, name, population, level, geometry; EPSG:4326).
    ``posts``: lon, lat, personnel and on_duty (headcount on shift now) per post.
    """
    inside = assign_points(camera_lon, camera_lat, districts)
    cameras = _counts(inside)
    live = _counts(inside[np.asarray(connected, dtype=bool)]) if len(inside) else pd.Series(dtype=float)
    if len(posts):
        post_in = assign_points(posts["lon"].to_numpy(float), posts["lat"].to_numpy(float), districts)
        personnel = _counts(post_in, posts["personnel"].fillna(0).to_numpy(float))
        on_duty = _counts(post_in, posts["on_duty"].fillna(0).to_numpy(float))
    else:
        personnel = on_duty = pd.Series(dtype=float)
    frame = pd.DataFrame({"code": districts["code"].to_numpy(), "name": districts["name"].to_numpy(),
                          "population": districts["population"].to_numpy()})
    for column, counts in (("cameras", cameras), ("connected", live), ("personnel", personnel),
                           ("on_duty", on_duty)):
        frame[column] = frame["code"].map(counts).fillna(0).astype(int)
    return frame[FIGURE_COLUMNS]
