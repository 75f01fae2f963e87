"""Purpose on every look (issue 15 item 2): no video plays, no wall shows and no registry leaves
before the user states why, and the audit log keeps the purpose with each look."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from streamlit.testing.v1 import AppTest

from dashboard.components.purpose_gate import PURPOSE_KEY
from db.incidents import CATEGORIES, IncidentInput, create_incident, open_incident_codes
from db.permissions import Actor, Role
from geo.purpose import Purpose, PurposeKind
from tests.app.test_feeds_page import FakeRelayClient, app_db, audit_events, feed, make_settings, sign_in  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
CATEGORY = sorted(CATEGORIES)[0]


def _player_page():
    from dashboard.components.player import render_player

    render_player("JB-0007", "budi")


def player_app(client: FakeRelayClient, lang: str = "en", **settings) -> AppTest:
    from settings import Settings

    app = AppTest.from_function(_player_page, default_timeout=30)
    app.session_state["relay_client_override"] = client
    app.session_state["settings_override"] = Settings(
        relay_operator_token=SecretStr("app-test-operator-token-0123456789-abcd"), **settings)
    app.session_state["lang"] = lang
    return app


def pick(app: AppTest, key: str, label: str) -> None:
    """Choose an option by the words shown (set_value would format the value outside the page, where
    the language is the default one)."""
    box = app.selectbox(key=key)
    box.select_index(list(box.options).index(label))


def _say(app: AppTest, kind: str | None, value: str) -> AppTest:
    if kind == "case":
        app.radio(key="player_JB-0007_purpose_kind").set_value("An open incident")
        app.run()
    pick(app, "player_JB-0007_purpose_case" if kind == "case" else "player_JB-0007_purpose_reason", value)
    app.button(key="player_JB-0007_purpose_go").click()
    return app.run()


@pytest.mark.usefixtures("app_db")
@pytest.mark.parametrize("lang,question", [("id", "Mengapa Anda melihat?"), ("en", "Why are you looking?")])
def test_no_video_before_a_purpose_and_the_reason_is_kept_with_the_look(session_factory, lang, question):
    client = FakeRelayClient([feed("JB-0007")])
    app = player_app(client, lang).run()
    assert not app.exception, app.exception
    assert app.get("iframe") == [] and client.purposes == []               # no token was even asked for
    assert question in [m.value.strip("*") for m in app.markdown]
    assert audit_events(session_factory, "live_view") == []
    reasons = app.selectbox(key="player_JB-0007_purpose_reason").options
    assert len(reasons) >= 5 and not any("patrol_monitoring" == r for r in reasons)   # words, not keys
    app = _say(app, None, "Penyelidikan" if lang == "id" else "Investigation")
    assert not app.exception, app.exception
    assert len(app.get("iframe")) == 1
    assert client.purposes == ["reason:investigation"]
    assert audit_events(session_factory, "live_view") == [("budi", "JB-0007", {"purpose": "reason:investigation"})]
    app.run()                                                                  # a rerun does not ask again
    assert len(app.get("iframe")) == 1 and len(audit_events(session_factory, "live_view")) == 1


@pytest.mark.usefixtures("app_db")
def test_an_open_incident_is_a_purpose_and_a_closed_one_is_not_offered(session_factory):
    with session_factory.begin() as session:
        create_incident(session, Actor("komandan", Role.COMMANDER),
                        IncidentInput(event_time=datetime.now(UTC), category=CATEGORY, lon=106.79, lat=-6.19))
    with session_factory() as session:
        [code] = open_incident_codes(session)
    app = player_app(FakeRelayClient([feed("JB-0007")])).run()
    assert app.radio(key="player_JB-0007_purpose_kind").options
    app = _say(app, "case", code)
    assert not app.exception, app.exception
    assert audit_events(session_factory, "live_view")[-1][2] == {"purpose": f"case:{code}"}


@pytest.mark.usefixtures("app_db")
def test_a_prohibited_purpose_is_not_offered_and_refused_if_asked(session_factory):
    """Configured both as a reason and as prohibited: the code refuses it, whatever the list says."""
    client = FakeRelayClient([feed("JB-0007")])
    app = player_app(client, purposes=("patrol_monitoring", "lawful_assembly"),
                     prohibited_purposes=("lawful_assembly",)).run()
    options = app.selectbox(key="player_JB-0007_purpose_reason").options
    assert options == ["Patrol monitoring"]

    def ask_prohibited():
        from dashboard.components import purpose_gate

        purpose_gate.choose("reason", "lawful_assembly")

    refused = AppTest.from_function(ask_prohibited)
    refused.session_state["settings_override"] = app.session_state["settings_override"]
    refused.session_state["lang"] = "en"
    refused.run()
    assert "prohibited" in refused.error[0].value
    assert PURPOSE_KEY not in refused.session_state
    assert client.purposes == []


@pytest.mark.usefixtures("app_db")
def test_a_purpose_from_the_last_shift_is_asked_again(session_factory):
    app = player_app(FakeRelayClient([feed("JB-0007")]))
    app.session_state[PURPOSE_KEY] = Purpose(PurposeKind.REASON, "patrol_monitoring",
                                             datetime.now(UTC) - timedelta(hours=9))
    app.run()
    assert app.get("iframe") == [] and app.button(key="player_JB-0007_purpose_go")


@pytest.mark.usefixtures("app_db")
def test_the_wall_shows_no_tile_before_a_purpose(session_factory):
    app = AppTest.from_file(str(REPO / "dashboard/views/wall.py"), default_timeout=30)
    client = FakeRelayClient([feed("JB-001"), feed("JB-002")])
    app.session_state["relay_client_override"] = client
    app.session_state["settings_override"] = make_settings()
    sign_in(app, "operator", "duty.officer")
    del app.session_state[PURPOSE_KEY]                     # signed in, no purpose stated yet
    app.session_state["lang"] = "en"
    app.run()
    assert not app.exception, app.exception
    assert app.get("iframe") == [] and client.purposes == []
    pick(app, "wall_purpose_reason", "Event security")
    app.button(key="wall_purpose_go").click()
    app.run()
    assert len(app.get("iframe")) == 2 and set(client.purposes) == {"reason:event_security"}


@pytest.mark.usefixtures("app_db")
def test_the_registry_export_needs_a_purpose_and_is_audited_with_it(session_factory):
    app = AppTest.from_file(str(REPO / "dashboard/views/registry.py"), default_timeout=60)
    app.session_state["lang"] = "en"
    sign_in(app, "admin", "admin.user")
    del app.session_state[PURPOSE_KEY]
    app.run()
    assert not app.exception, app.exception
    assert not [b for b in app.button if b.key == "registry_export"]
    pick(app, "registry_export_purpose_reason", "Investigation")
    app.button(key="registry_export_purpose_go").click()
    app.run()
    app.button(key="registry_export").click()
    app.run()
    assert not app.exception, app.exception
    [event] = audit_events(session_factory, "registry_export")
    assert event[0] == "admin.user" and event[2]["purpose"] == "reason:investigation"
