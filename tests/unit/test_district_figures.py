"""geo.district_figures: cameras and posts counted where they stand, one assignment for every figure."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.district_figures import district_figures

WEST, EAST = shapely.box(0.0, 0.0, 1.0, 1.0), shapely.box(1.0, 0.0, 2.0, 1.0)
DISTRICTS = gpd.GeoDataFrame({"code": ["W", "E"], "name": ["West", "East"], "population": [1000, 4000],
                              "level": ["kecamatan", "kecamatan"]}, geometry=[WEST, EAST], crs="EPSG:4326")


def test_cameras_and_posts_count_in_the_district_that_holds_them():
    # Three cameras in the west (one connected), one connected camera in the east, one outside both.
    lon = np.array([0.2, 0.5, 0.8, 1.5, 5.0])
    lat = np.array([0.5, 0.5, 0.5, 0.5, 0.5])
    connected = np.array([True, False, False, True, True])
    # A post whose row might say "W" but which stands in the east counts in the east.
    posts = pd.DataFrame({"lon": [0.5, 1.7], "lat": [0.5, 0.2], "personnel": [30, 12], "on_duty": [10, 4],
                          "district_code": ["W", "W"]})
    frame = district_figures(DISTRICTS, lon, lat, connected, posts).set_index("code")
    assert frame.loc["W", ["cameras", "connected", "personnel", "on_duty"]].tolist() == [3, 1, 30, 10]
    assert frame.loc["E", ["cameras", "connected", "personnel", "on_duty"]].tolist() == [1, 1, 12, 4]
    assert frame.loc["E", "population"] == 4000 and frame.loc["W", "name"] == "West"


def test_no_cameras_and_no_posts_give_zeros_not_errors():
    frame = district_figures(DISTRICTS, np.array([]), np.array([]), np.array([], bool),
                             pd.DataFrame({"lon": [], "lat": [], "personnel": [], "on_duty": []}))
    assert frame[["cameras", "connected", "personnel", "on_duty"]].to_numpy().sum() == 0
    assert list(frame["code"]) == ["W", "E"]
