"""The administrator's journey in real Chromium, in Bahasa Indonesia (the default): sign in, import a
camera file with one bad row (the rest goes in, the report names the row), add a user, make the
month's transparency report, and find every step in the audit log. Along the way no request leaves
the machine, no error box or traceback shows, and none of Streamlit's own English words appear."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from db.engine import make_engine, make_session_factory
from db.models import AppUser, AuditEvent, Camera
from db.users import add_user
from tests.browser.test_map_browser import _external_requests
from tests.support.components import need_chromium
from tests.support.dashboard import CHROMIUM_ARGS

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple 42"
TIMEOUT_MS = 60_000
CSV = ("code,name,lat,lon,owner,owner_class,kind,bearing_deg,fov_deg,range_m\n"
       "ADM-01,Simpang Slipi,-6.1560,106.7330,Pemda DKI,government,fixed,45,90,40\n"
       "ADM-02,Salah,-7.9000,110.0000,PT Jauh,company,fixed,45,90,40\n")      # far outside the region
# words Streamlit draws by itself that must not reach an Indonesian screen
STREAMLIT_ENGLISH = ("Drag and drop", "Browse files", "Limit 200MB", "per file", "Choose options",
                     "No results", "Press Enter", "Running...", "Traceback")


def _no_english(page) -> None:
    text = page.locator("section.stMain, [data-testid='stMain']").first.inner_text()
    found = [w for w in STREAMLIT_ENGLISH if w in text]
    assert not found, found


def _no_error_box(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def test_admin_imports_adds_a_user_reports_and_finds_it_all_in_the_audit(dashboard_server, seeded_url,
                                                                         tmp_path):
    base, _codes = dashboard_server
    url, _ = seeded_url
    factory = make_session_factory(make_engine(url))
    with factory.begin() as s:
        add_user(s, "cli:test", "sari", "admin", PASSWORD)
    upload = tmp_path / "kamera-baru.csv"
    upload.write_text(CSV, encoding="utf-8")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=need_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            external = _external_requests(page)
            page.goto(base + "/", wait_until="domcontentloaded")
            page.get_by_label("Nama pengguna", exact=True).fill("sari", timeout=TIMEOUT_MS)
            page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Masuk", exact=True).click()
            # 1. import with a bad row: the good row goes in, the bad one is named
            page.get_by_role("link", name="Registri").click(timeout=TIMEOUT_MS)
            expect(page.get_by_text("Berkas registri", exact=False).first).to_be_visible(timeout=TIMEOUT_MS)
            page.screenshot(path=str(tmp_path / "admin-registry.png"))
            _no_english(page)
            page.locator("input[type='file']").first.set_input_files(str(upload))
            page.get_by_text("Lewati baris tidak valid", exact=False).click()
            page.get_by_role("button", name="Impor", exact=True).click()
            expect(page.get_by_text(re.compile("1 ditambahkan|ditambahkan: 1"))).to_be_visible(timeout=TIMEOUT_MS)
            _no_error_box(page)
            _no_english(page)
            page.screenshot(path=str(tmp_path / "admin-import-report.png"), full_page=True)
            # 2. add a user
            page.get_by_role("link", name="Pengguna").click(timeout=TIMEOUT_MS)
            expect(page.get_by_role("button", name="Tambah pengguna")).to_be_visible(timeout=TIMEOUT_MS)
            page.get_by_role("textbox", name="Nama pengguna", exact=True).fill("dewi")
            page.get_by_role("textbox", name="Kata sandi", exact=True).fill("another long passphrase 77")
            page.get_by_role("textbox", name="Ulangi kata sandi", exact=True).fill("another long passphrase 77")
            page.get_by_role("button", name="Tambah pengguna").click()
            expect(page.get_by_text("Pengguna dewi ditambahkan.")).to_be_visible(timeout=TIMEOUT_MS)
            _no_error_box(page)
            # 3. the month's transparency report
            page.get_by_role("link", name="Laporan transparansi").click(timeout=TIMEOUT_MS)
            page.get_by_role("button", name="Buat laporan").click(timeout=TIMEOUT_MS)
            expect(page.get_by_role("button", name=re.compile("Unduh laporan"))).to_be_visible(timeout=TIMEOUT_MS)
            _no_error_box(page)
            page.screenshot(path=str(tmp_path / "admin-transparency.png"))
            # 4. every step in the audit log
            page.get_by_role("link", name="Log audit").click(timeout=TIMEOUT_MS)
            expect(page.get_by_role("heading", name="Log audit")).to_be_visible(timeout=TIMEOUT_MS)
            expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible(timeout=TIMEOUT_MS)
            _no_error_box(page)
            _no_english(page)
            page.screenshot(path=str(tmp_path / "admin-audit.png"), full_page=True)
        finally:
            browser.close()
    assert external == []
    with factory() as s:
        assert s.scalar(select(Camera.id).where(Camera.code == "ADM-01")) is not None
        assert s.scalar(select(Camera.id).where(Camera.code == "ADM-02")) is None
        assert s.scalar(select(AppUser.id).where(AppUser.username == "dewi")) is not None
        actions = [a for (a,) in s.execute(select(AuditEvent.action).where(AuditEvent.actor == "sari")
                                           .order_by(AuditEvent.id))]
    for step in ("sign_in", "registry_import", "user_add", "audit_export"):
        assert step in actions, actions
