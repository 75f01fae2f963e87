"""Every operations page under every role (AppTest on a real migrated database): each role sees and can
do exactly what it should, the sign-in form guards every page, and the server re-checks the role on
every run, so a role taken away between two clicks stops the action."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from dashboard.auth import AUTH_KEY, IDLE_TIMEOUT_S
from db.models import AuditEvent
from db.models_ops import Incident
from db.users import Actor, add_user, set_disabled, set_role
from geo.vocabulary import Role
from tests.support.ops_registry import seed_registry

PAGES = Path(__file__).resolve().parents[2] / "dashboard" / "views"
PASSWORD = "correct horse battery"
USERS = {Role.COMMANDER: "budi", Role.OPERATOR: "andi", Role.ADMIN: "sari", Role.BRIEFING: "layar"}
TITLES = {"incidents": "Incidents", "footage_requests": "Footage requests", "audit": "Audit log"}
ALLOWED = {
    Role.COMMANDER: {"incidents", "footage_requests"},
    Role.OPERATOR: {"incidents", "footage_requests"},
    Role.ADMIN: {"incidents", "footage_requests", "audit"},
    Role.BRIEFING: set(),
}


@pytest.fixture
def app_env(database_url, session_factory, monkeypatch):
    monkeypatch.setenv("NOBLINDSPOT_DATABASE_URL", database_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    with session_factory.begin() as s:
        seed_registry(s)
        for role, name in USERS.items():
            add_user(s, "cli:test", name, role, PASSWORD)
    yield session_factory
    st.cache_resource.clear()
    st.cache_data.clear()


def signed_in(role: Role | None, page: str, lang: str = "en", age_s: float = 0) -> AppTest:
    from tests.support.dashboard import state_purpose

    app = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=60)
    app.session_state["lang"] = lang
    if role is not None:
        now = time.time()
        app.session_state[AUTH_KEY] = {"username": USERS[role], "role": role.value, "display_name": None,
                                       "method": "local", "signed_in_at": now - age_s, "last_seen": now - age_s}
        state_purpose(app)
    return app


def _texts(app: AppTest) -> str:
    parts = [e.value for kind in ("title", "error", "info", "markdown", "caption", "success", "warning")
             for e in getattr(app, kind)]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("page", list(TITLES))
def test_each_role_sees_exactly_its_pages(app_env, role, page):
    app = signed_in(role, page).run()
    assert not app.exception, app.exception
    titles = [t.value for t in app.title]
    if page in ALLOWED[role]:
        assert titles == [TITLES[page]] and not app.error
    else:
        assert titles == [] and "may not open this page" in app.error[0].value
        assert not app.text_input and not app.button and not app.dataframe


@pytest.mark.parametrize("page", list(TITLES))
def test_not_signed_in_gets_the_sign_in_form_only(app_env, page):
    app = signed_in(None, page).run()
    assert [t.value for t in app.title] == ["Sign in"]
    assert [t.label for t in app.text_input] == ["User name", "Password"]
    assert not app.dataframe


def _sign_in(app: AppTest, username: str, password: str) -> AppTest:
    app.text_input(key="sign_in_username").input(username)
    app.text_input(key="sign_in_password").input(password)
    return app.button[0].click().run()


def test_sign_in_form_signs_in_and_failures_are_audited(app_env):
    app = signed_in(None, "incidents").run()
    app = _sign_in(app, "budi", "wrong password!!")
    assert "Sign-in failed" in app.error[0].value and not [t for t in app.title if t.value == "Incidents"]
    app = _sign_in(app, "ghost", "wrong password!!")
    assert "Sign-in failed" in app.error[0].value  # same words for an unknown user
    app = _sign_in(app, "budi", PASSWORD)
    assert not app.exception, app.exception
    assert [t.value for t in app.title] == ["Incidents"]
    with app_env() as s:
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["sign_in_failed", "sign_in_failed", "sign_in"]


def test_sign_in_form_in_indonesian(app_env):
    app = signed_in(None, "audit", lang="id").run()
    assert [t.value for t in app.title] == ["Masuk"]
    assert [t.label for t in app.text_input] == ["Nama pengguna", "Kata sandi"]


def test_idle_session_expires(app_env):
    app = signed_in(Role.ADMIN, "audit", age_s=IDLE_TIMEOUT_S + 5).run()
    assert [t.value for t in app.title] == ["Sign in"]
    assert "expired" in app.info[0].value


def test_disabled_account_is_signed_out_on_the_next_run(app_env):
    app = signed_in(Role.COMMANDER, "incidents").run()
    assert [t.value for t in app.title] == ["Incidents"]
    with app_env.begin() as s:
        set_disabled(s, Actor("sari", Role.ADMIN), "budi")
    app.run()
    assert [t.value for t in app.title] == ["Sign in"]


def test_role_removed_between_render_and_click_stops_the_action_on_the_server(app_env):
    app = signed_in(Role.COMMANDER, "incidents").run()
    app.radio(key="incident_where").set_value("coordinates")
    app.text_input(key="incident_coordinates").input("-6.1700, 106.7500")
    with app_env.begin() as s:
        set_role(s, Actor("sari", Role.ADMIN), "budi", "briefing")
    app = app.button(key="FormSubmitter:new_incident-Create incident").click().run()
    assert "may not open this page" in app.error[0].value
    with app_env() as s:
        assert s.scalar(select(func.count(Incident.id))) == 0
        assert "incident_create" not in s.scalars(select(AuditEvent.action)).all()


OTHER_PAGES = {"map": "map", "briefing": "briefing", "coverage": "coverage", "feeds": "feeds", "wall": "wall",
               "registry": "map"}
FORBIDDEN = [(role, page) for page, action in OTHER_PAGES.items() for role in Role
             if not Actor("x", role).can(action)]


@pytest.mark.parametrize("role,page", FORBIDDEN)
def test_other_pages_stop_forbidden_roles_on_the_server(app_env, role, page):
    """Opened directly (as a typed URL would), a page the role may not use stops before any content."""
    app = signed_in(role, page).run()
    assert not app.exception, app.exception
    assert "may not open this page" in app.error[0].value
    assert not app.title and not app.dataframe and not app.button and not app.metric
