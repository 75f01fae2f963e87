"""RelayClient against the relay API served by a real uvicorn on a free port."""
from __future__ import annotations

import pytest
from pydantic import SecretStr

from db.feeds import LeasePolicy
from geo.vocabulary import FeedMode, FeedState
from relay.api import ApiSettings, create_app
from relay.client import RelayClient, RelayRefused, RelayUnavailable
from relay.manager import FeedManager, ManagerConfig
from relay.on_demand import DemandState
from relay.profiles import LOW_BITRATE_PROFILE, PROFILES
from relay.tokens import verify_token
from tests.support.manager import FakeSupervisorFactory, seed_feeds
from tests.support.relay_api import ServerThread, free_port

OPERATOR = "operator-secret-for-client-tests"
HLS_SECRET = "hls-secret-for-client-tests-0123"


@pytest.fixture
def served(session_factory, tmp_path):
    seed_feeds(session_factory, {"JB-0001": (FeedMode.ALWAYS_ON, "copy"), "JB-0002": (FeedMode.ON_DEMAND, "copy"),
                                 "JB-0003": (FeedMode.ON_DEMAND, "copy")})
    config = ManagerConfig(node_id="node-a", public_url="http://relay-a.test:8787", runtime_dir=tmp_path / "rt",
                           max_feeds=2, lease=LeasePolicy(single_node=True))
    manager = FeedManager(session_factory, config, FakeSupervisorFactory(runtime_dir=tmp_path / "rt"))
    manager.sync_once()
    app = create_app(manager, ApiSettings(operator_token=SecretStr(OPERATOR), hls_secret=SecretStr(HLS_SECRET)))
    server = ServerThread(app).start()
    yield server
    server.stop()
    manager.shutdown()


def test_client_controls_feeds(served):
    with RelayClient(served.url, OPERATOR) as client:
        assert client.healthz().node_id == "node-a"
        feeds = {f.camera_code: f for f in client.list_feeds()}
        assert feeds["JB-0001"].state == FeedState.RUNNING and feeds["JB-0002"].state == FeedState.STOPPED
        assert client.get_feed("JB-0002").demand == DemandState.IDLE
        assert client.start("JB-0002").state == FeedState.RUNNING
        assert client.get_feed("JB-0002").demand == DemandState.WAITING_READY   # no playlist served yet
        assert client.restart("JB-0002").served_here is True
        assert client.update("JB-0002", mode="always_on", profile="h264-720p").mode == FeedMode.ALWAYS_ON
        assert client.get_feed("JB-0002").profile == "h264-720p"
        assert client.stop("JB-0002").mode == FeedMode.OFF
        grant = client.hls_token("JB-0001", "ani", ttl_s=60)
        assert verify_token(HLS_SECRET, grant.token, "JB-0001").user == "ani"


def test_client_refusals_carry_the_reason(served):
    with RelayClient(served.url, OPERATOR) as client:
        client.start("JB-0002")
        with pytest.raises(RelayRefused, match="max_feeds=2") as refused:
            client.start("JB-0003")
        assert refused.value.status_code == 429
        with pytest.raises(RelayRefused, match="no feed") as missing:
            client.get_feed("NOPE")
        assert missing.value.status_code == 404
        with pytest.raises(RelayRefused, match="rtsp://"):
            client.update("JB-0003", stream_url="file:///etc/passwd")
        with pytest.raises(RelayRefused, match="profile"):
            client.update("JB-0003", profile="bogus")
    with RelayClient(served.url, "wrong-token") as bad, pytest.raises(RelayRefused, match="operator credential"):
        bad.list_feeds()


def test_client_says_when_relay_is_unreachable():
    unreachable = RelayClient(f"http://127.0.0.1:{free_port()}", OPERATOR, timeout=1)
    with unreachable as client, pytest.raises(RelayUnavailable, match="cannot reach the relay"):
        client.list_feeds()


def test_the_relay_serves_the_choices_a_feed_accepts(served):
    with RelayClient(served.url, OPERATOR) as client:
        options = client.options()
        assert [p.name for p in options.profiles] == list(PROFILES)
        assert {p.name: p.transcode for p in options.profiles} == {n: p.transcode for n, p in PROFILES.items()}
        assert options.low_bitrate_profile == LOW_BITRATE_PROFILE
        assert set(options.audio) == {"aac", "drop"} and FeedMode.ALWAYS_ON in options.modes
        client.update("JB-0003", audio=options.audio[1])
        assert client.get_feed("JB-0003").audio == options.audio[1]
        with pytest.raises(RelayRefused) as refused:
            client.update("JB-0003", profile="no-such-profile")
        assert refused.value.status_code == 422 and "copy" in refused.value.reason


def test_the_relay_mints_one_token_per_window_so_a_rerun_keeps_the_player(served):
    with RelayClient(served.url, OPERATOR) as client:
        first = client.hls_token("JB-0001", "ani", ttl_s=7200)
        again = client.hls_token("JB-0001", "ani", ttl_s=7200)
        other_user = client.hls_token("JB-0001", "budi", ttl_s=7200)
    assert first.token == again.token and other_user.token != first.token
    grant = verify_token(HLS_SECRET, first.token, "JB-0001")
    assert grant.user == "ani" and grant.expires_at == first.expires_at
    import time

    assert first.expires_at - time.time() >= 3600 - 5   # at least half the lifetime is left
