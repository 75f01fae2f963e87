"""The relay's checks of idle on-demand cameras, on a real database and real simulated RTSP cameras."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from db import feeds as feed_repo
from db.models import Camera, Feed
from geo.feed_health import Evidence, MapHealth, map_class
from geo.vocabulary import Connection, FeedMode, FeedState
from relay.camera_checks import CameraChecks
from relay.simulator.control import CameraSpec, Simulator
from tests.support.components import need_ffmpeg, need_rtsp_server
from tests.support.manager import seed_feeds

pytestmark = [pytest.mark.media, pytest.mark.timeout(120)]
TODAY = date(2026, 12, 3)


@pytest.fixture(scope="module")
def sim():
    need_ffmpeg()
    need_rtsp_server()
    with Simulator([CameraSpec("up", width=320, height=180), CameraSpec("gone", width=320, height=180)],
                   user="op", password="Rahasia:42") as simulator:
        simulator.stop_camera("gone")
        yield simulator


def _seed(session_factory, sim):
    seed_feeds(session_factory, {"up": (FeedMode.ON_DEMAND, "copy"), "gone": (FeedMode.ON_DEMAND, "copy"),
                                 "pinned": (FeedMode.ALWAYS_ON, "copy"), "expired": (FeedMode.ON_DEMAND, "copy")},
               url=sim.url("up"))
    with session_factory.begin() as session:
        cameras = {c.code: c for c in session.scalars(select(Camera))}
        cameras["gone"].stream_url = sim.url("gone")
        cameras["expired"].consent_expires_on = TODAY - timedelta(days=1)


def _evidence(session_factory) -> dict[str, tuple]:
    with session_factory() as session:
        rows = session.execute(select(Camera.code, Feed.checked_at, Feed.answered)
                               .join(Feed, Feed.camera_id == Camera.id)).all()
    return {code: (checked, answered) for code, checked, answered in rows}


def test_a_round_asks_each_idle_on_demand_camera_once_and_writes_what_it_heard(session_factory, sim):
    _seed(session_factory, sim)
    checks = CameraChecks(session_factory, today=lambda: TODAY)
    heard = checks.run_round()
    assert heard == {"up": True, "gone": False}          # pinned feeds run; expired consent is not asked
    evidence = _evidence(session_factory)
    assert evidence["up"][1] is True and evidence["gone"][1] is False
    assert evidence["pinned"] == (None, None) and evidence["expired"][1] is None
    assert checks.run_round() == {}                      # nothing is due again within every_s
    again = CameraChecks(session_factory, today=lambda: TODAY, every_s=0.0)
    assert again.run_round() == {"up": True, "gone": False}


def test_the_map_tells_a_silent_camera_from_one_that_played_and_answers(session_factory, sim):
    _seed(session_factory, sim)
    with session_factory.begin() as session:          # "up" played an hour ago (the relay wrote it then)
        feed_repo.write_observed(session, "up", feed_repo.ObservedState(state=FeedState.RUNNING))
        feed_repo.write_observed(session, "up", feed_repo.ObservedState(state=FeedState.STOPPED))
    CameraChecks(session_factory, today=lambda: TODAY, every_s=0.0).run_round()
    now = datetime.now(UTC)
    with session_factory() as session:
        rows = {row["code"]: row for row in feed_repo.connected_feed_states(session)}
    classes = {code: map_class(Connection.CONNECTED, row["mode"], row["state"],
                               Evidence(ran_at=row["ran_at"], checked_at=row["checked_at"], answered=row["answered"]),
                               now) for code, row in rows.items() if code in ("up", "gone")}
    assert classes == {"up": MapHealth.HEALTHY, "gone": MapHealth.CAMERA_UNREACHABLE}
    sim.start_camera("gone")
    try:
        assert CameraChecks(session_factory, today=lambda: TODAY, every_s=0.0).run_round()["gone"] is True
    finally:
        sim.stop_camera("gone")


def test_a_failing_check_never_leaks_the_stream_url(session_factory, sim, caplog):
    _seed(session_factory, sim)
    with caplog.at_level("DEBUG"):
        CameraChecks(session_factory, today=lambda: TODAY).run_round()
    assert "Rahasia" not in caplog.text and "op:" not in caplog.text
    target = feed_repo.CheckTarget("x", "rtsp://op:Rahasia@h/x")
    assert "Rahasia" not in repr(target)
