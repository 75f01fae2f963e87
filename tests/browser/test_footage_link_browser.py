"""A commander hands an owner the upload link in a real browser (Bahasa Indonesia, the default): the
footage request page makes the link, shows it once with the letter that carries its QR code, and the
same address opens the owner's page on the relay (the page the owner's phone shows)."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.engine import make_engine, make_session_factory
from db.footage import request_footage
from db.incidents import IncidentInput, create_incident
from db.models import utcnow
from db.models_evidence import FootageUploadLink
from db.users import Actor, add_user
from geo.vocabulary import Role
from tests.support.components import need_chromium
from tests.support.dashboard import CHROMIUM_ARGS

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple 42"
TIMEOUT_MS = 60_000


def test_commander_makes_an_upload_link_for_the_owner(dashboard_server, seeded_url, tmp_path):
    base, _codes = dashboard_server
    url, _ = seeded_url
    factory = make_session_factory(make_engine(url))
    now = utcnow()
    with factory.begin() as s:
        add_user(s, "cli:test", "budi", "commander", PASSWORD)
        case = create_incident(s, Actor("budi", Role.COMMANDER),
                               IncidentInput(now - timedelta(hours=2), "theft", lon=106.731, lat=-6.155),
                               now=now).code
        (request,) = request_footage(s, Actor("budi", Role.COMMANDER), case, ["CAM-05"], now=now).created
        request_id = request.id
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=need_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            for size, name in (({"width": 1600, "height": 1000}, "footage-link-1600"),
                               ({"width": 1920, "height": 1080}, "footage-link-1920")):
                page = browser.new_page(viewport=size)
                page.goto(base + "/", wait_until="domcontentloaded")
                page.get_by_label("Nama pengguna", exact=True).fill("budi", timeout=TIMEOUT_MS)
                page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
                page.get_by_role("button", name="Masuk", exact=True).click()
                page.get_by_role("link", name="Permintaan rekaman").click(timeout=TIMEOUT_MS)
                expect(page.get_by_text("Rekaman dari pemilik")).to_be_visible(timeout=TIMEOUT_MS)
                expect(page.get_by_text("Belum ada rekaman yang diterima.")).to_be_visible()
                page.get_by_role("button", name="Buat tautan unggah untuk pemilik").click()
                expect(page.get_by_text(re.compile("Tautan unggah dibuat, berlaku sampai"))).to_be_visible(
                    timeout=TIMEOUT_MS)
                link = page.locator("code", has_text="/intake/").first.inner_text().strip()
                expect(page.get_by_role("button", name=re.compile("Unduh surat dengan tautan"))).to_be_visible()
                page.get_by_text("Rekaman dari pemilik").scroll_into_view_if_needed()
                page.screenshot(path=str(tmp_path / f"{name}.png"))
                page.close()
        finally:
            browser.close()
    token = link.rsplit("/intake/", 1)[1]
    with factory() as s:
        links = s.scalars(select(FootageUploadLink).where(FootageUploadLink.request_id == request_id)
                          .order_by(FootageUploadLink.id)).all()
    # two links were made (one per screen size); the first was closed as replaced, only hashes are kept
    assert [bool(x.closed_at) for x in links] == [True, False]
    assert links[-1].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert links[0].closed_reason == "replaced"
