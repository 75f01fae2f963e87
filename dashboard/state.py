"""Session keys and the dashboard's read side: data-version-keyed loaders over db/repositories.py.

Query results are cached with st.cache_data keyed on the registry's data version (bumped by every
write), so a rerun costs one tiny version query. The feed table's observed state changes without a
registry write, so it is read fresh on every run (it only has rows for connected cameras).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from dashboard import deps
from dashboard.components.map_layers import OWNER_ORDER, CameraPoints, build_camera_points
from db import coverage_cache, feeds, incidents, repositories
from geo.consent import live_consent, local_today
from geo.district_figures import district_figures as geo_district_figures
from geo.feed_health import FAULTS, Evidence, MapHealth, map_class
from geo.vocabulary import Connection

# session_state keys shared by the pages
SELECTED_CAMERA = "selected_camera"      # camera code whose card is open
FLY_TO = "fly_to"                        # (lon, lat, zoom) the map should centre on
BRIEFING_INDEX = "briefing_index"        # which district the briefing screen shows
FOOTAGE_REQUEST_FOR = "footage_request_for"  # camera code a footage request was asked for

HEALTHY, REGISTERED_ONLY = MapHealth.HEALTHY.value, MapHealth.REGISTERED.value
NOT_STARTED = MapHealth.NOT_STARTED.value
HEALTH_CLASSES = tuple(h.value for h in MapHealth)           # the legend's and the filter's order
# what needs a person: not started is not a fault (watching starts it), these are
FAULT_CLASSES = tuple(h.value for h in MapHealth if h in FAULTS and h is not MapHealth.NOT_STARTED)
OFFLINE_CLASSES = (MapHealth.CAMERA_UNREACHABLE.value, MapHealth.RELAY_UNREACHABLE.value)
RELAY_HEARTBEAT_S = 15.0   # no relay node heard from for this long: every live camera is "relay unreachable"


def session_factory():
    """The session factory for this run (dashboard/deps.py; tests override it there)."""
    return deps.session_factory()


def data_version() -> tuple[int, ...]:
    with session_factory()() as session:
        return repositories.data_version(session)


def database_key() -> str:
    """Distinguishes databases in cache keys (tests and staging run several in one process)."""
    return deps.database_key()


@st.cache_data(show_spinner=False, max_entries=4)
def _cameras(db: str, version: tuple[int, ...]) -> gpd.GeoDataFrame:
    with session_factory()() as session:
        return repositories.cameras_frame(session)


@st.cache_data(show_spinner=False, max_entries=8)
def _districts(db: str, version: tuple[int, ...], level: str | None) -> gpd.GeoDataFrame:
    with session_factory()() as session:
        return repositories.districts_frame(session, level)


@st.cache_data(show_spinner=False, max_entries=4)
def _posts(db: str, version: tuple[int, ...]) -> gpd.GeoDataFrame:
    with session_factory()() as session:
        return repositories.posts_frame(session)


@st.cache_data(show_spinner=False, max_entries=4, ttl=60)
def _duty_units(db: str, version: tuple[int, ...]) -> gpd.GeoDataFrame:
    with session_factory()() as session:
        return repositories.duty_units_frame(session)


def cameras_frame() -> gpd.GeoDataFrame:
    return _cameras(database_key(), data_version())


def districts_frame(level: str | None = None) -> gpd.GeoDataFrame:
    return _districts(database_key(), data_version(), level)


def posts_frame() -> gpd.GeoDataFrame:
    return _posts(database_key(), data_version())


def duty_units_frame() -> gpd.GeoDataFrame:
    return _duty_units(database_key(), data_version())


def health_class(connection: str, mode: str | None, state: str | None, evidence: Evidence | None = None,
                 now: datetime | None = None) -> str:
    """The map's class for a camera: geo.feed_health's one rule (the card and player use it too)."""
    return map_class(connection, mode, state, evidence or Evidence(), now or datetime.now(UTC)).value


def _evidence(row: dict, relay_up: bool, today) -> Evidence:
    consent = live_consent(row["consent"], row["consent_expires_on"], today).state
    return Evidence(consent=consent, relay_alive=relay_up, ran_at=row["ran_at"], checked_at=row["checked_at"],
                    answered=row["answered"])


def feed_states(now: datetime | None = None) -> pd.DataFrame:
    """code, mode, state, state_since, last_error and map health of every connected camera's feed."""
    now = now or datetime.now(UTC)
    today = local_today(now, deps.settings().timezone)
    with session_factory()() as session:
        rows = feeds.connected_feed_states(session)
        relay_up = feeds.relay_alive(session, now, RELAY_HEARTBEAT_S)
    frame = pd.DataFrame(rows, columns=list(feeds.STATE_COLUMNS))[["code", "mode", "state", "state_since",
                                                                   "last_error"]]
    for col in ("mode", "state"):
        frame[col] = frame[col].map(lambda v: getattr(v, "value", v))
    # A feed that never started has no state_since; pandas would make it NaT (truthy, tz-less) beside
    # feeds that have one. Keep the moments as aware datetimes or None, the way the database gave them.
    frame["state_since"] = pd.Series([row["state_since"] for row in rows], index=frame.index, dtype=object)
    evidence = [_evidence(row, relay_up, today) for row in rows]
    frame["health"] = [health_class(Connection.CONNECTED.value, row["mode"], row["state"], ev, now)
                       for row, ev in zip(rows, evidence, strict=True)]
    frame["consent"] = pd.Series([ev.consent.value for ev in evidence], index=frame.index, dtype=object)
    return frame


def camera_detail(code: str) -> dict | None:
    """One camera for its card, with owner and district names (never the stream URL)."""
    with session_factory()() as session:
        return repositories.camera_detail(session, code)


def personnel_on_duty(at: datetime | None = None) -> pd.DataFrame:
    """Headcount on shift now per post code (units whose shift window contains ``at``)."""
    at = at or datetime.now(UTC)
    units = duty_units_frame()
    if units.empty:
        return pd.DataFrame({"post_code": [], "on_duty": []})
    start = pd.to_datetime(units["shift_start"], utc=True)
    end = pd.to_datetime(units["shift_end"], utc=True)
    now = pd.Timestamp(at)
    on = units[(start.isna() | (start <= now)) & (end.isna() | (end >= now))]
    return on.groupby("post_code", as_index=False)["headcount"].sum().rename(columns={"headcount": "on_duty"})


def current_user():
    """The signed-in user (dashboard/auth.py), or None."""
    from dashboard import auth

    return auth.current_user()


def allowed(action: str) -> bool:
    """Whether the signed-in role may do ``action`` (db.users.PERMISSIONS)."""
    from dashboard import auth

    return auth.can(auth.current_user(), action)


def can_see_contacts() -> bool:
    """Owner contact details: commanders, operators and admins; not the briefing account."""
    return allowed("owner_contacts")


@st.cache_data(show_spinner=False, max_entries=2)
def _camera_points(db: str, version: tuple[int, ...], origin: tuple[float, float]) -> CameraPoints:
    with session_factory()() as session:
        return build_camera_points(repositories.cameras_frame(session), origin)


def camera_points() -> CameraPoints:
    """The registry reduced for the map (built once per data version, shared by every session)."""
    bbox = deps.settings().region_bbox
    return _camera_points(database_key(), data_version(), (float(bbox[0]), float(bbox[1])))


@dataclass(frozen=True)
class CameraFilter:
    """What the map's filters ask for; an empty tuple means "any"."""

    kecamatan: tuple[str, ...] = ()
    owner_class: tuple[str, ...] = ()
    connection: tuple[str, ...] = ()
    consent: tuple[str, ...] = ()
    health: tuple[str, ...] = ()
    text: str = ""


def health_array(points: CameraPoints, health_by_code: dict[str, str]) -> np.ndarray:
    """The health class of every camera (registered-only, or the connected feed's health)."""
    out = np.full(len(points), REGISTERED_ONLY, dtype=object)
    connected = np.flatnonzero(points.connected)
    out[connected] = [health_by_code.get(points.code[i], NOT_STARTED) for i in connected.tolist()]
    return out


def filter_mask(points: CameraPoints, wanted: CameraFilter, health: np.ndarray) -> np.ndarray:
    mask = np.ones(len(points), dtype=bool)
    if wanted.kecamatan:
        mask &= np.isin(points.kecamatan, list(wanted.kecamatan))
    if wanted.owner_class:
        codes = [OWNER_ORDER.index(o) for o in wanted.owner_class if o in OWNER_ORDER]
        mask &= np.isin(points.owner, codes)
    if wanted.connection:
        if "connected" not in wanted.connection:
            mask &= ~points.connected
        if "registered" not in wanted.connection:
            mask &= points.connected
    if wanted.consent:
        mask &= np.isin(points.consent, list(wanted.consent))
    if wanted.health:
        mask &= np.isin(health, list(wanted.health))
    needle = wanted.text.strip().lower()
    if needle:
        candidates = np.flatnonzero(mask)
        hits = [i for i in candidates.tolist() if needle in points.text[i]]
        mask = np.zeros(len(points), dtype=bool)
        mask[hits] = True
    return mask


def district_figures(level: str) -> pd.DataFrame:
    """Per district of ``level``: cameras, connected, personnel at posts, on duty now, population, and
    coverage (geo.district_figures places cameras and posts by position; coverage from the read model)."""
    districts = districts_frame(level)
    points = camera_points()
    posts = posts_frame()
    if len(posts):
        posts = posts.merge(personnel_on_duty(), left_on="code", right_on="post_code", how="left")
    else:
        posts = pd.DataFrame({"lon": [], "lat": [], "personnel": [], "on_duty": []})
    frame = geo_district_figures(districts, points.lon, points.lat, points.connected, posts)
    coverage = coverage_by_district(level)
    frame["live_coverage"] = frame["code"].map(coverage["live"]) if coverage is not None else np.nan
    frame["registered_coverage"] = frame["code"].map(coverage["registered"]) if coverage is not None else np.nan
    return frame


def coverage_by_district(level: str = "kecamatan") -> pd.DataFrame | None:
    """Live and registered coverage (fractions) per district code.

    The figures of db.coverage_cache (with the priority and buildings layers), the very table the
    coverage page and ``noblindspot coverage`` show, computed once per data version for the process.
    """
    from geo.coverage import CoverageInputError

    try:
        with session_factory()() as session:
            table, _region = coverage_cache.coverage_table(session, deps.result_cache(), level)
    except CoverageInputError:          # no districts of this level, or no cameras: nothing to show
        return None
    return pd.DataFrame({"live": table["live_coverage_pct"].to_numpy() / 100.0,
                         "registered": table["registered_coverage_pct"].to_numpy() / 100.0},
                        index=table["code"].to_numpy())


def blind_spots(which: str = "registered", block_m: float = 200.0) -> pd.DataFrame:
    """South-west corners of the mostly-unseen blocks (>= half blind), with their blind share."""
    from geo.coverage import CoverageInputError

    try:
        with session_factory()() as session:
            blocks = coverage_cache.blind_spots(session, deps.result_cache(), "kecamatan", which, block_m,
                                                min_blind_share=0.5)
    except CoverageInputError:
        return pd.DataFrame({"lon": [], "lat": [], "blind_share": []})
    bounds = blocks.geometry.bounds
    return pd.DataFrame({"lon": bounds["minx"].to_numpy(), "lat": bounds["miny"].to_numpy(),
                         "blind_share": blocks["blind_share"].to_numpy()})


def open_incident_codes() -> list[str]:
    """The open incidents a purpose may cite (read fresh: an incident closed a minute ago is refused)."""
    with session_factory()() as session:
        return incidents.open_incident_codes(session)


def open_operations() -> dict[str, int]:
    """Open incidents and pending footage requests."""
    with session_factory()() as session:
        return incidents.open_operations(session)
