"""The map legend: owner-class colours and what each marker shape means, with live counts."""
from __future__ import annotations

from html import escape

import streamlit as st

from dashboard.components.map_layers import DUTY_UNIT_COLOUR, HEALTH_STYLE, OWNER_COLOURS, OWNER_ORDER, POST_COLOUR
from dashboard.i18n import _, format_number


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


def _rgb(colour: tuple[int, int, int]) -> str:
    return "rgb({},{},{})".format(*colour)


def _swatch(style: str, label: str, count: int | None = None) -> str:
    suffix = f" <b>{escape(format_number(count))}</b>" if count is not None else ""
    return (f'<div class="nb-legend-row"><span class="nb-swatch" style="{style}"></span>'
            f"{escape(label)}{suffix}</div>")


def legend_html(owner_counts: dict[str, int], status_counts: dict[str, int]) -> str:
    rows = [f'<div class="nb-legend-title">{escape(_("Owner"))}</div>']
    for owner_class, colour in zip(OWNER_ORDER, OWNER_COLOURS, strict=True):
        if owner_class == "unknown" and not owner_counts.get("unknown"):
            continue
        rows.append(_swatch(f"background:{_rgb(colour)}", owner_label(owner_class), owner_counts.get(owner_class, 0)))
    rows.append(f'<div class="nb-legend-title">{escape(_("Connection"))}</div>')
    for health, label in health_legend_labels().items():
        fill, ring, width = HEALTH_STYLE[health]
        rows.append(_swatch(f"background:{_rgb(fill or (85, 85, 85))};width:16px;height:16px;"
                            f"border:{width}px solid {_rgb(ring or (85, 85, 85))}", label,
                            status_counts.get(health, 0)))
    rows.append(_swatch("background:#555;width:7px;height:7px", _("Registered only (small dot)"),
                        status_counts.get("registered", 0)))
    rows.append(f'<div class="nb-legend-title">{escape(_("Police"))}</div>')
    rows.append(_swatch(f"background:{_rgb(POST_COLOUR)};border:2px solid #fff",
                        _("Polres, Polsek, security post (number: personnel)")))
    rows.append(_swatch(f"background:{_rgb(DUTY_UNIT_COLOUR)};border:2px solid #141414",
                        _("Duty unit, last known position")))
    return '<div class="nb-legend">' + "".join(rows) + "</div>"


LEGEND_CSS = """<style>
.nb-legend{font-size:0.9rem;line-height:1.5}
.nb-legend-title{font-weight:700;margin-top:0.4rem}
.nb-legend-row{display:flex;align-items:center;gap:0.5rem}
.nb-swatch{display:inline-block;width:12px;height:12px;border-radius:50%;box-sizing:border-box;flex:none}
</style>"""


def render_legend(owner_counts: dict[str, int], status_counts: dict[str, int], container=None) -> None:
    target = container if container is not None else st
    target.html(LEGEND_CSS + legend_html(owner_counts, status_counts))
