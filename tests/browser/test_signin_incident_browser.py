"""Real headless Chromium against `streamlit run dashboard/app.py`: a commander signs in through the
form and creates an incident from typed coordinates; a wrong password is refused; the audit log has
both. Uses Debian's Chromium via tests/components.need_chromium()."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from db.engine import make_engine, make_session_factory
from db.models import AuditEvent
from db.models_ops import Incident
from db.users import add_user
from tests.support.components import need_chromium
from tests.support.dashboard import CHROMIUM_ARGS

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
TIMEOUT_MS = 60_000


def _factory(url: str):
    return make_session_factory(make_engine(url))


def sign_in(page, base: str, username: str, password: str) -> None:
    """Open the dashboard in English and submit the sign-in form (reusable by other browser tests)."""
    page.goto(f"{base}/?lang=en", wait_until="domcontentloaded")
    page.get_by_label("User name", exact=True).fill(username, timeout=TIMEOUT_MS)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_sign_in_and_create_an_incident(dashboard_server, seeded_url):
    base, _codes = dashboard_server
    url, _ = seeded_url
    factory = _factory(url)
    with factory.begin() as s:
        add_user(s, "cli:test", "budi", "commander", PASSWORD)
    chromium = need_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            sign_in(page, base, "budi", "not the password")
            expect(page.get_by_text(re.compile("Sign-in failed"))).to_be_visible(timeout=TIMEOUT_MS)
            page.get_by_label("User name", exact=True).fill("budi")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in", exact=True).click()
            expect(page.get_by_text("Signed in as budi (commander)")).to_be_visible(timeout=TIMEOUT_MS)
            page.get_by_role("link", name="Incidents").click(timeout=TIMEOUT_MS)
            expect(page.get_by_role("heading", name="Incidents")).to_be_visible(timeout=TIMEOUT_MS)
            page.get_by_text("New incident").click()
            page.get_by_text("Typed coordinates").click()
            page.get_by_label("Coordinates (lat, lon or lon lat)").fill("-6.1550, 106.7305")
            page.get_by_label("Description").fill("<b>copet</b> di halte")
            page.get_by_role("button", name="Create incident").click()
            expect(page.get_by_text(re.compile(r"Incident INC-\d{8}-0001 created"))).to_be_visible(timeout=TIMEOUT_MS)
            # shown as text, not as markup
            expect(page.get_by_test_id("stText").get_by_text("<b>copet</b> di halte")).to_be_visible()
            assert page.locator("b", has_text="copet").count() == 0
        finally:
            browser.close()
    with factory() as s:
        incident = s.scalar(select(Incident))
        assert (incident.lon, incident.lat, incident.created_by) == (106.7305, -6.155, "budi")
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["sign_in_failed", "sign_in", "incident_create"]


def test_signed_out_visitor_sees_no_pages_even_by_url(dashboard_server):
    """Typing a page's address before signing in shows the sign-in form only, and no page list."""
    base, _codes = dashboard_server
    chromium = need_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for path in ("feeds", "registry", "audit", "wall"):
                page.goto(f"{base}/{path}?lang=en", wait_until="domcontentloaded")
                expect(page.get_by_label("User name", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
                assert page.get_by_test_id("stSidebarNav").count() == 0
                for name in ("Feeds", "Registry", "Audit log", "Video wall"):
                    assert page.get_by_role("link", name=name).count() == 0
        finally:
            browser.close()
