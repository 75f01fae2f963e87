"""The camera card: what a commander needs about one camera, opened by clicking it on the map.

Owner contact details are shown only when the caller says the role may see them. A connected
camera gets the relay's view of its feed (relay/api_models.FeedView, asked when the card opens) and
the live player (dashboard/components/player.py); a registered-only camera gets a "request footage"
action handled by the caller's callback.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from dashboard import deps
from dashboard.components import purpose_gate, relay_access
from dashboard.components.feed_table import state_label
from dashboard.components.legend import health_label, owner_label
from dashboard.components.player import render_player
from dashboard.i18n import _, format_date, format_datetime, format_number
from geo.consent import LiveConsent, live_consent, local_today
from relay.api_models import FeedView

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def markdown_text(value: object) -> str:
    """Untrusted text made inert for st.markdown (no links, emphasis or HTML)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(value))


def consent_label(level: str | None) -> str:
    return {"registry_only": _("Registry only"), "on_request": _("Footage on request"),
            "live": _("Live viewing allowed")}.get(level or "", level or "–")


def _fov_text(camera: dict) -> str:
    parts = [str(camera.get("kind") or "–")]
    if camera.get("bearing_deg") is not None:
        parts.append(_("bearing {deg}°", deg=format_number(camera["bearing_deg"], 0)))
    if camera.get("fov_deg") is not None:
        parts.append(_("angle {deg}°", deg=format_number(camera["fov_deg"], 0)))
    if camera.get("range_m") is not None:
        parts.append(_("range {m} m", m=format_number(camera["range_m"], 0)))
    if camera.get("height_m") is not None:
        parts.append(_("height {m} m", m=format_number(camera["height_m"], 1)))
    return ", ".join(parts)


def card_rows(camera: dict, health: str, can_see_contacts: bool,
              feed: FeedView | None = None) -> list[tuple[str, str]]:
    """The card's label/value rows (pure: testable without Streamlit)."""
    rows = [(_("Name"), str(camera.get("name") or "–")),
            (_("Address"), str(camera.get("address") or "–")),
            (_("Status"), health_label(health)),
            (_("Owner class"), owner_label(camera.get("owner_class") or "unknown"))]
    if can_see_contacts:
        rows += [(_("Owner"), str(camera.get("owner_name") or "–")),
                 (_("Phone"), str(camera.get("owner_phone") or "–")),
                 (_("Email"), str(camera.get("owner_email") or "–"))]
    consent = consent_label(camera.get("consent"))
    if camera.get("consent_expires_on"):
        consent += " · " + _("until {day}", day=format_date(camera["consent_expires_on"]))
    rows += [(_("Consent"), consent),
             (_("Field of view"), _fov_text(camera)),
             (_("DVR retention"), _("{days} days", days=camera["dvr_retention_days"])
              if camera.get("dvr_retention_days") is not None else "–"),
             (_("Sticker installed"), _("Yes") if camera.get("sticker_installed") else _("No"))]
    if feed is not None:
        when = f" · {format_datetime(feed.state_since)}" if feed.state_since is not None else ""
        rows.append((_("Relay state"), f"{state_label(feed.state)}{when}"))
        if feed.last_error:
            rows.append((_("Last error"), feed.last_error))
    return rows


def card_table(rows: list[tuple[str, str]]) -> pd.DataFrame:
    """The rows for st.table: a static table whose long values wrap in the narrow side column instead
    of being cut off. st.table renders Markdown, so every value from the registry is made inert first
    (no link, emphasis or auto-linked e-mail can come from a camera's data)."""
    return pd.DataFrame([(label, markdown_text(value)) for label, value in rows], columns=[_("Field"), _("Value")])


def relay_feed(camera_code: str) -> tuple[FeedView | None, Exception | None]:
    """The relay's view of one camera's feed, or the relay error that prevented reading it."""
    try:
        return deps.relay_client().get_feed(camera_code), None
    except relay_access.relay_errors() as exc:
        return None, exc


def consent_notice(camera: dict, today: date) -> str | None:
    """Why a connected camera may not be watched live (geo/consent.py), in the reader's words; None if it may."""
    answer = live_consent(camera.get("consent"), camera.get("consent_expires_on"), today)
    if answer.state == LiveConsent.EXPIRED:
        return _("The owner's consent to live viewing ended on {day}, so live video is off. Record the renewed "
                 "consent in the registry to watch again; footage can still be requested.",
                 day=format_date(camera["consent_expires_on"]))
    if answer.state == LiveConsent.NOT_GIVEN:
        return _("The owner has not agreed to live viewing, so live video is off. Footage can still be requested.")
    return None


def render_camera_card(camera: dict, *, health: str, can_see_contacts: bool, user: str,
                       on_request_footage: Callable[[str], None] | None = None, container=None) -> None:
    target = container if container is not None else st
    notice = (consent_notice(camera, local_today(datetime.now(UTC), deps.settings().timezone))
              if camera.get("connection") == "connected" else None)
    connected = camera.get("connection") == "connected" and notice is None
    feed, relay_error = relay_feed(camera["code"]) if connected else (None, None)
    with target.container(border=True, key=f"camera-card-{camera['code']}"):
        st.markdown(f"#### {_('Camera')} {markdown_text(camera['code'])}")
        rows = card_rows(camera, health, can_see_contacts, feed)
        st.table(card_table(rows), hide_index=True, hide_header=True, border="horizontal")
        if not can_see_contacts:
            st.caption(_("Owner contact details are shown to commanders, operators and admins."))
        if notice is not None:
            st.warning(notice)
        if connected and relay_error is not None:
            st.warning(relay_access.describe_for_viewer(relay_error))
        elif connected:
            render_player(camera["code"], user, feed=feed)
            purpose_gate.show_current(f"card_{camera['code']}")
        elif on_request_footage is not None:
            st.button(_("Request footage"), key=f"request-footage-{camera['code']}", type="primary",
                      on_click=on_request_footage, args=(camera["code"],))
