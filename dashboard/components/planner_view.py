"""The two planners on the coverage page: connect next and re-aim, with progress, map and CSV download.

The planning is geo.planners through db.coverage_cache (keyed by the registry's data version, so a
plan is computed once per registry state and parameters). The session keeps the parameters of the
last plan asked for, so reruns show it again from the cache without recomputing.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard import deps, state
from dashboard.components import value_labels as vl
from dashboard.components.coverage_view import render_blind_spot_map
from dashboard.components.error_notice import show_error
from dashboard.i18n import _, format_number, format_percent
from db import coverage_cache
from geo.coverage import CoverageInputError
from geo.planners.connect_next import PlanError

CONNECT_PARAMS = "coverage_plan_connect"
REAIM_PARAMS = "coverage_plan_reaim"


def connect_next(budget: int, per_district: int | None, objective: str) -> dict:
    progress = st.progress(10, text=_("Choosing cameras to connect…"))
    try:
        with state.session_factory()() as session:
            plan = coverage_cache.connect_plan(session, deps.result_cache(), budget, per_district, objective)
    finally:
        progress.empty()
    picks = plan.picks.rename(columns={"code": "camera_code"})
    return {"picks": picks, "gain_m2": plan.greedy_gain_m2, "gap_pct": plan.optimality_gap_pct}


def reaim(district_codes: list[str], step_deg: float) -> dict:
    progress = st.progress(10, text=_("Trying new bearings…"))
    try:
        with state.session_factory()() as session:
            plan = coverage_cache.reaim_plan(session, deps.result_cache(), district_codes or None, step_deg)
    finally:
        progress.empty()
    moves = plan.moves.rename(columns={"code": "camera_code"})
    positions = state.cameras_frame()[["code", "lon", "lat"]].rename(columns={"code": "camera_code"})
    return {"moves": moves.merge(positions, on="camera_code", how="left"), "gain_m2": plan.total_gain_m2}


def plan_refusal(exc: Exception, params: tuple) -> str:
    """What a commander reads when a plan cannot be made: what happened and what to do, translated."""
    if isinstance(exc, CoverageInputError):
        return _("The plan cannot be made: the district boundaries or map layers cannot be used as they are. "
                 "Ask an operator to check them on the Registry page, then plan again.")
    if "priority" in params:
        return _("The plan cannot be made: maximising priority areas needs a priority-area layer, and none is "
                 "loaded. Choose “area seen”, or ask an operator to import a priority layer.")
    return _("The plan cannot be made with these settings. Change the numbers and plan again; if it still "
             "fails, ask an operator.")


def _planned(params_key: str, run, params: tuple | None) -> dict | None:
    """Run (or fetch from the cache) the plan for the stored parameters; errors are explained."""
    if params is not None:
        st.session_state[params_key] = params
    params = st.session_state.get(params_key)
    if params is None:
        return None
    try:
        return run(*params)
    except (PlanError, CoverageInputError) as exc:
        st.session_state.pop(params_key, None)
        show_error(plan_refusal(exc, params), exc)
        return None


def _district_names() -> dict[str, str]:
    """Every district's name by code (the connect planner names kecamatan, the re-aim planner kelurahan)."""
    districts = state.districts_frame()
    return vl.district_names(zip(districts["code"], districts["name"], strict=True))


def connect_display(picks: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The connect-next proposals as commanders read them: translated headers and values, numbers in
    the reader's format, a dash where nothing is known (the CSV download keeps the raw columns)."""
    return pd.DataFrame({
        _("Rank"): [vl.number(v) for v in picks["rank"]],
        _("Camera"): [vl.text(v) for v in picks["camera_code"]],
        _("District"): [vl.district_label(v, names) for v in picks["district"]],
        _("Area added (m²)"): [vl.number(v) for v in picks["gain_m2"]],
        _("Area added in all (m²)"): [vl.number(v) for v in picks["cumulative_gain_m2"]],
        _("Owner"): [vl.text(v) for v in picks.get("owner_name", pd.Series([None] * len(picks)))],
        _("Consent"): [vl.consent_label(v) for v in picks.get("consent", pd.Series([None] * len(picks)))],
    })


def reaim_display(moves: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The re-aim proposals as commanders read them (the CSV download keeps the raw columns)."""
    return pd.DataFrame({
        _("Camera"): [vl.text(v) for v in moves["camera_code"]],
        _("District"): [vl.district_label(v, names) for v in moves["district"]],
        _("Bearing now (°)"): [vl.number(v) for v in moves["from_deg"]],
        _("Turn to (°)"): [vl.number(v) for v in moves["to_deg"]],
        _("Area added (m²)"): [vl.number(v) for v in moves["gain_m2"]],
    })


def _proposals(frame: pd.DataFrame, detail: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"camera_code": frame["camera_code"], "lon": frame["lon"], "lat": frame["lat"],
                         "detail": detail})


def _connect_form(key: str) -> tuple[int, int | None, str]:
    left, middle, right = st.columns(3)
    budget = left.number_input(_("Cameras to connect"), 1, 500, 15, key=f"{key}_budget")
    quota = middle.number_input(_("At most per kecamatan (0 = no limit)"), 0, 500, 0, key=f"{key}_quota")
    labels = {"area": _("area seen"), "priority": _("priority areas seen")}
    objective = right.radio(_("Maximise"), list(labels), key=f"{key}_objective", horizontal=True,
                            format_func=labels.__getitem__)
    return int(budget), int(quota) or None, objective


def render_connect_next(districts: gpd.GeoDataFrame, blocks, basemap_url) -> None:
    st.caption(_("Registered cameras whose owners consented to live connection, chosen so that live "
                 "coverage grows the most."))
    params = _connect_form("connect")
    asked = params if st.button(_("Plan connections"), key="connect_plan") else None
    result = _planned(CONNECT_PARAMS, connect_next, asked)
    if not result:
        return
    picks = result["picks"]
    st.metric(_("Area added to live coverage"), f"{format_number(result['gain_m2'] / 1e6, 3)} km²",
              help=_("At most {gap} below the best possible choice.", gap=format_percent(result["gap_pct"] / 100)))
    st.dataframe(connect_display(picks, _district_names()), hide_index=True, width="stretch")
    st.download_button(_("Download the proposals (CSV)"), picks.to_csv(index=False).encode("utf-8"),
                       file_name="connect-next.csv", mime="text/csv", key="connect_csv")
    if {"lon", "lat"} <= set(picks.columns) and len(picks):
        detail = picks["gain_m2"].map(lambda g: _("+{area} m² live", area=format_number(g, 0)))
        render_blind_spot_map(blocks, districts, basemap_url, _proposals(picks, detail), key="connect_map")


def render_reaim(districts: gpd.GeoDataFrame, blocks, basemap_url) -> None:
    st.caption(_("Adjustable fixed cameras turned to see more without uncovering what only they see."))
    left, right = st.columns(2)
    names = vl.district_names(zip(districts["code"], districts["name"], strict=True))
    codes = left.multiselect(_("Only in these districts (empty = all)"), list(districts["code"]),
                             format_func=lambda code: names.get(code, code), key="reaim_districts",
                             placeholder=_("All districts"), select_all=False)
    step = right.select_slider(_("Bearing step (degrees)"), (5, 10, 15, 30, 45), value=15, key="reaim_step")
    asked = (sorted(codes), float(step)) if st.button(_("Plan re-aiming"), key="reaim_plan") else None
    result = _planned(REAIM_PARAMS, reaim, asked)
    if not result:
        return
    moves = result["moves"]
    st.metric(_("Area added to registered coverage"), f"{format_number(result['gain_m2'] / 1e6, 3)} km²")
    if moves.empty:
        st.info(_("No camera can be turned to see more without losing ground only it sees."))
        return
    st.dataframe(reaim_display(moves, _district_names()), hide_index=True, width="stretch")
    st.download_button(_("Download the proposals (CSV)"), moves.to_csv(index=False).encode("utf-8"),
                       file_name="re-aim.csv", mime="text/csv", key="reaim_csv")
    detail = [_("turn from {old}° to {new}°", old=format_number(f, 0), new=format_number(t, 0))
              for f, t in zip(moves["from_deg"], moves["to_deg"], strict=True)]
    render_blind_spot_map(blocks, districts, basemap_url, _proposals(moves, pd.Series(detail)), key="reaim_map")
