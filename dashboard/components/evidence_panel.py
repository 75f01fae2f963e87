"""Footage from the owner, on a footage request: the owner's upload link (shown once, with its QR code
and in the letter), the files received with their SHA-256, a download of each, and the case bundle.

Widgets and calls only: links, files and bundles are made by db/evidence.py and db/case_bundle.py,
which check the role and write the audit events. A download's purpose is the request's case.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, deps
from dashboard.components import ops_data
from dashboard.components import value_labels as vl
from dashboard.components.error_notice import show_error
from dashboard.i18n import _, format_datetime, format_number
from db import evidence, users
from db.case_bundle import build_case_bundle
from db.evidence_store import EvidenceStore, EvidenceStoreError
from db.models import utcnow
from db.users import Actor
from geo.letter import letter_from_row, render_letter_html
from geo.urgency import OPEN_FOOTAGE

LINK_SHOWN = "evidence_link_shown"       # (request id, url, expires_at) of the link made in this session


def store() -> EvidenceStore:
    cfg = deps.settings()
    return EvidenceStore(cfg.resolved_evidence_dir(), max_bytes=cfg.max_upload_bytes)


def link_base() -> str:
    cfg = deps.settings()
    return (cfg.intake_public_url or cfg.relay_public_url or cfg.relay_url).rstrip("/")


def verdict_label(verdict: str, reason: str | None) -> str:
    if verdict == "accepted":
        return _("Received")
    return {"not_media": _("Refused: not a video"), "no_video": _("Refused: no picture in the file"),
            "empty": _("Refused: empty file"),
            "too_large": _("Refused: too large")}.get(reason or "", _("Refused"))


def _time_range(row) -> str:
    if row.media_start is None:
        return _("not in the file")
    end = format_datetime(row.media_end, "short") if row.media_end else "?"
    return f"{format_datetime(row.media_start, 'short')} – {end}"


def _files_table(rows) -> pd.DataFrame:
    return pd.DataFrame([{
        _("File"): r.original_name, _("Result"): verdict_label(r.verdict.value, r.refusal_reason),
        _("Size"): _("{mb} MB", mb=format_number(r.size_bytes / 1e6, 1)),
        _("Duration"): vl.text(None if r.duration_s is None else _("{s} s", s=format_number(r.duration_s, 0))),
        _("Recorded (from the file)"): _time_range(r), _("Received"): format_datetime(r.received_at, "short"),
        "SHA-256": r.sha256} for r in rows])


def _make_link(user: Actor, row) -> None:
    if not auth.can(user, "footage.edit") or row.status not in OPEN_FOOTAGE:
        return
    st.caption(_("The owner can send the recording from a phone without an account: make a link, then send it "
                 "(WhatsApp, SMS) or print the letter with its QR code. The link is shown only once; making a "
                 "new one closes the old one."))
    if st.button(_("Make an upload link for the owner"), key="evidence_make_link"):
        auth.check(user, "footage.edit")
        try:
            with ops_data.session_factory().begin() as session:
                link, token = evidence.create_upload_link(session, user, row.id,
                                                          hours=deps.settings().upload_link_hours)
                expires = link.expires_at
        except (evidence.EvidenceError, evidence.EvidenceNotFound) as exc:
            show_error(_("No link was made: the request or its incident is closed. Reopen it first."), exc)
            return
        st.session_state[LINK_SHOWN] = (row.id, f"{link_base()}/intake/{token}", expires)
    shown = st.session_state.get(LINK_SHOWN)
    if not shown or shown[0] != row.id:
        return
    url, expires = shown[1], shown[2]
    st.success(_("Upload link made, valid until {when}. Copy it now: it cannot be shown again.",
                 when=format_datetime(expires, "short")))
    st.code(url, language=None)
    import segno  # the QR code an owner standing at the desk scans from this screen

    st.image(segno.make(url, error="m").svg_inline(scale=5, border=2), width=200)
    letter = render_letter_html(_letter_with_link(user, row, url, expires))
    st.download_button(_("Download the letter with the link and QR code (HTML, print or save as PDF)"), letter,
                       file_name=f"permohonan-rekaman-{row.id}.html", mime="text/html", key="evidence_letter")


def signed_letter(user: Actor, row):
    """The request's letter, signed by ``user`` with the name, rank and NRP of their account."""
    with ops_data.session_factory()() as session:
        signer = users.signature_of(session, user.username)
    return letter_from_row(row, signer.name, utcnow(), signer.rank, signer.nrp)


def _letter_with_link(user: Actor, row, url: str, expires):
    from dataclasses import replace

    return replace(signed_letter(user, row), upload_url=url, upload_expires=expires)


def _download(user: Actor, row, files) -> None:
    accepted = [f for f in files if f.verdict.value == "accepted"]
    if not accepted or not auth.can(user, "footage.edit"):
        return
    labels = {f.id: f"{f.original_name} · {f.sha256[:12]}" for f in accepted}
    chosen = st.selectbox(_("File to download"), list(labels), format_func=labels.__getitem__,
                          key="evidence_file_pick")
    if st.button(_("Prepare the download"), key="evidence_prepare"):
        auth.check(user, "footage.edit")
        try:
            with ops_data.session_factory().begin() as session:
                path = evidence.open_evidence_file(session, user, chosen, store(), purpose=f"case:{row.incident_code}")
            data = path.read_bytes()
        except (evidence.EvidenceError, evidence.EvidenceNotFound, EvidenceStoreError, OSError) as exc:
            show_error(_("The file cannot be read from the evidence store. Tell the administrator."), exc)
            return
        st.download_button(_("Download {name}", name=labels[chosen].split(" · ")[0]), data,
                           file_name=path.name, mime="application/octet-stream", key="evidence_download")


def _bundle(user: Actor, row, files) -> None:
    """The case bundle: every received file of the incident, its manifest of hashes, the letters and the
    incident's audit extract, in one zip that `noblindspot evidence verify` re-checks."""
    if not files or not auth.can(user, "footage.edit"):
        return
    if st.button(_("Prepare the case bundle of {case} (zip)", case=row.incident_code), key="evidence_bundle"):
        auth.check(user, "footage.edit")
        import tempfile
        from pathlib import Path

        try:
            with tempfile.TemporaryDirectory(prefix="bundle-") as tmp:
                out = Path(tmp) / f"{row.incident_code}.zip"
                with ops_data.session_factory().begin() as session:
                    summary = build_case_bundle(session, user, row.incident_code, store(), out,
                                                purpose=f"case:{row.incident_code}")
                data = out.read_bytes()
        except (evidence.EvidenceError, EvidenceStoreError, OSError) as exc:
            show_error(_("The case bundle was not made: a stored file is missing or no longer matches its "
                         "hash. Tell the administrator; nothing was exported."), exc)
            return
        st.success(_("Case bundle ready: {files} files, manifest SHA-256 {digest}.", files=summary.files,
                     digest=summary.manifest_sha256[:16]))
        st.download_button(_("Download {name}", name=out.name), data, file_name=out.name,
                           mime="application/zip", key="evidence_bundle_download")


def render_evidence(user: Actor, row) -> None:
    """The evidence part of a footage request's detail."""
    st.markdown("**" + _("Footage from the owner") + "**")
    with ops_data.session_factory()() as session:
        files = evidence.list_evidence(session, user, request_id=row.id)
    if files:
        st.dataframe(_files_table(files), hide_index=True, width="stretch")
    else:
        st.caption(_("Nothing received yet."))
    _download(user, row, files)
    _bundle(user, row, files)
    _make_link(user, row)
