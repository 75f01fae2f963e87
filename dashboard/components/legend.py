"""The map legend: what each layer drawn on a map means (colours, marker shapes), with live counts.

The map page and the briefing both call ``render_legend`` with the ids of the layers they drew; every
row names the layers it explains in ``data-layers``, so a test can check that no drawn layer is left
without a row. ``large`` is the briefing's size (a shared 1080p screen read across the room).
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from html import escape

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.components import map_layers as ml
from dashboard.components.basemap_layers import ATTRIBUTION as OSM_ATTRIBUTION
from dashboard.components.basemap_layers import DISTRICT_LABEL_LAYER
from dashboard.components.map_layers import DUTY_UNIT_COLOUR, HEALTH_STYLE, OWNER_COLOURS, OWNER_ORDER, POST_COLOUR
from dashboard.i18n import _, format_number
from geo.demo.facts import BOUNDARY_ATTRIBUTION

BOUNDARY_COLOUR = (60, 60, 80)        # district_layer's outline colour
GREY = (85, 85, 85)


def boundary_note(districts: Iterable[pd.DataFrame]) -> str | None:
    """One line to show under a map about the district boundaries it draws, or None.

    The real West Jakarta boundaries carry the attribution their licence (CC BY-IGO 3.0) asks for;
    synthetic ones are said to be synthetic.
    """
    frames = [d for d in districts if len(d)]
    sources = {str(s) for d in frames for s in d["source"].dropna()}
    if any(BOUNDARY_ATTRIBUTION in s for s in sources):
        return _("Boundaries: {attribution} (BPS 2020, CC BY-IGO 3.0)", attribution=BOUNDARY_ATTRIBUTION)
    if any(d["synthetic"].any() for d in frames):
        return _("Boundaries are synthetic (demo data), not official.")
    return None


def map_note(districts: Iterable[pd.DataFrame], basemap_drawn: bool) -> str | None:
    """The one attribution line under a map: the boundaries' (boundary_note) and, when the offline
    basemap is drawn, OpenStreetMap's, which its licence (ODbL) asks for in these words."""
    parts = [boundary_note(districts), OSM_ATTRIBUTION if basemap_drawn else None]
    return " · ".join(part for part in parts if part) or None


def owner_label(owner_class: str) -> str:
    return {"government": _("Government"), "company": _("Company"), "housing": _("Housing estate"),
            "private": _("Private"), "unknown": _("Unknown owner")}.get(owner_class, owner_class)


def health_label(health: str) -> str:
    """A camera's health in the user's words (geo/feed_health.MapHealth values)."""
    return {"healthy": _("Live, healthy"), "not_started": _("Live, not started"),
            "camera_unreachable": _("Camera unreachable"), "relay_unreachable": _("Relay unreachable"),
            "consent_missing": _("No live consent"), "registered": _("Registered only")}.get(health, health)


def health_legend_labels() -> dict[str, str]:
    """The connected cameras' classes in the legend's order, with their words."""
    return {health: health_label(health) for health in HEALTH_STYLE}


def camera_counts(points: ml.CameraPoints, mask: np.ndarray, health: np.ndarray) -> tuple[dict, dict]:
    """The cameras picked by ``mask``, counted by owner class and by health class (the legend's numbers)."""
    owner_codes, owner_counts = np.unique(points.owner[mask], return_counts=True)
    owners = {OWNER_ORDER[c]: int(n) for c, n in zip(owner_codes, owner_counts, strict=True)}
    health_codes, health_counts = np.unique(health[mask], return_counts=True)
    return owners, {str(h): int(n) for h, n in zip(health_codes, health_counts, strict=True)}


def _rgb(colour: tuple[int, int, int], alpha: float | None = None) -> str:
    return "rgb({},{},{})".format(*colour) if alpha is None else "rgba({},{},{},{})".format(*colour, alpha)


def _title(text: str) -> str:
    return f'<div class="nb-legend-title">{escape(text)}</div>'


def _swatch(style: str, label: str, layers: Collection[str], count: int | None = None) -> str:
    """One row: a swatch drawn like the marker, the words, an optional count; sizes in em, so they scale."""
    suffix = f" <b>{escape(format_number(count))}</b>" if count is not None else ""
    return (f'<div class="nb-legend-row" data-layers="{escape(" ".join(sorted(layers)))}">'
            f'<span class="nb-swatch" style="{style}"></span><span>{escape(label)}{suffix}</span></div>')


def _camera_rows(owner_counts: dict[str, int], status_counts: dict[str, int], drawn: set[str]) -> list[str]:
    registered = {i for i in drawn if i.startswith(ml.CAMERA_LAYER_REGISTERED)}
    connected = drawn & {ml.CAMERA_LAYER_CONNECTED}
    if not registered and not connected:
        return []
    rows = [_title(_("Owner"))]
    for owner_class, colour in zip(OWNER_ORDER, OWNER_COLOURS, strict=True):
        layer = f"{ml.CAMERA_LAYER_REGISTERED}-{owner_class}"
        if owner_class == "unknown" and not owner_counts.get("unknown") and layer not in drawn:
            continue
        rows.append(_swatch(f"background:{_rgb(colour)}", owner_label(owner_class), (drawn & {layer}) | connected,
                            owner_counts.get(owner_class, 0)))
    rows.append(_title(_("Connection")))
    if connected:
        for health, label in health_legend_labels().items():
            fill, ring, width = HEALTH_STYLE[health]
            rows.append(_swatch(f"background:{_rgb(fill or GREY)};width:1.1em;height:1.1em;"
                                f"border:{width / 14:.2f}em solid {_rgb(ring or GREY)}", label, connected,
                                status_counts.get(health, 0)))
    if registered:
        rows.append(_swatch(f"background:{_rgb(GREY)};width:0.5em;height:0.5em", _("Registered only (small dot)"),
                            registered, status_counts.get("registered", 0)))
    return rows


def _police_rows(drawn: set[str]) -> list[str]:
    posts = drawn & {ml.POST_LAYER, ml.POST_LABEL_LAYER}
    units = drawn & {ml.DUTY_UNIT_LAYER}
    rows = [_title(_("Police"))] if posts or units else []
    if posts:
        rows.append(_swatch(f"background:{_rgb(POST_COLOUR)};width:1.1em;height:1.1em;border:0.14em solid #fff;"
                            f"box-shadow:0 0 0 1px {_rgb(POST_COLOUR)}",
                            _("Polres, Polsek, security post (number: personnel)"), posts))
    if units:
        rows.append(_swatch(f"background:{_rgb(DUTY_UNIT_COLOUR)};width:0.7em;height:0.7em;border:1px solid #141414",
                            _("Duty unit, last known position"), units))
    return rows


def _area_rows(drawn: set[str]) -> list[str]:
    lines = {"kecamatan": (_("Kecamatan boundary"), "0.25em"), "kelurahan": (_("Kelurahan boundary"), "1px")}
    rows = []
    for level, (label, width) in lines.items():
        layer = ml.BOUNDARY_LAYER.format(level=level)
        names = {DISTRICT_LABEL_LAYER.format(level=level)} & drawn      # the districts' names go with their lines
        if layer in drawn:
            rows.append(_swatch(f"width:1.6em;height:0;border-radius:0;border-top:{width} solid "
                                f"{_rgb(BOUNDARY_COLOUR)}", label, {layer, *names}))
    if ml.CONE_LAYER in drawn:
        rows.append(_swatch(f"background:{_rgb(OWNER_COLOURS[0], 0.45)};width:1.1em;height:1.1em;"
                            "border-radius:100% 0 0 0", _("View cone, in the owner's colour"), {ml.CONE_LAYER}))
    if ml.BLIND_SPOT_LAYER in drawn:
        rows.append(_swatch(f"background:{_rgb(ml.VERMILLION, 0.45)};width:1em;height:1em;border-radius:0",
                            _("Blind spot: no registered camera sees it"), {ml.BLIND_SPOT_LAYER}))
    return [_title(_("Area and coverage")), *rows] if rows else []


def legend_html(owner_counts: dict[str, int], status_counts: dict[str, int], layer_ids: Collection[str],
                large: bool = False) -> str:
    """The legend for a map that drew ``layer_ids``: a row for every one of them, none for the rest."""
    drawn = set(layer_ids)
    rows = _camera_rows(owner_counts, status_counts, drawn) + _police_rows(drawn) + _area_rows(drawn)
    css_class = "nb-legend nb-legend-large" if large else "nb-legend"
    return f'<div class="{css_class}">' + "".join(rows) + "</div>"


def explained_layers(html: str) -> set[str]:
    """The layer ids the rows of a legend say they explain (what tests compare with the drawn layers)."""
    return {layer for found in re.findall(r'data-layers="([^"]*)"', html) for layer in found.split()}


# The briefing's stylesheet sets every div and span to its body size; `.stApp ...` outranks it.
LEGEND_CSS = """<style>
.nb-legend{font-size:0.9rem;line-height:1.5}
.nb-legend-title{font-weight:700;margin-top:0.4rem}
.nb-legend-row{display:flex;align-items:center;gap:0.5em}
.nb-swatch{display:inline-block;width:0.85em;height:0.85em;border-radius:50%;box-sizing:border-box;flex:none}
.stApp .nb-legend-large, .stApp .nb-legend-large div, .stApp .nb-legend-large span{font-size:22px;line-height:1.25}
.stApp .nb-legend-large .nb-legend-title{margin-top:0.35em;color:#b8c0cc}
.stApp .nb-legend-large .nb-legend-row{margin-top:0.1em}
</style>"""


def render_legend(owner_counts: dict[str, int], status_counts: dict[str, int], layer_ids: Collection[str],
                  container=None, large: bool = False) -> None:
    target = container if container is not None else st
    target.html(LEGEND_CSS + legend_html(owner_counts, status_counts, layer_ids, large))
