"""The live player's page: a relay-minted URL per user and camera, no secret in the HTML, live tuning, escaping."""
from __future__ import annotations

import json
import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr
from streamlit.testing.v1 import AppTest

from dashboard.components.player import (
    TOKEN_TTL_S,
    PlayerOptions,
    offline_reason,
    player_html,
    player_source,
    public_base_url,
)
from dashboard.components.player_script import PLAYER_JS
from relay.tokens import mint_windowed, verify_token
from tests.app.test_feeds_page import HLS_SECRET, FakeRelayClient, app_db, audit_events, feed  # noqa: F401
from tests.support.dashboard import state_purpose

OPERATOR_TOKEN = "operator-token-never-in-browser-0123456789"
STREAM_URL = "rtsp://admin:hunter2@10.1.2.3:554/Streaming/Channels/101"
NOW = 1_800_000_123.0


def _config(page: str) -> dict:
    match = re.search(r"window\.NBS_PLAYER = (\{.*?\});</script>", page, re.DOTALL)
    assert match, "player config script missing"
    return json.loads(match.group(1))


def test_playlist_url_carries_a_token_for_this_user_and_camera():
    token = mint_windowed(HLS_SECRET, "JB-0001", "ani", TOKEN_TTL_S, NOW)
    source = player_source("http://relay.example:8787/", "JB-0001", token)
    url = urlsplit(source.playlist_url)
    assert url.path == "/hls/JB-0001/index.m3u8"
    grant = verify_token(HLS_SECRET, parse_qs(url.query)["token"][0], "JB-0001", now=NOW)
    assert grant.user == "ani"
    assert source.script_url == "http://relay.example:8787/static/hls.min.js"


def test_the_relay_token_is_the_same_inside_a_window_and_always_valid_long_enough():
    window = TOKEN_TTL_S / 2
    start = NOW - NOW % window
    first = mint_windowed(HLS_SECRET, "JB-0001", "ani", TOKEN_TTL_S, start + 1)
    assert first == mint_windowed(HLS_SECRET, "JB-0001", "ani", TOKEN_TTL_S, start + window - 1)
    assert first != mint_windowed(HLS_SECRET, "JB-0001", "ani", TOKEN_TTL_S, start + window)
    latest_render = start + window - 1
    grant = verify_token(HLS_SECRET, first, "JB-0001", now=latest_render)
    assert grant.expires_at - latest_render >= window


def test_camera_code_with_markup_cannot_break_out_of_the_page():
    code = "</script><img src=x onerror=alert(1)>"
    source = player_source("http://relay", code, "t.o.k")
    page = player_html(source, PlayerOptions(reason="</script><b>x</b>", labels={"live": "<i>"}), PLAYER_JS)
    assert "<img src=x" not in page
    assert page.count("</script>") == 2  # the config script and the player script, nothing injected
    assert _config(page)["initialReason"] == "</script><b>x</b>"


def test_live_tuning_and_states_are_in_the_script():
    for setting in ("liveSyncDurationCount: 2", "maxLiveSyncPlaybackRate: 1.5", "startPosition: -1"):
        assert setting in PLAYER_JS
    for state in ("connecting", "live", "retrying", "offline"):
        assert f'"{state}"' in PLAYER_JS


def test_offline_reason_comes_from_the_relay_status():
    failed = feed("JB-0001", state="failed", last_error="camera refused the connection (401)")
    assert offline_reason(failed) == (True, "camera refused the connection (401)")
    assert offline_reason(feed("JB-0001")) == (False, None)
    recovered = feed("JB-0001", last_error="stalled 10 s ago")
    assert offline_reason(recovered) == (False, None)
    assert offline_reason(feed("JB-0001", state="backoff")) == (True, "backoff")
    assert offline_reason(None) == (False, None)


def test_public_url_prefers_the_relay_public_address():
    settings = SimpleNamespace(relay_public_url="https://video.polres.example/", relay_url="http://10.0.0.5:8787")
    assert public_base_url(settings) == "https://video.polres.example"
    settings = SimpleNamespace(relay_public_url=None, relay_url="http://127.0.0.1:8787")
    assert public_base_url(settings) == "http://127.0.0.1:8787"


def _player_app():
    from dashboard.components.player import render_player

    render_player("JB-0007", "budi", height=300, low_bitrate=True)


@pytest.fixture
def settings():
    from settings import Settings

    return Settings(relay_url="http://127.0.0.1:8787", relay_public_url="http://relay.test:8787",
                    relay_operator_token=SecretStr(OPERATOR_TOKEN),
                    database_url=SecretStr("postgresql://u:dbpass@db/x"))


@pytest.mark.usefixtures("app_db")
def test_rendered_player_leaks_no_secret(settings, session_factory):
    app = AppTest.from_function(_player_app)
    app.session_state["settings_override"] = settings
    # The settings name a database that does not exist (its password must not leak); the audit events
    # go to this test's database through the session-factory override of dashboard/deps.py.
    app.session_state["session_factory_override"] = session_factory
    app.session_state["relay_client_override"] = FakeRelayClient([feed("JB-0007")])
    app.session_state["lang"] = "en"
    state_purpose(app)
    app.run()
    assert not app.exception
    frames = app.get("iframe")
    assert len(frames) == 1
    page = frames[0].proto.srcdoc
    for secret in (HLS_SECRET, OPERATOR_TOKEN, "hunter2", "rtsp://", "dbpass", STREAM_URL):
        assert secret not in page
    config = _config(page)
    assert config["lowBitrate"] is True
    token = parse_qs(urlsplit(config["playlistUrl"]).query)["token"][0]
    assert verify_token(HLS_SECRET, token, "JB-0007").user == "budi"
    assert config["playlistUrl"].startswith("http://relay.test:8787/hls/JB-0007/")
    assert config["labels"]["live"] == "Live"
    assert audit_events(session_factory, "live_view") == [("budi", "JB-0007", {"purpose": "reason:patrol_monitoring"})]


def test_the_player_explains_a_relay_that_does_not_answer_and_shows_no_detail(settings, session_factory):
    app = AppTest.from_function(_player_app)
    app.session_state["settings_override"] = settings
    app.session_state["session_factory_override"] = session_factory
    app.session_state["relay_client_override"] = FakeRelayClient([feed("JB-0007")], down=True)
    app.session_state["lang"] = "id"
    state_purpose(app)
    app.run()
    assert not app.exception
    assert app.get("iframe") == []
    [warning] = app.warning
    assert "relay video tidak menjawab" in warning.value
    assert "127.0.0.1" not in warning.value and "ConnectError" not in warning.value
    assert audit_events(session_factory, "live_view") == []


def test_a_feed_served_by_another_node_plays_from_that_node(settings, session_factory):
    elsewhere = feed("JB-0007", node_url="http://relay-b.test:8787", node_id="node-b")

    def page():
        import streamlit as st

        from dashboard.components.player import render_player

        render_player("JB-0007", "budi", feed=st.session_state["test_feed"])

    app = AppTest.from_function(page)
    app.session_state["test_feed"] = elsewhere
    app.session_state["settings_override"] = settings
    app.session_state["session_factory_override"] = session_factory
    app.session_state["relay_client_override"] = FakeRelayClient([elsewhere])
    state_purpose(app)
    app.run()
    assert _config(app.get("iframe")[0].proto.srcdoc)["playlistUrl"].startswith("http://relay-b.test:8787/hls/")
