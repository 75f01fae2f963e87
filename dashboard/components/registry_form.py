"""Add or edit one camera: a form whose values go through the same importer as a file upload.

The form's values become a one-row registry CSV handed to db.io.pipeline, so every rule (codes,
coordinates inside the region, owner classes, consent dates, stream URL schemes ...) is the importer's,
never repeated here. The stored stream URL is never shown: the field is blank and a blank keeps it.
"""
from __future__ import annotations

import csv
import io
from datetime import date

import streamlit as st

from dashboard.components.registry_upload import IMPORT_ERRORS, UploadResult, import_upload
from dashboard.i18n import _
from db.io.columns import CAMERAS
from geo.vocabulary import CameraKind, Connection, ConsentLevel, OwnerClass

NEW_CAMERA = ""


def form_row_csv(values: dict) -> bytes:
    """One header line and one row; empty values are left out so they never overwrite stored ones."""
    row = {k: _cell(v) for k, v in values.items() if v is not None and _cell(v) != ""}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def _cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _choice(label: str, enum_cls, current, key: str, labels: dict[str, str], default: str | None = None):
    options = [m.value for m in enum_cls]
    chosen = current if current in options else default
    index = options.index(chosen) if chosen in options else 0
    return st.selectbox(label, options, index=index, key=key, format_func=labels.__getitem__)


def _labels() -> dict[str, dict[str, str]]:
    return {
        "owner_class": {"government": _("government"), "company": _("company"), "housing": _("housing"),
                        "private": _("private")},
        "kind": {"fixed": _("fixed"), "dome": _("dome"), "ptz": _("PTZ")},
        "connection": {"connected": _("connected (live)"), "registered": _("registered only")},
        "consent": {"registry_only": _("registry only"), "on_request": _("footage on request"),
                    "live": _("live connection")},
    }


def _location_fields(current: dict, k: str) -> dict:
    left, right = st.columns(2)
    return {
        "code": left.text_input(_("Camera code"), current.get("code", ""), key=f"{k}code",
                                disabled=bool(current.get("code"))),
        "name": right.text_input(_("Name"), current.get("name", ""), key=f"{k}name"),
        "lon": left.number_input(_("Longitude"), value=current.get("lon"), format="%.6f", key=f"{k}lon"),
        "lat": right.number_input(_("Latitude"), value=current.get("lat"), format="%.6f", key=f"{k}lat"),
        "address": st.text_input(_("Address"), current.get("address") or "", key=f"{k}address"),
    }


def _owner_fields(current: dict, k: str, labels: dict) -> dict:
    left, right = st.columns(2)
    return {
        "owner": left.text_input(_("Owner"), current.get("owner_name") or "", key=f"{k}owner"),
        "owner_class": _choice(_("Owner class"), OwnerClass, current.get("owner_class"), f"{k}owner_class",
                               labels["owner_class"]),
        "owner_phone": right.text_input(_("Owner phone"), current.get("owner_phone") or "", key=f"{k}phone"),
        "owner_email": right.text_input(_("Owner e-mail"), current.get("owner_email") or "", key=f"{k}email"),
    }


def _view_fields(current: dict, k: str, labels: dict) -> dict:
    left, middle, right = st.columns(3)
    return {
        "kind": _choice(_("Camera kind"), CameraKind, current.get("kind"), f"{k}kind", labels["kind"]),
        "bearing_deg": left.number_input(_("Bearing (degrees from north)"), value=current.get("bearing_deg"),
                                         key=f"{k}bearing"),
        "fov_deg": middle.number_input(_("Field of view (degrees)"), value=current.get("fov_deg"), key=f"{k}fov"),
        "range_m": right.number_input(_("Range (m)"), value=current.get("range_m"), key=f"{k}range"),
        "bearing_adjustable": st.checkbox(_("Bearing can be adjusted"), bool(current.get("bearing_adjustable", True)),
                                          key=f"{k}adjustable"),
    }


def _programme_fields(current: dict, k: str, labels: dict) -> dict:
    left, right = st.columns(2)
    return {
        # a new camera is registered: connecting it needs the owner's live consent first (geo/consent.py)
        "connection": _choice(_("Connection"), Connection, current.get("connection"), f"{k}connection",
                              labels["connection"], default=Connection.REGISTERED.value),
        "consent": _choice(_("Consent"), ConsentLevel, current.get("consent"), f"{k}consent", labels["consent"]),
        "consent_signed_on": left.date_input(_("Consent signed on"), current.get("consent_signed_on"),
                                             key=f"{k}signed"),
        "consent_expires_on": right.date_input(_("Consent expires on"), current.get("consent_expires_on"),
                                               key=f"{k}expires"),
        "dvr_retention_days": left.number_input(_("DVR retention (days)"), value=current.get("dvr_retention_days"),
                                                step=1, key=f"{k}retention"),
        "sticker_installed": right.checkbox(_("Programme sticker installed"),
                                            bool(current.get("sticker_installed")), key=f"{k}sticker"),
        "stream_url": st.text_input(_("Stream URL (rtsp://…; leave blank to keep the stored one)"), "",
                                    type="password", key=f"{k}stream"),
        "notes": st.text_area(_("Notes"), current.get("notes") or "", key=f"{k}notes"),
    }


def camera_form(current: dict) -> dict | None:
    """The form for ``current`` (an existing camera's fields, or {} for a new one); values on submit."""
    k = f"camera_form_{current.get('code', 'new')}_"
    labels = _labels()
    with st.form(f"{k}form"):
        values = _location_fields(current, k)
        values |= _owner_fields(current, k, labels)
        values |= _view_fields(current, k, labels)
        values |= _programme_fields(current, k, labels)
        submitted = st.form_submit_button(_("Save camera"))
    if not submitted:
        return None
    if current.get("code"):
        values["code"] = current["code"]
    return values


def save_camera(session_factory, settings, values: dict) -> UploadResult | None:
    """Save through the importer; shows its messages. None when the form could not be read at all."""
    try:
        return import_upload(session_factory, settings, CAMERAS, "camera-form.csv", form_row_csv(values),
                             skip_invalid=False)
    except IMPORT_ERRORS as exc:
        st.error(_("The camera cannot be saved: {reason}", reason=str(exc)))
        return None


def show_save_result(result: UploadResult) -> None:
    if result.written:
        st.success(_("Camera saved: {added} added, {updated} updated.", added=result.added, updated=result.updated))
        return
    for row in result.report.itertuples(index=False) if result.report is not None else []:
        st.error(_("{column}: {reason}", column=row.column or _("row"), reason=row.reason))
