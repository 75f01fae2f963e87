"""Coverage page pieces: the per-district table, the registered-vs-live chart and the blind-spot map.

Everything here takes frames computed by geo/ (coverage table, blind-spot blocks, planner proposals)
and only formats them; the numbers are never recomputed here.
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st

from dashboard import deps
from dashboard.components.basemap_layers import ATTRIBUTION as OSM_ATTRIBUTION
from dashboard.components.map_layers import SplicedDeck, district_layer
from dashboard.components.value_labels import text
from dashboard.i18n import _, format_number, format_percent

BLIND_COLOUR = (213, 94, 0)        # Okabe-Ito vermillion: unseen
PROPOSAL_COLOUR = (0, 114, 178)    # Okabe-Ito blue: a planner's proposal
PERCENT_COLUMNS = ("registered_coverage_pct", "live_coverage_pct", "priority_registered_pct",
                   "priority_live_pct")


def table_labels() -> dict[str, str]:
    return {"code": _("Code"), "name": _("District"), "registered_coverage_pct": _("Registered coverage"),
            "live_coverage_pct": _("Live coverage"), "priority_registered_pct": _("Priority areas, registered"),
            "priority_live_pct": _("Priority areas, live"), "cameras": _("Cameras"),
            "connected": _("Connected"), "cameras_per_km2": _("Cameras per km²"),
            "cameras_per_1000_residents": _("Cameras per 1,000 residents"), "area_km2": _("Area (km²)"),
            "population": _("Population")}


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The coverage table with locale-formatted percentages and numbers, headers translated."""
    shown = table[[c for c in table_labels() if c in table]].copy()
    for column in ("code", "name"):
        if column in shown:
            shown[column] = [text(v) for v in shown[column]]
    for column in PERCENT_COLUMNS:
        if column in shown:
            shown[column] = [format_percent(v / 100.0) if pd.notna(v) else "–" for v in shown[column]]
    for column, decimals in (("cameras_per_km2", 1), ("cameras_per_1000_residents", 2), ("area_km2", 2),
                             ("population", 0)):
        if column in shown:
            shown[column] = [format_number(v, decimals) if pd.notna(v) else "–" for v in shown[column]]
    return shown.rename(columns=table_labels())


def render_region_metrics(region: dict) -> None:
    columns = st.columns(4)
    columns[0].metric(_("Registered coverage"), format_percent(region["registered_coverage_pct"] / 100.0))
    columns[1].metric(_("Live coverage"), format_percent(region["live_coverage_pct"] / 100.0))
    columns[2].metric(_("Cameras"), format_number(region["cameras"]))
    columns[3].metric(_("Connected"), format_number(region["connected"]))


def chart_frame(table: pd.DataFrame) -> pd.DataFrame:
    """One row per district, one column per series, for a grouped bar chart."""
    frame = pd.DataFrame({_("Registered coverage"): table["registered_coverage_pct"].to_numpy(float),
                          _("Live coverage"): table["live_coverage_pct"].to_numpy(float)},
                         index=table["name"].fillna(table["code"]).astype(str).to_numpy())
    frame.index.name = _("District")
    return frame


def render_chart(table: pd.DataFrame) -> None:
    st.bar_chart(chart_frame(table), stack=False, y_label=_("Coverage (%)"), height=320,
                 color=["#0072B2", "#E69F00"])


def blind_spot_records(blocks: gpd.GeoDataFrame) -> list[dict]:
    records = []
    for share, name, geometry in zip(blocks["blind_share"], blocks["district_name"], blocks.geometry, strict=True):
        ring = [[round(x, 5), round(y, 5)] for x, y in geometry.exterior.coords]
        records.append({"p": ring, "s": round(float(share), 3), "t": str(name or ""),
                        "d": _("{share} not seen", share=format_percent(float(share), 0))})
    return records


def blind_spot_layer(blocks: gpd.GeoDataFrame) -> tuple[pdk.Layer, str]:
    layer = pdk.Layer("PolygonLayer", id="blind-spots", data="@@data:blind-spots", get_polygon="p",
                      get_fill_color=f"[{BLIND_COLOUR[0]}, {BLIND_COLOUR[1]}, {BLIND_COLOUR[2]}, 30 + 170 * s]",
                      stroked=False, pickable=True)
    return layer, json.dumps(blind_spot_records(blocks), separators=(",", ":"))


def proposal_layer(proposals: pd.DataFrame) -> tuple[pdk.Layer, str]:
    records = [{"lon": round(float(lon), 5), "lat": round(float(lat), 5), "t": str(code), "d": str(detail)}
               for lon, lat, code, detail in zip(proposals["lon"], proposals["lat"], proposals["camera_code"],
                                                 proposals["detail"], strict=True)]
    layer = pdk.Layer("ScatterplotLayer", id="proposals", data="@@data:proposals", get_position="[lon, lat]",
                      get_fill_color=[*PROPOSAL_COLOUR, 230], get_line_color=[255, 255, 255, 255], stroked=True,
                      line_width_min_pixels=2, get_radius=9, radius_units=pdk.types.String("pixels"), pickable=True)
    return layer, json.dumps(records, separators=(",", ":"))


def view_of(districts: gpd.GeoDataFrame) -> pdk.ViewState:
    minx, miny, maxx, maxy = districts.total_bounds if len(districts) else (106.64, -6.26, 106.86, -6.08)
    span = max(maxx - minx, maxy - miny, 1e-3)
    zoom = float(np.clip(np.log2(360.0 / span) - 1.0, 8, 16))
    return pdk.ViewState(longitude=(minx + maxx) / 2, latitude=(miny + maxy) / 2, zoom=zoom)


def render_blind_spot_map(blocks: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, basemap_url: str | None,
                          proposals: pd.DataFrame | None = None, key: str = "coverage_map") -> None:
    layered = [blind_spot_layer(blocks),
               district_layer(districts, {}, "coverage-districts", pickable=False, line_px=1.5)]
    if proposals is not None and len(proposals):
        layered.append(proposal_layer(proposals))
    basemap = deps.vector_basemap()
    deck = SplicedDeck(layered, view_of(districts), basemap_url=basemap_url, vector_basemap=basemap)
    st.pydeck_chart(deck, height=520, key=key)
    if basemap is not None:
        st.caption(OSM_ATTRIBUTION)
