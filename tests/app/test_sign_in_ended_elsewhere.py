"""An open tab whose sign-in ended elsewhere (sign-out in another tab, account disabled, new password)
is signed out at its next activity check, without a reload (dashboard/auth.py, TOUCH_EVERY_S)."""
# ruff: noqa: F811 - tests take the shared app_env fixture imported from test_roles
from __future__ import annotations

import time
from datetime import UTC, datetime

from dashboard.auth import AUTH_KEY, TOUCH_EVERY_S
from db import web_sessions
from geo.vocabulary import Role
from tests.app.test_roles import USERS, app_env, signed_in  # noqa: F401 - the fixture is used by name


def _tab_with(token: str, touched: float):
    app = signed_in(Role.COMMANDER, "incidents")
    app.session_state[AUTH_KEY] = {**app.session_state[AUTH_KEY], "token": token, "touched": touched}
    return app.run()


def test_an_open_tab_follows_a_sign_in_that_ended_elsewhere(app_env):
    with app_env.begin() as session:
        token = web_sessions.open_session(session, USERS[Role.COMMANDER], "local", datetime.now(UTC))
    fresh = _tab_with(token, time.time())
    assert [t.value for t in fresh.title] == ["Incidents"]
    with app_env.begin() as session:
        web_sessions.close(session, token)            # signed out in another tab
    recent = _tab_with(token, time.time())                # checked less than TOUCH_EVERY_S ago: no query yet
    assert [t.value for t in recent.title] == ["Incidents"]
    due = _tab_with(token, time.time() - TOUCH_EVERY_S - 1)
    assert [t.value for t in due.title] == ["Sign in"]
    assert AUTH_KEY not in due.session_state
