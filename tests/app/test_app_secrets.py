"""The dashboard refuses weak secrets on the page (translated, no traceback, never the value), warns
operators and admins in insecure development mode, and keeps its data directory private."""
from __future__ import annotations

import stat

import pytest

from tests.support.dashboard import app_test, seed_database

PUBLISHED_HLS = "dev-hls-secret-change-me"
PUBLISHED_TOKEN = "dev-operator-token-change-me"
BANNER = {"id": "Mode pengembangan tidak aman", "en": "Insecure development mode"}


@pytest.fixture
def seeded(database_url, monkeypatch, tmp_path):
    seed_database(database_url)
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NOBLINDSPOT_INSECURE_DEV", raising=False)
    yield database_url
    import streamlit as st

    st.cache_resource.clear()       # nothing of this test's settings reaches the next one


def shown(at) -> str:
    kinds = ("error", "warning", "info", "markdown", "title")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


@pytest.mark.parametrize(("lang", "start"), [("id", "No Blindspot tidak akan berjalan"),
                                             ("en", "No Blindspot will not start")])
def test_a_published_secret_stops_the_dashboard_before_sign_in(seeded, monkeypatch, lang, start):
    monkeypatch.setenv("NOBLINDSPOT_RELAY_HLS_SECRET", PUBLISHED_HLS)
    at = app_test(seeded, role=None, lang=lang)
    at.run()
    assert not at.exception
    assert at.error[0].value.startswith(start) and "noblindspot up" in at.error[0].value
    assert not at.text_input                      # no sign-in form
    assert PUBLISHED_HLS not in shown(at)


def test_a_signed_in_operator_is_stopped_too(seeded, monkeypatch):
    monkeypatch.setenv("NOBLINDSPOT_RELAY_OPERATOR_TOKEN", "")
    at = app_test(seeded, role="operator", lang="en")
    at.run()
    assert not at.exception
    assert at.error[0].value.startswith("No Blindspot will not start") and not at.metric


def test_a_mistyped_secrets_file_is_explained_without_its_value(seeded, monkeypatch, tmp_path):
    import secrets

    value = secrets.token_urlsafe(32)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "secrets.toml").write_text(f'relay_hls_secrett = "{value}"\n')
    at = app_test(seeded, role=None, lang="id")
    at.run()
    assert not at.exception
    assert at.error[0].value.startswith("No Blindspot tidak akan berjalan: konfigurasinya tidak valid")
    assert "relay_hls_secrett" in at.error[0].value and value not in shown(at)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("role", ["operator", "admin"])
def test_insecure_dev_shows_operators_and_admins_a_banner(seeded, monkeypatch, role, lang):
    monkeypatch.setenv("NOBLINDSPOT_INSECURE_DEV", "1")
    monkeypatch.setenv("NOBLINDSPOT_RELAY_HLS_SECRET", PUBLISHED_HLS)
    monkeypatch.setenv("NOBLINDSPOT_RELAY_OPERATOR_TOKEN", PUBLISHED_TOKEN)
    at = app_test(seeded, role=role, lang=lang)
    at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning if w.value.startswith(BANNER[lang])]
    assert len(at.metric) == 5                    # the map (its five figures) still renders under the banner
    assert PUBLISHED_HLS not in shown(at)


@pytest.mark.parametrize("role", ["commander", "briefing", None])
def test_others_see_no_banner(seeded, monkeypatch, role):
    monkeypatch.setenv("NOBLINDSPOT_INSECURE_DEV", "1")
    monkeypatch.setenv("NOBLINDSPOT_RELAY_HLS_SECRET", PUBLISHED_HLS)
    at = app_test(seeded, role=role, lang="en")
    at.run()
    assert not at.exception, at.exception
    assert not at.error
    assert not [w for w in at.warning if w.value.startswith(BANNER["en"])]


def test_good_secrets_show_no_banner_even_in_insecure_dev(seeded, monkeypatch):
    monkeypatch.setenv("NOBLINDSPOT_INSECURE_DEV", "1")       # conftest set good random secrets
    at = app_test(seeded, role="operator", lang="en")
    at.run()
    assert not at.exception and not at.error
    assert not [w for w in at.warning if w.value.startswith(BANNER["en"])]


def test_the_dashboard_tightens_an_open_data_dir(seeded, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)
    at = app_test(seeded, role=None, lang="en")
    at.run()
    assert not at.exception
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
