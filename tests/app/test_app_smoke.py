"""Every page this frame owns renders for every role allowed to see it, in both languages."""
from __future__ import annotations

import pytest

from tests.support.dashboard import app_test, seed_database


@pytest.fixture
def seeded(database_url):
    seed_database(database_url)
    return database_url


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("role", ["commander", "operator", "admin"])
def test_map_page_renders_for_each_role(seeded, role, lang):
    at = app_test(seeded, role, lang=lang)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == ("Peta kamera" if lang == "id" else "Camera map")
    assert len(at.metric) == 5                    # shown, healthy, not started, with a fault, registered only


@pytest.mark.parametrize("lang", ["id", "en"])
def test_briefing_page_renders_from_the_navigation(seeded, lang):
    at = app_test(seeded, "commander", lang=lang)
    at.run()
    at.switch_page("views/briefing.py")
    at.run()
    assert not at.exception, at.exception
    assert any("nb-brief-title" in m.value for m in at.markdown)


def test_without_sign_in_only_the_sign_in_form_is_shown(seeded):
    at = app_test(seeded, role=None, lang="en")
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert not at.metric
