"""Feeds page (AppTest): the table follows the filters, actions call the relay, relay errors are explained."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import streamlit as st
from pydantic import SecretStr
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import AuditEvent
from geo.vocabulary import FeedState
from relay.api import feed_options
from relay.api_models import FeedDetail, FeedOptions, FeedView, Health, TokenGrant
from relay.client import RelayRefused, RelayUnavailable
from relay.tokens import mint_windowed

PAGE = str(Path(__file__).resolve().parents[2] / "dashboard/views/feeds.py")
SINCE = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
HLS_SECRET = "app-test-hls-secret-0123456789-abcdefghij"


def feed(code: str, state: str = "running", mode: str = "always_on", profile: str = "copy", **extra) -> FeedView:
    return FeedView(camera_code=code, camera_name=extra.pop("name", f"Camera {code}"), mode=mode, profile=profile,
                    audio="aac", state=state, state_since=SINCE, hls_path=f"/hls/{code}/index.m3u8", **extra)


class FakeRelayClient:
    """Records every call; refuses or fails on request, like the real client (same exception types).

    Options and tokens come from the relay's own code (relay.api.feed_options, relay.tokens)."""

    def __init__(self, feeds: list[FeedView], refuse: dict[str, str] | None = None, down: bool = False):
        self.feeds = {f.camera_code: f for f in feeds}
        self.calls: list[tuple] = []
        self.on_behalf_of: list[str | None] = []   # the user each action named for the relay's audit
        self.purposes: list[str | None] = []       # the purpose each token was asked with
        self.refuse = refuse or {}
        self.down = down

    def _check(self, code: str | None = None) -> None:
        if self.down:
            raise RelayUnavailable("cannot reach the relay at http://127.0.0.1:8787 (ConnectError)")
        if code in self.refuse:
            raise RelayRefused(self.refuse[code], 429)

    def healthz(self) -> Health:
        self._check()
        states = [str(getattr(f.state, "value", f.state)) for f in self.feeds.values()]
        return Health(status="ok", node_id="node-test", public_url="http://relay.test", local_feeds=len(self.feeds),
                      running=states.count("running"),
                      failing=sum(s in ("stalled", "backoff", "failed") for s in states), database="ok")

    def get_feed(self, code: str) -> FeedDetail:
        self._check(code)
        return FeedDetail(**self.feeds[code].model_dump(), log_tail=[f"[{code}] frame=  25 fps=25 q=-1.0"])

    def list_feeds(self) -> list[FeedView]:
        self._check()
        return list(self.feeds.values())

    def options(self) -> FeedOptions:
        self._check()
        return feed_options()

    def hls_token(self, code: str, user: str, ttl_s: float = 300, purpose: str | None = None) -> TokenGrant:
        self._check(code)
        self.purposes.append(purpose)
        if code not in self.feeds:
            raise RelayRefused(f"no feed for camera '{code}'", 404)
        token = mint_windowed(HLS_SECRET, code, user, ttl_s)
        return TokenGrant(camera_code=code, token=token, expires_at=int(token.split(".")[0]),
                          hls_path=f"/hls/{code}/index.m3u8")

    def _act(self, action: str, code: str, on_behalf_of: str | None, **changes) -> FeedView:
        self.calls.append((action, code, *changes.values()))
        self.on_behalf_of.append(on_behalf_of)
        self._check(code)
        self.feeds[code] = FeedView.model_validate({**self.feeds[code].model_dump(), **changes})  # enums, as parsed
        return self.feeds[code]

    def start(self, code: str, on_behalf_of: str | None = None) -> FeedView:
        return self._act("start", code, on_behalf_of, state="starting")

    def stop(self, code: str, on_behalf_of: str | None = None) -> FeedView:
        return self._act("stop", code, on_behalf_of, state="stopped")

    def restart(self, code: str, on_behalf_of: str | None = None) -> FeedView:
        return self._act("restart", code, on_behalf_of, state="starting")

    def update(self, code: str, mode: str | None = None, profile: str | None = None,
               on_behalf_of: str | None = None) -> FeedView:
        changes = {k: v for k, v in {"mode": mode, "profile": profile}.items() if v is not None}
        return self._act("update", code, on_behalf_of, **changes)


@pytest.fixture
def app_db(database_url, monkeypatch, tmp_path):
    """The dashboard's database (audit events land there) is this test's migrated database."""
    monkeypatch.setenv("NOBLINDSPOT_DATABASE_URL", database_url)
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path / "data"))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield database_url
    st.cache_resource.clear()
    st.cache_data.clear()


def audit_events(session_factory, action: str) -> list[tuple[str, str, dict | None]]:
    with session_factory() as session:
        rows = session.execute(select(AuditEvent.actor, AuditEvent.target, AuditEvent.detail)
                               .where(AuditEvent.action == action).order_by(AuditEvent.id)).all()
    return [tuple(r) for r in rows]


def sign_in(app: AppTest, role: str, username: str) -> AppTest:
    from tests.support.dashboard import state_purpose

    """A real account in the test database and a signed-in session for it (as dashboard/auth.py keeps it)."""
    import os
    import time

    from db.engine import make_engine, make_session_factory
    from db.models import AppUser
    from db.users import add_user

    engine = make_engine(os.environ["NOBLINDSPOT_DATABASE_URL"])
    with make_session_factory(engine).begin() as session:
        if session.scalar(select(AppUser).where(AppUser.username == username)) is None:
            add_user(session, "cli:test", username, role)
    engine.dispose()
    now = time.time()
    app.session_state["auth_session"] = {"username": username, "role": role, "display_name": None,
                                         "method": "local", "signed_in_at": now, "last_seen": now}
    return state_purpose(app)    # the purpose of the shift is stated (tests of the gate leave it out)


def make_settings():
    from settings import Settings

    return Settings(relay_operator_token=SecretStr("app-test-operator-token-0123456789-abcd"))


def feeds_app(client: FakeRelayClient, lang: str = "en", role: str = "operator") -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.session_state["relay_client_override"] = client
    app.session_state["settings_override"] = make_settings()
    app.session_state["lang"] = lang
    sign_in(app, role, "operator.rina")
    return app.run()


def _client() -> FakeRelayClient:
    return FakeRelayClient([feed("JB-001"), feed("JB-002", state="backoff", last_error="camera refused (401)"),
                            feed("JB-003", state="stopped", mode="on_demand", name="Pasar Grogol")])


def _button(app: AppTest, key: str):
    return next(b for b in app.button if b.key == key)


def test_table_lists_every_feed_with_state_and_error(app_db):
    app = feeds_app(_client())
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert list(table["camera_code"]) == ["JB-001", "JB-002", "JB-003"]
    assert list(table["state"]) == ["running", "backoff", "stopped"]
    assert table["last_error"][1] == "camera refused (401)"
    assert any("3 of 3 feeds shown" in c.value for c in app.caption)
    assert any("Relay node node-test (ok)" in c.value and "1 of 3 feeds play here, 1 failing" in c.value
               for c in app.caption)


def test_the_page_says_when_the_relay_answers_but_its_feeds_fail(app_db):
    """Issue 10: the page said the relay was "ok" while every running feed failed."""
    app = feeds_app(_client())
    assert [w.value for w in app.warning] == ["1 of 2 feeds that should run are failing; the table shows why."]
    failing = FakeRelayClient([feed("JB-001", state="stalled", last_error="no segments for 9 s"),
                               feed("JB-002", state="backoff"), feed("JB-003", state="stopped", mode="on_demand")])
    app = feeds_app(failing, lang="id")
    [warning] = [w.value for w in app.warning]
    assert warning.startswith("Semua 2 umpan yang seharusnya berjalan gagal")
    healthy = feeds_app(FakeRelayClient([feed("JB-001"), feed("JB-003", state="stopped", mode="on_demand")]))
    assert healthy.warning == []


def test_feed_details_show_the_ffmpeg_log_tail(app_db):
    app = feeds_app(_client())
    app.selectbox(key="feeds_detail_code").select("JB-002").run()
    assert not app.exception, app.exception
    assert "[JB-002] frame=  25 fps=25" in app.code[0].value


def test_filters_change_the_rows_and_the_count(app_db):
    app = feeds_app(_client())
    app.multiselect(key="feeds_states").select("backoff").run()
    assert list(app.dataframe[0].value["camera_code"]) == ["JB-002"]
    assert any("1 of 3 feeds shown" in c.value for c in app.caption)
    app.multiselect(key="feeds_states").unselect("backoff").run()
    app.text_input(key="feeds_search").input("grogol").run()
    assert list(app.dataframe[0].value["camera_code"]) == ["JB-003"]


def test_actions_call_the_relay_for_each_chosen_feed(app_db, session_factory):
    client = _client()
    app = feeds_app(client)
    app.multiselect(key="feeds_selected").select("JB-001").select("JB-003").run()
    _button(app, "feeds_restart").click().run()
    assert client.calls == [("restart", "JB-001", "starting"), ("restart", "JB-003", "starting")]
    assert any("done for 2 feed(s)" in s.value for s in app.success)
    app.multiselect(key="feeds_selected").select("JB-002").run()
    _button(app, "feeds_pin").click().run()
    assert ("update", "JB-002", "always_on") in client.calls
    app.multiselect(key="feeds_selected").select("JB-003").run()
    app.selectbox(key="feeds_profile").select("h264-360p-low").run()
    _button(app, "feeds_apply_profile").click().run()
    assert ("update", "JB-003", "h264-360p-low") in client.calls
    assert client.feeds["JB-003"].profile == "h264-360p-low"
    events = audit_events(session_factory, "feed_control")
    assert events[:2] == [("operator.rina", "JB-001", {"command": "restart"}),
                          ("operator.rina", "JB-003", {"command": "restart"})]
    assert ("operator.rina", "JB-003", {"command": "profile", "profile": "h264-360p-low"}) in events
    # the relay writes its own event for each action and is told whom it acts for
    assert client.on_behalf_of and set(client.on_behalf_of) == {"operator.rina"}


def test_a_refusal_is_explained_and_the_other_feeds_still_run(app_db, session_factory):
    client = _client()
    client.refuse["JB-001"] = "limit of 40 running feeds reached"
    app = feeds_app(client)
    app.multiselect(key="feeds_selected").select("JB-001").select("JB-003").run()
    _button(app, "feeds_start").click().run()
    assert [c[:2] for c in client.calls] == [("start", "JB-001"), ("start", "JB-003")]
    errors = [e.value for e in app.error]
    assert any("JB-001" in e and "limit of 40 running feeds reached" in e and "try again" in e for e in errors)
    assert any("done for 1 feed(s)" in s.value for s in app.success)
    assert [e[1] for e in audit_events(session_factory, "feed_control")] == ["JB-003"]  # refused: not audited


def test_an_unreachable_relay_says_what_to_do_in_indonesian(app_db):
    app = feeds_app(FakeRelayClient([], down=True), lang="id")
    assert not app.exception, app.exception
    assert app.title[0].value == "Umpan"
    assert len(app.error) == 1
    message = app.error[0].value
    assert "Relay tidak dapat dihubungi" in message and "noblindspot relay" in message
    assert len(app.dataframe) == 0


def test_a_commander_cannot_open_the_feeds_page(app_db):
    client = _client()
    app = feeds_app(client, role="commander")
    assert not app.exception, app.exception
    assert any("may not open this page" in e.value for e in app.error)
    assert len(app.dataframe) == 0 and client.calls == []


def test_without_sign_in_the_page_asks_to_sign_in(app_db):
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.session_state["relay_client_override"] = _client()
    app.session_state["lang"] = "en"
    app.run()
    assert app.title[0].value == "Sign in"
    assert len(app.dataframe) == 0


def test_the_table_follows_the_relay_on_the_next_refresh(app_db):
    client = _client()
    app = feeds_app(client)
    client.feeds["JB-002"] = client.feeds["JB-002"].model_copy(update={"state": FeedState.RUNNING, "last_error": None})
    app.run()
    assert list(app.dataframe[0].value["state"]) == ["running", "running", "stopped"]
