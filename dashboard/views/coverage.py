"""Cakupan (Coverage): per-district coverage, registered vs live, the blind-spot map and the planners.

The numbers come from db.coverage_cache (geo/ computations keyed by the registry's data version), the
same results the `noblindspot coverage` and `plan` commands print.
"""
from __future__ import annotations

import geopandas as gpd
import streamlit as st

from dashboard import auth, deps, state
from dashboard.components.coverage_view import (
    display_table,
    render_blind_spot_map,
    render_chart,
    render_region_metrics,
)
from dashboard.components.error_notice import show_error
from dashboard.components.planner_view import render_connect_next, render_reaim
from dashboard.i18n import _
from db import coverage_cache
from geo.coverage import CoverageInputError

LEVELS = ("kecamatan", "kelurahan")
MIN_BLIND_SHARE = 0.5  # blocks drawn on the map: at least half of the ground unseen


def load_coverage(level: str) -> dict | None:
    """Coverage table, region figures and blind spots, with a progress bar while they are computed."""
    if state.districts_frame(level).empty:
        st.warning(_("No {level} boundaries are loaded yet. Import boundaries first (Registry page or "
                     "noblindspot import).", level=level))
        return None
    cache = deps.result_cache()
    progress = st.progress(0, text=_("Computing coverage for {count} cameras…", count=len(state.cameras_frame())))
    try:
        with state.session_factory()() as session:
            table, region = coverage_cache.coverage_table(session, cache, level)
            progress.progress(60, text=_("Finding blind spots…"))
            blind = {which: coverage_cache.blind_spots(session, cache, level, which)
                     for which in ("registered", "live")}
    except CoverageInputError as exc:
        show_error(_("Coverage cannot be computed from the registry as it is now: the district boundaries or "
                     "map layers cannot be used. Ask an operator to check them on the Registry page, then "
                     "reload this page."), exc)
        return None
    finally:
        progress.empty()
    blind = {which: blocks[blocks["blind_share"] >= MIN_BLIND_SHARE] for which, blocks in blind.items()}
    return {"table": table, "region": region, **blind}


def _blind_spots(products: dict, districts: gpd.GeoDataFrame) -> None:
    st.subheader(_("Blind spots"))
    # Labels are looked up from a dict made now: a format_func must not depend on the session later.
    labels = {"registered": _("all registered cameras"), "live": _("connected (live) cameras only")}
    which = st.radio(_("Seen by"), list(labels), horizontal=True, key="coverage_blind_which",
                     format_func=labels.__getitem__)
    st.caption(_("Blocks of 100 m where at least half of the ground is not seen; darker means less seen."))
    render_blind_spot_map(products[which], districts, deps.settings().basemap_url)


def _planners(products: dict) -> None:
    st.subheader(_("Planners"))
    districts = state.districts_frame("kecamatan")
    basemap = deps.settings().basemap_url
    connect_tab, reaim_tab = st.tabs([_("Connect next"), _("Re-aim")])
    with connect_tab:
        render_connect_next(districts, products["live"], basemap)
    with reaim_tab:
        render_reaim(districts, products["registered"], basemap)


def render() -> None:
    auth.require_permission("coverage")
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
    _blind_spots(products, state.districts_frame(level))
    _planners(products)


render()
