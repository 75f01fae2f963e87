"""An owner sends footage from a phone: a real relay process serves the upload link's page, headless
Chromium at a phone's size picks a real video file, tus-js-client uploads it in chunks, the page shows
the file as received with its SHA-256, and after "Selesai" the link is closed for good."""
from __future__ import annotations

import hashlib
import subprocess
import time
import zipfile
from datetime import timedelta

import pytest

from db import evidence
from db.case_bundle import build_case_bundle, verify_bundle
from db.evidence_store import EvidenceStore
from db.footage import request_footage
from db.incidents import IncidentInput, create_incident
from db.models import utcnow
from db.models_ops import FootageRequest
from db.users import Actor
from geo.urgency import FootageStatus
from geo.vocabulary import Role
from tests.support.components import need_chromium, need_ffmpeg
from tests.support.ops_registry import POINT, seed_registry
from tests.support.relay_e2e import RelayProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]
COMMANDER = Actor("budi", Role.COMMANDER)
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture
def link(session_factory):
    now = utcnow()
    with session_factory.begin() as s:
        seed_registry(s)
        code = create_incident(s, COMMANDER, IncidentInput(now - timedelta(hours=3), "robbery",
                                                           lon=POINT[0], lat=POINT[1]), now=now).code
        (request,) = request_footage(s, COMMANDER, code, ["CAM-WEEK"], now=now).created
        _, token = evidence.create_upload_link(s, COMMANDER, request.id, now=now)
        return request.id, token


@pytest.fixture
def relay(database_url, tmp_path):
    process = RelayProcess(database_url, tmp_path, extra_env={"NOBLINDSPOT_MAX_UPLOAD_BYTES": str(64 << 20)}).start()
    try:
        yield process
    finally:
        process.close()


@pytest.fixture
def video(tmp_path):
    need_ffmpeg()
    out = tmp_path / "DVR_CH01_20261122.mp4"
    # about 3 MB, so the 1 MiB chunks make several PATCH requests
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=duration=6:size=1280x720:rate=25",
                    "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "4M", "-pix_fmt", "yuv420p", str(out)],
                   check=True)
    return out


def _text_within(page, selector: str, text: str, timeout_s: float = 60) -> str:
    deadline = time.monotonic() + timeout_s
    seen = ""
    while time.monotonic() < deadline:
        seen = page.inner_text(selector)
        if text in seen:
            return seen
        page.wait_for_timeout(250)
    raise AssertionError(f"{selector} shows {seen!r}, not {text!r}, after {timeout_s} s")


def test_an_owner_uploads_from_a_phone_and_the_link_closes(relay, link, video, session_factory, tmp_path):
    request_id, token = link
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=need_chromium(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                locale="id-ID")
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        failed: list[tuple[int, str]] = []
        page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
        page.goto(f"{relay.url}/intake/{token}")
        _text_within(page, "#request", "Toko gate")
        page.screenshot(path=str(tmp_path / "intake-phone-empty.png"), full_page=True)
        page.set_input_files("#files", str(video))
        received = _text_within(page, "#received", "Diterima")
        digest = hashlib.sha256(video.read_bytes()).hexdigest()
        assert digest in received
        page.screenshot(path=str(tmp_path / "intake-phone-received.png"), full_page=True)
        page.click("#finish")
        _text_within(page, "#done", "Terima kasih")
        page.reload()
        _text_within(page, "#refused", "Tautan sudah ditutup")
        page.screenshot(path=str(tmp_path / "intake-phone-closed.png"), full_page=True)
        browser.close()
    patches = [u for u in requests if "/files/" in u]
    assert len(patches) >= 3                                   # several chunks, not one request
    assert all(u.startswith(relay.url) for u in requests)      # nothing leaves the product
    # the only refusal is the reload after "Selesai": the closed link answers 410
    assert failed == [(410, f"{relay.url}/intake/{token}/info")], failed
    with session_factory() as s:
        request = s.get(FootageRequest, request_id)
        assert request.status == FootageStatus.RECEIVED
        case = request.incident.code
    assert token not in relay.log()
    # the commander's case bundle holds the very bytes the phone sent, and verifies
    store = EvidenceStore(tmp_path / "data" / "evidence")
    bundle = tmp_path / f"{case}.zip"
    with session_factory.begin() as s:
        summary = build_case_bundle(s, COMMANDER, case, store, bundle, purpose=f"case:{case}")
    assert summary.files == 1 and verify_bundle(bundle).ok
    with zipfile.ZipFile(bundle) as z:
        [member] = [n for n in z.namelist() if n.startswith("files/")]
        assert hashlib.sha256(z.read(member)).hexdigest() == digest
