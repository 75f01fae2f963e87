"""Registri (Registry): upload registry files, add or edit a camera, consent and sticker status, export."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, deps, state
from dashboard.components import audit_hooks, purpose_gate
from dashboard.components import value_labels as vl
from dashboard.components.camera_card import consent_label
from dashboard.components.error_notice import show_error
from dashboard.components.registry_form import NEW_CAMERA, camera_form, save_camera, show_save_result
from dashboard.components.registry_upload import (
    BOUNDARY_KINDS,
    IMPORT_ERRORS,
    RECORD_KINDS,
    UPLOAD_TYPES,
    import_upload,
    kind_labels,
    progress_callback,
    render_result,
)
from dashboard.i18n import _, format_date, format_number, format_percent, now_local
from db.audit import csv_text
from db.io.export import export_cameras
from geo.consent import RENEWAL_WINDOW_DAYS, renewal_list

UPLOAD_RESULT = "registry_upload_result"
EXPORT_READY = "registry_export_ready"
EXPORT_FORMATS = (".csv", ".geojson", ".gpkg")


def _upload_tab() -> None:
    labels = kind_labels()
    kind = st.selectbox(_("What the file holds"), list(RECORD_KINDS) + list(BOUNDARY_KINDS), key="registry_kind",
                        format_func=labels.__getitem__)
    uploaded = st.file_uploader(_("Registry file (CSV, GeoJSON, GeoPackage or zipped Shapefile)"),
                                type=UPLOAD_TYPES, key="registry_file")
    st.caption(_("One file of at most {size} MB: CSV or TXT, GeoJSON, GeoPackage, or a Shapefile in a zip.",
                 size=st.get_option("server.maxUploadSize")))
    skip = st.checkbox(_("Skip invalid rows and import the rest"), key="registry_skip_invalid")
    if st.button(_("Import"), key="registry_import", disabled=uploaded is None, type="primary"):
        bar = st.progress(0, text=_("Reading and checking {file}…", file=uploaded.name))
        try:
            result = import_upload(state.session_factory(), deps.settings(), kind, uploaded.name,
                                   uploaded.getvalue(), skip, progress=progress_callback(bar))
        except IMPORT_ERRORS as exc:
            st.session_state.pop(UPLOAD_RESULT, None)
            show_error(_("{file} cannot be imported. The detail below says which line or column to fix; correct the "
                         "file and upload it again.", file=uploaded.name), exc)
            return
        finally:
            bar.empty()
        if result.written:
            audit_hooks.registry_change(auth.current_username(), "import", result.file_name,
                                        {"kind": kind, "added": result.added, "updated": result.updated,
                                         "rejected": result.rejected})
        st.session_state[UPLOAD_RESULT] = result
    if UPLOAD_RESULT in st.session_state:
        render_result(st.session_state[UPLOAD_RESULT])


def _current_camera(code: str) -> dict:
    cameras = state.cameras_frame()
    rows = cameras[cameras["code"] == code]
    if rows.empty:
        return {}
    row = rows.drop(columns="geometry").iloc[0].to_dict()
    return {k: (None if not isinstance(v, (list, tuple)) and pd.isna(v) else v) for k, v in row.items()}


def _edit_tab() -> None:
    codes = list(state.cameras_frame()["code"])
    new_label = _("New camera")
    choice = st.selectbox(_("Camera"), [NEW_CAMERA, *codes], key="registry_edit_code",
                          format_func=lambda c: c or new_label)
    current = _current_camera(choice) if choice else {}
    values = camera_form(current)
    if values is None:
        return
    if current.get("owner_code"):
        values["owner_code"] = current["owner_code"]
    result = save_camera(state.session_factory(), deps.settings(), values)
    if result is None:
        return
    if result.written:
        audit_hooks.registry_change(auth.current_username(), "edit", str(values.get("code") or ""),
                                    {"added": result.added, "updated": result.updated})
    show_save_result(result)


def _status_tab() -> None:
    cameras = state.cameras_frame()
    if cameras.empty:
        st.info(_("The registry is empty."))
        return
    consent = cameras["consent"].value_counts()
    columns = st.columns(4)
    columns[0].metric(_("Consent: live connection"), format_number(int(consent.get("live", 0))))
    columns[1].metric(_("Consent: footage on request"), format_number(int(consent.get("on_request", 0))))
    columns[2].metric(_("Consent: registry only"), format_number(int(consent.get("registry_only", 0))))
    columns[3].metric(_("Programme sticker installed"), format_percent(float(cameras["sticker_installed"].mean())))
    _renewals(cameras)


def _renewals(cameras: pd.DataFrame) -> None:
    """Consents to renew: ending within RENEWAL_WINDOW_DAYS (soonest first), then ended; a CSV for the calls."""
    due = renewal_list(cameras, now_local().date())
    st.subheader(_("Consents to renew: ended or ending within {days} days", days=RENEWAL_WINDOW_DAYS))
    if due.empty:
        st.caption(_("No consent ends within {days} days.", days=RENEWAL_WINDOW_DAYS))
        return
    contacts = state.can_see_contacts()
    headers = {"code": _("Code"), "name": _("Camera"), "owner_name": _("Owner"), "owner_phone": _("Phone"),
               "consent": _("Consent"), "consent_expires_on": _("Ends on"), "days_left": _("Days left")}
    if not contacts:
        headers.pop("owner_phone")
    body = due[list(headers)].assign(owner_name=due["owner_name"].map(vl.text),
                                     **({"owner_phone": due["owner_phone"].map(vl.text)} if contacts else {}),
                                     consent=due["consent"].map(consent_label),
                                     consent_expires_on=due["consent_expires_on"].map(format_date)).rename(columns=headers)
    st.dataframe(body, hide_index=True, width="stretch")
    st.caption(_("{n} consents; a negative number of days means the consent has ended.",
                 n=format_number(len(due))))
    purpose = purpose_gate.current()      # owner names and phones leave the product only with a purpose
    if purpose is None:
        st.caption(_("To download this list, state a purpose on the Export tab."))
        return
    st.download_button(_("Download CSV"), csv_text(list(body.columns), body.itertuples(index=False)),
                       file_name="consent_renewals.csv", mime="text/csv", key="registry_renewals_csv",
                       on_click=audit_hooks.registry_export,
                       args=(auth.current_username(), "consent_renewals.csv", len(due), purpose.audit_value))


def _export_tab() -> None:
    purpose = purpose_gate.ask("registry_export")    # the registry leaves the product only with a purpose
    if purpose is None:
        return
    purpose_gate.show_current("registry_export")
    fmt = st.radio(_("Format"), EXPORT_FORMATS, horizontal=True, key="registry_export_format")
    if st.button(_("Prepare the export"), key="registry_export"):
        with tempfile.TemporaryDirectory(prefix="nbs-export-") as tmp:
            path = Path(tmp) / f"cameras{fmt}"
            with state.session_factory()() as session:
                count = export_cameras(session, path)
            st.session_state[EXPORT_READY] = (path.name, path.read_bytes(), count)
        audit_hooks.registry_export(auth.current_username(), path.name, count, purpose.audit_value)
    ready = st.session_state.get(EXPORT_READY)
    if ready:
        name, data, count = ready
        st.caption(_("{count} cameras, without stream URLs.", count=count))
        st.download_button(_("Download {file}", file=name), data, file_name=name, key="registry_export_file",
                           mime="text/csv" if name.endswith(".csv") else "application/octet-stream")


def render() -> None:
    auth.require_permission("map")
    st.title(_("Registry"))
    if not state.allowed("registry_edit"):
        st.caption(_("Uploads and edits are for administrators; you can see the status and export."))
        status, export = st.tabs([_("Consent and stickers"), _("Export")])
    else:
        upload, edit, status, export = st.tabs([_("Upload"), _("Add or edit a camera"), _("Consent and stickers"),
                                                _("Export")])
        with upload:
            _upload_tab()
        with edit:
            _edit_tab()
    with status:
        _status_tab()
    with export:
        _export_tab()


render()
