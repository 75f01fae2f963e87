"""A signed-in user who opens (by a link or a bookmark) a page the role may not use is told so, in the
user's language, and sees a page the role may use: never a silent switch to another page."""
from __future__ import annotations

import pytest
from streamlit.util import calc_hash

from tests.support.dashboard import app_test, seed_database

REFUSED = {"id": "Peran Anda (komandan) tidak boleh membuka halaman “Log audit”",
           "en": "Your role (commander) may not open the page “Audit log”"}
MAP_TITLE = {"id": "Peta kamera", "en": "Camera map"}


@pytest.fixture
def seeded(database_url):
    seed_database(database_url)
    return database_url


def _open(at, url_path: str):
    """Open ``/<url_path>`` as a typed address or a bookmark does. A browser asks for the page by its address,
    which st.Page hashes; AppTest.switch_page only finds registered page files, and on the old code no page
    was registered at that address at all, so the request is made the browser's way."""
    at.run()                                  # the first load registers the pages
    at._page_hash = calc_hash(url_path)       # what the browser's address resolves to (st.Page._script_hash)
    at.run()
    at._page_hash = ""                        # later runs stay on the page shown, as the browser's next click does
    return at


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_commander_opening_the_audit_log_is_told_and_sees_the_map(seeded, lang):
    at = _open(app_test(seeded, "commander", lang=lang), "audit")
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any(REFUSED[lang] in w for w in warnings), warnings
    assert at.title[0].value == MAP_TITLE[lang]
    assert not at.error
    at.run()                                  # said once: the next click does not repeat it
    assert not any(REFUSED[lang] in w.value for w in at.warning)


def test_an_operator_opening_the_users_page_is_told_in_indonesian(seeded):
    at = _open(app_test(seeded, "operator", lang="id"), "users")
    assert not at.exception, at.exception
    assert any("Peran Anda (operator) tidak boleh membuka halaman “Pengguna”" in w.value for w in at.warning)
    assert at.title[0].value == MAP_TITLE["id"]


def test_a_page_the_role_may_use_opens_without_a_notice(seeded):
    at = _open(app_test(seeded, "admin", lang="en"), "audit")
    assert not at.exception, at.exception
    assert at.title[0].value == "Audit log"
    assert not any("may not open" in w.value for w in at.warning)


def test_the_briefing_screen_starts_on_its_page_at_the_start_address_without_a_notice(seeded):
    """The start address leads to the map; a role without the map starts on its own page, unannounced
    (the unattended briefing screen signed in at "/" showed a refusal banner above its slide)."""
    at = _open(app_test(seeded, "briefing", lang="id"), "map")
    assert not at.exception, at.exception
    assert not any("tidak boleh membuka" in w.value for w in at.warning)
    at = _open(app_test(seeded, "commander", lang="id"), "map")
    assert at.title[0].value == MAP_TITLE["id"]
