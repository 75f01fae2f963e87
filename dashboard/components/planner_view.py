"""The two planners on the coverage page: connect next and re-aim, with progress, map and CSV download.

The planning itself is geo.planners; this module reads the operator's parameters, runs the planner
with a progress bar (the coverage grid is built first, then the plan), keeps the result in the session
so reruns do not recompute it, and shows it.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard.components.coverage_view import render_blind_spot_map
from dashboard.i18n import _, format_number, format_percent
from geo.coverage import CoverageInputError, build_coverage_grid
from geo.planners.connect_next import PlanError, plan_connect_next
from geo.planners.reaim import plan_reaim

CONNECT_RESULT = "coverage_plan_connect"
REAIM_RESULT = "coverage_plan_reaim"


def _grid(districts: gpd.GeoDataFrame, priority: gpd.GeoDataFrame | None, progress):
    progress.progress(10, text=_("Building the coverage grid…"))
    return build_coverage_grid(districts, priority)


def run_connect_next(cameras, districts, priority, budget: int, per_district: int | None, objective: str) -> dict:
    progress = st.progress(0)
    grid = _grid(districts, priority if objective == "priority" else None, progress)
    progress.progress(50, text=_("Choosing cameras to connect…"))
    plan = plan_connect_next(cameras, grid, budget, per_district=per_district, objective=objective)
    progress.empty()
    picks = plan.picks.rename(columns={"code": "camera_code"})
    return {"picks": picks, "gain_m2": plan.greedy_gain_m2, "baseline_m2": plan.baseline_m2,
            "gap_pct": plan.optimality_gap_pct, "candidates": plan.candidates}


def run_reaim(cameras, districts, district_codes: list[str], step_deg: float) -> dict:
    progress = st.progress(0)
    grid = _grid(districts, None, progress)
    progress.progress(50, text=_("Trying new bearings…"))
    plan = plan_reaim(cameras, grid, districts=district_codes or None, step_deg=step_deg)
    progress.empty()
    moves = plan.moves.rename(columns={"code": "camera_code"})
    positions = cameras[["code", "lon", "lat"]].rename(columns={"code": "camera_code"})
    return {"moves": moves.merge(positions, on="camera_code", how="left"), "gain_m2": plan.total_gain_m2}


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


def render_connect_next(cameras, districts, priority, blocks, basemap_url) -> None:
    st.caption(_("Registered cameras whose owners consented to live connection, chosen so that live "
                 "coverage grows the most."))
    budget, quota, objective = _connect_form("connect")
    if st.button(_("Plan connections"), key="connect_plan"):
        try:
            st.session_state[CONNECT_RESULT] = run_connect_next(cameras, districts, priority, budget, quota,
                                                                objective)
        except (PlanError, CoverageInputError) as exc:
            st.error(_("The plan cannot be made: {reason}", reason=str(exc)))
            return
    result = st.session_state.get(CONNECT_RESULT)
    if not result:
        return
    picks = result["picks"]
    st.metric(_("Area added to live coverage"), f"{format_number(result['gain_m2'] / 1e6, 3)} km²",
              help=_("At most {gap} below the best possible choice.", gap=format_percent(result["gap_pct"] / 100)))
    st.dataframe(picks, hide_index=True, width="stretch")
    st.download_button(_("Download the proposals (CSV)"), picks.to_csv(index=False).encode("utf-8"),
                       file_name="connect-next.csv", mime="text/csv", key="connect_csv")
    if {"lon", "lat"} <= set(picks.columns) and len(picks):
        detail = picks["gain_m2"].map(lambda g: _("+{area} m² live", area=format_number(g, 0)))
        render_blind_spot_map(blocks, districts, basemap_url, _proposals(picks, detail), key="connect_map")


def render_reaim(cameras, districts, blocks, basemap_url) -> None:
    st.caption(_("Adjustable fixed cameras turned to see more without uncovering what only they see."))
    left, right = st.columns(2)
    codes = left.multiselect(_("Only in these districts (empty = all)"), list(districts["code"]),
                             key="reaim_districts")
    step = right.select_slider(_("Bearing step (degrees)"), (5, 10, 15, 30, 45), value=15, key="reaim_step")
    if st.button(_("Plan re-aiming"), key="reaim_plan"):
        try:
            st.session_state[REAIM_RESULT] = run_reaim(cameras, districts, codes, float(step))
        except (PlanError, CoverageInputError) as exc:
            st.error(_("The plan cannot be made: {reason}", reason=str(exc)))
            return
    result = st.session_state.get(REAIM_RESULT)
    if not result:
        return
    moves = result["moves"]
    st.metric(_("Area added to registered coverage"), f"{format_number(result['gain_m2'] / 1e6, 3)} km²")
    if moves.empty:
        st.info(_("No camera can be turned to see more without losing ground only it sees."))
        return
    st.dataframe(moves.drop(columns=["text"], errors="ignore"), hide_index=True, width="stretch")
    st.download_button(_("Download the proposals (CSV)"), moves.to_csv(index=False).encode("utf-8"),
                       file_name="re-aim.csv", mime="text/csv", key="reaim_csv")
    detail = [_("turn from {old}° to {new}°", old=format_number(f, 0), new=format_number(t, 0))
              for f, t in zip(moves["from_deg"], moves["to_deg"])]
    render_blind_spot_map(blocks, districts, basemap_url, _proposals(moves, pd.Series(detail)), key="reaim_map")
