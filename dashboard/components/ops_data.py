"""Read side of the operations pages: the camera visibility index and the posts near a point, cached by
the registry's data version, over the same session factory the other pages use (tests may override it
through dashboard.components.relay_access)."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard.components import relay_access
from db import repositories
from geo.nearest import jurisdiction, nearest_polsek, nearest_security_post
from geo.visibility import build_camera_index, cameras_seeing_point

SEEING_COLUMNS = ["code", "name", "lon", "lat", "distance_m", "connection", "consent", "owner_name", "owner_phone",
                  "dvr_retention_days"]


def session_factory():
    return relay_access.session_factory()


def settings():
    return relay_access.settings()


def region_bbox() -> tuple[float, float, float, float]:
    return tuple(settings().region_bbox)


def database_key() -> str:
    bind = session_factory().kw.get("bind")
    return bind.url.render_as_string(hide_password=True) if bind is not None else "default"


def registry_version() -> tuple[int, ...]:
    with session_factory()() as session:
        return repositories.data_version(session)


@st.cache_resource(show_spinner=False, max_entries=4)
def _camera_index(database: str, version: tuple[int, ...]):
    """Read-only after it is built, so one index serves every session until the registry changes."""
    with session_factory()() as session:
        cameras = repositories.cameras_frame(session)
    return build_camera_index(cameras)


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
    index = _camera_index(database_key(), registry_version())
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
