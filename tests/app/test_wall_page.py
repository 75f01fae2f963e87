"""Video wall (AppTest): pinned feeds as low-bitrate tiles, pages, enlarge, profile action, relay errors."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.wall import page_count, page_of
from tests.app.test_feeds_page import FakeRelayClient, app_db, audit_events, feed, make_settings, sign_in  # noqa: F401

PAGE = str(Path(__file__).resolve().parents[2] / "dashboard/views/wall.py")


def wall_app(client: FakeRelayClient, lang: str = "en") -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.session_state["relay_client_override"] = client
    app.session_state["settings_override"] = make_settings()
    sign_in(app, "operator", "duty.officer")
    app.session_state["lang"] = lang
    app.session_state["wall_paused"] = True  # deterministic page choice in tests
    return app.run()


def _pinned(n: int) -> list:
    return [feed(f"JB-{i:03d}") for i in range(1, n + 1)]


def _tile_codes(app: AppTest) -> list[str]:
    codes = []
    for frame in app.get("iframe"):
        found = re.search(r"window\.NBS_PLAYER = (\{.*?\});</script>", frame.proto.srcdoc, re.DOTALL)
        config = json.loads(found.group(1))
        codes.append(re.search(r"/hls/([^/]+)/index\.m3u8", config["playlistUrl"]).group(1))
    return codes


def test_paging_wraps_around():
    codes = [f"C{i}" for i in range(10)]
    assert page_count(10, 4) == 3
    assert page_of(codes, 2, 4) == ["C8", "C9"]
    assert page_of(codes, 3, 4) == ["C0", "C1", "C2", "C3"]


@pytest.mark.usefixtures("app_db")
def test_wall_shows_only_pinned_feeds_as_low_bitrate_tiles(session_factory):
    feeds = [*_pinned(3), feed("JB-900", mode="on_demand")]
    app = wall_app(FakeRelayClient(feeds))
    assert not app.exception, app.exception
    assert _tile_codes(app) == ["JB-001", "JB-002", "JB-003"]
    app.run()  # a refresh does not log the same live views again
    assert [e[1] for e in audit_events(session_factory, "live_view")] == ["JB-001", "JB-002", "JB-003"]
    for frame in app.get("iframe"):
        assert '"lowBitrate": true' in frame.proto.srcdoc
    assert "Page 1 of 1 · 3 watched feeds" in [c.value for c in app.caption]


@pytest.mark.usefixtures("app_db")
def test_layout_and_pages():
    app = wall_app(FakeRelayClient(_pinned(10)))
    app.radio(key="wall_layout").set_value("3x3").run()
    assert _tile_codes(app) == [f"JB-{i:03d}" for i in range(1, 10)]
    next(b for b in app.button if b.key == "wall_next").click().run()
    assert _tile_codes(app) == ["JB-010"]


@pytest.mark.usefixtures("app_db")
def test_tile_shows_state_and_enlarges_on_click():
    feeds = [feed("JB-001"), feed("JB-002", state="backoff", last_error="no route to camera")]
    app = wall_app(FakeRelayClient(feeds))
    captions = " ".join(m.value for m in app.markdown)
    assert "JB-002" in captions and "backoff" in captions and "no route to camera" in captions
    next(b for b in app.button if b.key == "wall_enlarge_JB-002").click().run()
    assert _tile_codes(app) == ["JB-002"]
    assert app.get("iframe")[0].proto.srcdoc.count("nbs-video") >= 1
    assert '"startOffline": true' in app.get("iframe")[0].proto.srcdoc
    next(b for b in app.button if b.key == "wall_close").click().run()
    assert _tile_codes(app) == ["JB-001", "JB-002"]


@pytest.mark.usefixtures("app_db")
def test_low_bitrate_action_sets_the_profile_through_the_relay(session_factory):
    client = FakeRelayClient([feed("JB-001"), feed("JB-002", profile="h264-360p-low")])
    app = wall_app(client)
    next(b for b in app.button if b.key == "wall_low_bitrate").click().run()
    assert client.calls == [("update", "JB-001", "h264-360p-low")]
    assert app.success
    assert audit_events(session_factory, "feed_control") == [
        ("duty.officer", "JB-001", {"command": "profile", "profile": "h264-360p-low"})]


@pytest.mark.usefixtures("app_db")
def test_wall_explains_relay_outage_and_empty_wall():
    app = wall_app(FakeRelayClient([], down=True))
    assert "The relay cannot be reached" in app.error[0].value
    app = wall_app(FakeRelayClient([feed("JB-001", mode="on_demand")]), lang="id")
    assert app.title[0].value == "Dinding video"
    assert "Sematkan umpan" in app.info[0].value
