"""Footage from the owner on the footage request page (AppTest, real database, real ffprobe): the
commander makes an upload link that is shown once (only its hash is stored) and printed in the letter
with a QR code; a file the owner sent appears with its SHA-256 and downloads with the case as purpose."""
# ruff: noqa: F811 - tests take the shared app_env fixture imported from test_roles
from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import timedelta

from sqlalchemy import select

from db import evidence
from db.evidence_store import EvidenceStore
from db.footage import request_footage
from db.incidents import IncidentInput, create_incident
from db.models import AuditEvent, utcnow
from db.models_evidence import FootageUploadLink
from db.users import Actor
from geo.vocabulary import Role
from tests.app.test_roles import USERS, app_env, signed_in  # noqa: F401 - the fixture is used by name
from tests.support.ops_registry import POINT

COMMANDER = Actor(USERS[Role.COMMANDER], Role.COMMANDER)


def _request(app_env) -> tuple[int, str]:
    now = utcnow()
    with app_env.begin() as s:
        code = create_incident(s, COMMANDER, IncidentInput(now - timedelta(hours=2), "robbery", lon=POINT[0],
                                                           lat=POINT[1]), now=now).code
        (request,) = request_footage(s, COMMANDER, code, ["CAM-WEEK"], now=now).created
        return request.id, code


def test_the_upload_link_is_shown_once_and_printed_with_a_qr_code(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NOBLINDSPOT_INTAKE_PUBLIC_URL", "https://rekaman.polres.example")
    request_id, _ = _request(app_env)
    page = signed_in(Role.COMMANDER, "footage_requests").run()
    assert not page.exception, page.exception
    assert any("Nothing received yet" in c.value for c in page.caption)
    page = page.button(key="evidence_make_link").click().run()
    assert not page.exception, page.exception
    [url] = [c.value for c in page.code if "/intake/" in c.value]
    assert url.startswith("https://rekaman.polres.example/intake/")
    token = url.rsplit("/", 1)[1]
    with app_env() as s:
        [link] = s.scalars(select(FootageUploadLink).where(FootageUploadLink.request_id == request_id)).all()
        assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "upload_link_created")).all()
    assert len(events) == 1 and token not in str(events[0].detail)
    letter = [b for b in page.get("download_button") if b.proto.label.startswith("Download the letter with")]
    assert letter, "the letter with the link is offered"
    # a second session (another officer, a reload) never sees the token again
    again = signed_in(Role.COMMANDER, "footage_requests").run()
    assert not [c for c in again.code if "/intake/" in c.value]


def test_a_received_file_shows_its_hash_and_downloads_for_the_case(app_env, monkeypatch, tmp_path):
    data_dir = tmp_path / "data"
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(data_dir))
    request_id, case = _request(app_env)
    video = tmp_path / "CH01.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(video)], check=True)
    digest = hashlib.sha256(video.read_bytes()).hexdigest()
    store = EvidenceStore(data_dir / "evidence")
    store.staging.mkdir(parents=True)
    staged = store.staging / "upload.part"
    staged.write_bytes(video.read_bytes())
    with app_env.begin() as s:
        link, _token = evidence.create_upload_link(s, COMMANDER, request_id)
        evidence.receive_file(s, link.id, staged, "CH01.mp4", "10.0.0.9", store)
    page = signed_in(Role.COMMANDER, "footage_requests").run()
    page = page.toggle(key="footage_finished").set_value(True).run()   # received: off the open queue
    assert not page.exception, page.exception
    files = page.dataframe[-1].value
    assert list(files["SHA-256"]) == [digest] and list(files["Result"]) == ["Received"]
    assert re.fullmatch(r"2 s", files["Duration"][0])
    page = page.button(key="evidence_prepare").click().run()
    assert not page.exception, page.exception
    with app_env() as s:
        [download] = s.scalars(select(AuditEvent).where(AuditEvent.action == "evidence_download")).all()
    assert download.detail["purpose"] == f"case:{case}" and download.detail["sha256"] == digest
    page = page.button(key="evidence_bundle").click().run()
    assert not page.exception, page.exception
    [ready] = [s.value for s in page.success if "Case bundle ready" in s.value]
    assert "1 files" in ready
    with app_env() as s:
        [export] = s.scalars(select(AuditEvent).where(AuditEvent.action == "evidence_bundle_export")).all()
    assert export.detail["purpose"] == f"case:{case}"
    assert export.detail["manifest_sha256"][:16] in ready
