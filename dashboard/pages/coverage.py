"""Cakupan (Coverage): per-district coverage, registered vs live, the blind-spot map and the planners."""
from __future__ import annotations

import geopandas as gpd
import streamlit as st

from dashboard import state
from dashboard.components import relay_access
from dashboard.components.coverage_view import (display_table, render_blind_spot_map, render_chart,
                                                render_region_metrics)
from dashboard.components.planner_view import render_connect_next, render_reaim
from dashboard.i18n import _
from db import repositories
from geo.blindspots import blind_spot_layer
from geo.coverage import CoverageInputError, analyse_coverage

PRIORITY_LAYER = "priority"
LEVELS = ("kecamatan", "kelurahan")


def _versions() -> tuple[int, ...]:
    with state.session_factory()() as session:
        return repositories.data_version(session, repositories.REGISTRY, repositories.LAYERS)


@st.cache_data(show_spinner=False, max_entries=4)
def _priority(_db: str, versions: tuple[int, ...]) -> gpd.GeoDataFrame:
    with state.session_factory()() as session:
        return repositories.layer_frame(session, PRIORITY_LAYER)


@st.cache_data(show_spinner=False, max_entries=4)
def _coverage(_cameras, _districts, _priority_layer, _db: str, versions: tuple[int, ...],
              level: str) -> dict:
    """table, region, and the blind-spot blocks seen by registered and by live cameras (plain dict:
    page scripts are re-executed, so cached values hold no class defined here)."""
    priority = _priority_layer if len(_priority_layer) else None
    result = analyse_coverage(_cameras, _districts, priority=priority)
    return {"table": result.table, "region": result.region,
            "registered": blind_spot_layer(result, "registered", min_blind_share=0.5),
            "live": blind_spot_layer(result, "live", min_blind_share=0.5)}


def load_coverage(level: str) -> dict | None:
    """Coverage for the chosen district level, with a progress bar while it is computed."""
    progress = st.progress(0, text=_("Loading the registry…"))
    db, versions = state.database_key(), _versions()
    cameras = state.cameras_frame()
    districts = state.districts_frame(level)
    priority = _priority(db, versions)
    if districts.empty:
        progress.empty()
        st.warning(_("No {level} boundaries are loaded yet. Import boundaries first (Registry page or "
                     "noblindspot import).", level=level))
        return None
    progress.progress(30, text=_("Computing coverage for {count} cameras…", count=len(cameras)))
    try:
        products = _coverage(cameras, districts, priority, db, versions, level)
    except CoverageInputError as exc:
        progress.empty()
        st.error(_("Coverage cannot be computed: {reason}", reason=str(exc)))
        return None
    progress.empty()
    return products


def _blind_spots(products: dict, districts: gpd.GeoDataFrame) -> None:
    st.subheader(_("Blind spots"))
    # Labels are looked up from a dict made now: a format_func must not depend on the session later.
    labels = {"registered": _("all registered cameras"), "live": _("connected (live) cameras only")}
    which = st.radio(_("Seen by"), list(labels), horizontal=True, key="coverage_blind_which",
                     format_func=labels.__getitem__)
    blocks = products[which]
    st.caption(_("Blocks of 100 m where at least half of the ground is not seen; darker means less seen."))
    render_blind_spot_map(blocks, districts, relay_access.settings().basemap_url)


def render() -> None:
    st.title(_("Coverage"))
    labels = {"kecamatan": _("Kecamatan"), "kelurahan": _("Kelurahan")}
    level = st.radio(_("District level"), LEVELS, horizontal=True, key="coverage_level",
                     format_func=labels.__getitem__)
    products = load_coverage(level)
    if products is None:
        return
    render_region_metrics(products["region"])
    st.subheader(_("Coverage by district"))
    st.dataframe(display_table(products["table"]), hide_index=True, width="stretch")
    st.download_button(_("Download the table (CSV)"), products["table"].to_csv(index=False).encode("utf-8"),
                       file_name=f"coverage-{level}.csv", mime="text/csv", key="coverage_table_csv")
    st.subheader(_("Registered vs live coverage"))
    render_chart(products["table"])
    districts = state.districts_frame(level)
    _blind_spots(products, districts)
    _planners(products, districts)


def _planners(products: dict, districts: gpd.GeoDataFrame) -> None:
    st.subheader(_("Planners"))
    cameras = state.cameras_frame()
    priority = _priority(state.database_key(), _versions())
    basemap = relay_access.settings().basemap_url
    connect_tab, reaim_tab = st.tabs([_("Connect next"), _("Re-aim")])
    with connect_tab:
        render_connect_next(cameras, districts, priority if len(priority) else None, products["live"], basemap)
    with reaim_tab:
        render_reaim(cameras, districts, products["registered"], basemap)


render()
