"""Issue 10, defect 3, in real Chromium: a reload, a new tab or a bookmarked address keeps the user signed
in (db/web_sessions.py + the cookie of dashboard/auth.py), a deep link opens the sign-in form at its own
address and then the page asked for, a tampered cookie signs nobody in, sign-out, disabling and expiry
end the sign-in everywhere, and the briefing screen survives a reload."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from db.engine import make_engine, make_session_factory
from db.models import WebSession
from db.users import add_user

pytestmark = pytest.mark.browser
PASSWORD = "a long test password for sessions"
TIMEOUT_MS = 60_000


def _sessions(url: str) -> list[WebSession]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(WebSession).order_by(WebSession.id)))
    finally:
        engine.dispose()


def _age_every_sign_in(url: str, hours: float) -> None:
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            for row in session.scalars(select(WebSession)):
                session.execute(update(WebSession).where(WebSession.id == row.id).values(
                    signed_in_at=row.signed_in_at - timedelta(hours=hours),
                    last_seen_at=row.last_seen_at - timedelta(hours=hours)))
    finally:
        engine.dispose()


def _submit(page, username: str) -> None:
    page.get_by_label("User name", exact=True).fill(username, timeout=TIMEOUT_MS)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def _sign_in_form(page):
    return page.get_by_role("button", name="Sign in", exact=True)


def test_reload_new_tab_and_deep_link_keep_the_sign_in_until_sign_out(dashboard_server, seeded_url, browser):
    base, _codes = dashboard_server
    url = seeded_url[0]
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        add_user(session, "cli:test", "rina", "commander", PASSWORD)
    engine.dispose()
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()

    page.goto(f"{base}/incidents?lang=en", wait_until="domcontentloaded")   # a bookmark, signed out
    _sign_in_form(page).wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_text("Page not found").count() == 0
    _submit(page, "rina")
    page.get_by_role("heading", name="Incidents").wait_for(timeout=TIMEOUT_MS)   # the page asked for
    assert page.url.split("?")[0].endswith("/incidents")

    [cookie] = [c for c in context.cookies() if c["name"] == "nb_session"]
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    [stored] = _sessions(url)
    assert stored.username == "rina" and cookie["value"] not in (stored.token_hash, stored.username)

    page.reload(wait_until="domcontentloaded")
    page.get_by_role("heading", name="Incidents").wait_for(timeout=TIMEOUT_MS)
    assert _sign_in_form(page).count() == 0

    tab = context.new_page()
    tab.goto(f"{base}/?lang=en", wait_until="domcontentloaded")
    tab.get_by_role("heading", name="Camera map").wait_for(timeout=TIMEOUT_MS)
    tab.get_by_text("Signed in as rina (commander)").wait_for(timeout=TIMEOUT_MS)
    assert len(_sessions(url)) == 1   # the new tab resumed the same sign-in

    forged = browser.new_context(viewport={"width": 1600, "height": 1000})   # a cookie nobody was given
    forged.add_cookies([{**cookie, "value": cookie["value"][:-4] + "AAAA"}])
    stranger = forged.new_page()
    stranger.goto(f"{base}/incidents?lang=en", wait_until="domcontentloaded")
    _sign_in_form(stranger).wait_for(timeout=TIMEOUT_MS)
    assert stranger.get_by_role("heading", name="Incidents").count() == 0
    forged.close()

    tab.get_by_role("button", name="Sign out").click()
    _sign_in_form(tab).wait_for(timeout=TIMEOUT_MS)
    assert _sessions(url) == []
    page.reload(wait_until="domcontentloaded")    # the other tab: signed out too
    _sign_in_form(page).wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_role("heading", name="Incidents").count() == 0
    context.close()


def test_an_expired_sign_in_is_not_resumed_and_the_briefing_screen_survives_a_reload(
        dashboard_server, seeded_url, browser):
    base, _codes = dashboard_server
    url = seeded_url[0]
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        add_user(session, "cli:test", "rina", "commander", PASSWORD)
        add_user(session, "cli:test", "wall", "briefing", PASSWORD)
    engine.dispose()

    commander = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = commander.new_page()
    page.goto(f"{base}/?lang=en", wait_until="domcontentloaded")
    _submit(page, "rina")
    page.get_by_role("heading", name="Camera map").wait_for(timeout=TIMEOUT_MS)

    screen = browser.new_context(viewport={"width": 1920, "height": 1080})
    wall = screen.new_page()
    wall.goto(f"{base}/?mode=briefing&lang=en", wait_until="domcontentloaded")
    _submit(wall, "wall")
    wall.locator(".nb-figure").first.wait_for(timeout=TIMEOUT_MS)

    _age_every_sign_in(url, hours=13)   # past a commander's 12-hour shift, well inside the screen's week
    page.reload(wait_until="domcontentloaded")
    page.get_by_text("Your session has expired").wait_for(timeout=TIMEOUT_MS)
    _sign_in_form(page).wait_for(timeout=TIMEOUT_MS)
    wall.reload(wait_until="domcontentloaded")
    wall.locator(".nb-figure").first.wait_for(timeout=TIMEOUT_MS)
    assert _sign_in_form(wall).count() == 0
    assert [s.username for s in _sessions(url)] == ["wall"]

    from db.users import set_disabled

    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        set_disabled(session, "cli:test", "wall")   # an admin disables the screen's account
    engine.dispose()
    wall.reload(wait_until="domcontentloaded")
    _sign_in_form(wall).wait_for(timeout=TIMEOUT_MS)
    assert _sessions(url) == []
    commander.close()
    screen.close()
