"""Read side of the operations pages: the camera visibility index and the posts near a point, cached by
the registry's data version, over the session factory of dashboard/deps.py (tests may override it
there). Who sees a point comes from db.coverage_cache, so the incidents page and ``noblindspot
who-sees`` give the same answer."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard import deps
from db import coverage_cache, repositories
from geo.nearest import jurisdiction, nearest_polsek, nearest_security_post
from geo.visibility import cameras_seeing_point

SEEING_COLUMNS = ["code", "name", "lon", "lat", "distance_m", "connection", "consent", "owner_name", "owner_phone",
                  "dvr_retention_days"]


def session_factory():
    return deps.session_factory()


def region_bbox() -> tuple[float, float, float, float]:
    return tuple(deps.settings().region_bbox)


def database_key() -> str:
    return deps.database_key()


def registry_version() -> tuple[int, ...]:
    with session_factory()() as session:
        return repositories.data_version(session)


def _camera_index():
    """The who-sees index of db.coverage_cache (with the buildings layer), the one the CLI uses."""
    with session_factory()() as session:
        return coverage_cache.camera_index(session, deps.result_cache())


@st.cache_data(show_spinner=False, max_entries=4)
def _posts(database: str, version: tuple[int, ...]) -> pd.DataFrame:
    with session_factory()() as session:
        return pd.DataFrame(repositories.posts_frame(session).drop(columns="geometry"))


@st.cache_data(show_spinner=False, max_entries=4)
def _kecamatan(database: str, version: tuple[int, ...]) -> gpd.GeoDataFrame:
    with session_factory()() as session:
        return repositories.districts_frame(session, "kecamatan")


def cameras_seeing(lon: float, lat: float) -> pd.DataFrame:
    """Cameras whose view cone holds the point, nearest first (owner contact columns included: the
    page decides whether to show them)."""
    index = _camera_index()
    if len(index.cameras) == 0:
        return pd.DataFrame(columns=SEEING_COLUMNS)
    seeing = cameras_seeing_point(index, lon, lat)
    return seeing[[c for c in SEEING_COLUMNS if c in seeing]]


def posts_near(lon: float, lat: float) -> dict:
    key = (database_key(), registry_version())
    posts = _posts(*key)
    if posts.empty:
        return {"polsek": None, "security_post": None, "jurisdiction": {}}
    kecamatan = _kecamatan(*key)
    return {"polsek": nearest_polsek(posts, lon, lat), "security_post": nearest_security_post(posts, lon, lat),
            "jurisdiction": jurisdiction(posts, kecamatan, lon, lat) if len(kecamatan) else {}}
