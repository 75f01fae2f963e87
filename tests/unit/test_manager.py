"""FeedManager logic with fake supervisors on a real (migrated) database."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from db import feeds as feed_repo
from db.feeds import FeedSourceRefused, LeasePolicy
from db.models import Camera, Feed
from geo.vocabulary import FeedMode, FeedState
from relay.manager import FeedIsOff, FeedManager, LimitReached, ManagerConfig, UnknownProfileError
from relay.on_demand import DemandState
from tests.support.manager import FakeClock, FakeSupervisorFactory, FakeWallClock, seed_feeds

ON, DEMAND, OFF = FeedMode.ALWAYS_ON, FeedMode.ON_DEMAND, FeedMode.OFF


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def factory():
    return FakeSupervisorFactory()


def make_manager(session_factory, factory, clock, tmp_path, **overrides) -> FeedManager:
    config = ManagerConfig(node_id="node-a", public_url="http://relay-a:8787", runtime_dir=tmp_path / "rt",
                           lease=LeasePolicy(single_node=True), **overrides)
    return FeedManager(session_factory, config, factory, clock=clock, wallclock=FakeWallClock())


def feed_row(session_factory, code):
    with session_factory() as s:
        return s.execute(select(Feed).join(Camera).where(Camera.code == code)).scalar_one()


def test_sync_starts_pinned_feeds_only_and_writes_state_back(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"A": (ON, "copy"), "B": (DEMAND, "copy"), "C": (OFF, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path)
    manager.sync_once()
    assert set(manager.local_statuses()) == {"A"}
    assert factory.latest("A").calls == ["start"]
    row = feed_row(session_factory, "A")
    assert (row.state, row.node_id, row.codec, row.fps) == (FeedState.RUNNING, "node-a", "h264", 25.0)
    assert feed_row(session_factory, "B").node_id is None


def test_on_demand_starts_on_request_and_stops_when_idle(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"B": (DEMAND, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path, idle_timeout_s=60)
    assert manager.demand_state("B") == DemandState.IDLE
    manager.demand("B")
    assert factory.latest("B").calls == ["start"]
    assert manager.demand_state("B") == DemandState.WAITING_READY
    clock.advance(50)
    manager.touch("B")            # a segment fetch keeps it alive
    clock.advance(50)
    manager.sync_once()
    assert "B" in manager.local_statuses()
    assert manager.demand_state("B") == DemandState.READY   # the fake runs at once: the sync saw it running
    clock.advance(61)
    manager.sync_once()
    assert manager.local_statuses() == {}
    assert manager.demand_state("B") == DemandState.IDLE    # closed within the sync: closing is over
    assert factory.latest("B").calls == ["start", "close"]
    row = feed_row(session_factory, "B")
    assert (row.state, row.node_id) == (FeedState.STOPPED, None)


def test_viewer_cannot_start_off_feed_but_operator_can(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"C": (OFF, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path)
    with pytest.raises(FeedIsOff):
        manager.demand("C")
    assert factory.made == []
    manager.start("C")
    assert feed_row(session_factory, "C").mode == DEMAND
    assert factory.latest("C").state == FeedState.RUNNING


def test_max_feeds_refuses_without_touching_running_feeds(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"A": (DEMAND, "copy"), "B": (DEMAND, "copy"), "C": (DEMAND, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path, max_feeds=2)
    manager.demand("A")
    manager.demand("B")
    with pytest.raises(LimitReached, match="max_feeds=2"):
        manager.demand("C")
    assert [s.calls for s in factory.made] == [["start"], ["start"]]
    assert feed_row(session_factory, "C").node_id is None


def test_max_transcodes_refuses_transcode_but_allows_copy(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"A": (DEMAND, "h264-360p-low"), "B": (DEMAND, "h264-720p"),
                                 "C": (DEMAND, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path, max_transcodes=1)
    manager.demand("A")
    with pytest.raises(LimitReached, match="max_transcodes=1"):
        manager.demand("B")
    manager.demand("C")
    assert set(manager.local_statuses()) == {"A", "C"}


def test_pinning_past_the_limit_is_refused_and_not_saved(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"A": (DEMAND, "copy"), "B": (DEMAND, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path, max_feeds=1)
    manager.update("A", mode="always_on")
    with pytest.raises(LimitReached):
        manager.update("B", mode="pinned")
    assert feed_row(session_factory, "B").mode == DEMAND


def test_pinned_feeds_past_max_feeds_wait(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {c: (ON, "copy") for c in "ABCD"})
    manager = make_manager(session_factory, factory, clock, tmp_path, max_feeds=3)
    manager.sync_once()
    manager.sync_once()
    assert len(manager.local_statuses()) == 3


def test_stop_of_pinned_feed_turns_it_off_for_good(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"A": (ON, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path)
    manager.sync_once()
    manager.stop("A")
    assert factory.latest("A").calls == ["start", "close"]
    manager.sync_once()
    assert manager.local_statuses() == {}
    assert feed_row(session_factory, "A").mode == OFF


def test_restarted_relay_resumes_what_should_run(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"A": (ON, "copy"), "B": (DEMAND, "copy"), "C": (ON, "h264-720p")})
    first = make_manager(session_factory, factory, clock, tmp_path)
    first.sync_once()
    first.demand("B")
    first.shutdown(leave=False)   # as after kill -9: leases left behind
    assert all("close" in s.calls for s in factory.made)
    second_factory = FakeSupervisorFactory()
    second = make_manager(session_factory, second_factory, clock, tmp_path)
    second.sync_once()
    assert set(second.local_statuses()) == {"A", "C"}
    assert feed_row(session_factory, "B").node_id is None   # the on-demand lease was let go


def test_profile_change_restarts_with_new_profile(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"A": (ON, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path)
    manager.sync_once()
    manager.update("A", profile="h264-720p")
    assert factory.made[0].calls == ["start", "close"]
    assert factory.latest("A").profile == "h264-720p"
    with pytest.raises(UnknownProfileError, match="use one of"):
        manager.update("A", profile="h266-8k")


def test_profile_change_by_another_writer_is_picked_up_by_sync(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"A": (ON, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path)
    manager.sync_once()
    with session_factory.begin() as s:
        s.execute(update(Feed).values(profile="h264-360p-low"))
    manager.sync_once()
    assert factory.latest("A").profile == "h264-360p-low"
    assert factory.journal == [("A", "start"), ("A", "close"), ("A", "start")]   # old run gone first


@pytest.mark.parametrize("url", ["file:///etc/passwd", "concat:a.ts|b.ts", "subfile:,,start,0,end,0,,:x.ts",
                                 "http://169.254.169.254/latest", "https://cam/x"])
def test_forbidden_source_refused_on_update_and_nothing_written(session_factory, factory, clock, tmp_path, url):
    seed_feeds(session_factory, {"A": (DEMAND, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path)
    with pytest.raises(FeedSourceRefused, match="rtsp://"):
        manager.update("A", stream_url=url, mode="always_on")
    with session_factory() as s:
        camera = s.execute(select(Camera).where(Camera.code == "A")).scalar_one()
        assert camera.stream_url.startswith("rtsp://")
    assert feed_row(session_factory, "A").mode == DEMAND


def test_forbidden_source_already_in_db_never_reaches_a_supervisor(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"A": (ON, "copy"), "B": (DEMAND, "copy")}, url="file:///etc/passwd")
    manager = make_manager(session_factory, factory, clock, tmp_path)
    with pytest.raises(FeedSourceRefused, match="not allowed"):
        manager.demand("B")
    manager.sync_once()
    assert factory.made == []
    row = feed_row(session_factory, "A")
    assert "not allowed" in row.last_error and "passwd" not in row.last_error


def test_shutdown_closes_everything_and_releases(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"A": (ON, "copy"), "B": (ON, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path)
    manager.sync_once()
    manager.shutdown()
    assert all(s.calls[-1] == "close" for s in factory.made) and len(factory.made) == 2
    with session_factory() as s:
        assert feed_repo.list_feeds(s, node_id="node-a") == []


def test_observed_state_written_on_change_and_refreshed_not_every_sync(session_factory, factory, clock, tmp_path):
    seed_feeds(session_factory, {"A": (ON, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path)
    manager.sync_once()
    first = feed_row(session_factory, "A").observed_at
    clock.advance(1)
    manager.sync_once()
    assert feed_row(session_factory, "A").observed_at == first          # nothing changed: no write
    factory.latest("A").state = FeedState.STALLED
    clock.advance(1)
    manager.sync_once()
    row = feed_row(session_factory, "A")
    assert row.state == FeedState.STALLED and row.observed_at > first
    clock.advance(11)
    manager.sync_once()
    assert feed_row(session_factory, "A").observed_at > row.observed_at   # periodic refresh


@pytest.mark.parametrize("url", ["file:///etc/passwd", "concat:a|b", "http://10.0.0.1/", "  ", "rtsp://"])
def test_db_layer_refuses_forbidden_sources_itself(session_factory, url):
    seed_feeds(session_factory, {"A": (DEMAND, "copy"), "N": (None, "copy")})
    with session_factory.begin() as s, pytest.raises(FeedSourceRefused):
        feed_repo.set_stream_url(s, "A", url)
    with session_factory.begin() as s:
        s.execute(update(Camera).where(Camera.code == "N").values(stream_url=url))
    with session_factory.begin() as s, pytest.raises(FeedSourceRefused):
        feed_repo.set_desired(s, "N", mode="always_on")      # no feed for a camera with a bad source
    with session_factory() as s:
        assert s.execute(select(Feed).join(Camera).where(Camera.code == "N")).scalar_one_or_none() is None


def test_feed_source_repr_hides_the_url(session_factory):
    seed_feeds(session_factory, {"A": (DEMAND, "copy")})
    with session_factory() as s:
        source = feed_repo.feed_source(s, "A", today=date(2026, 12, 3))
    assert source.source_url.startswith("rtsp://admin:")
    assert "s3cr3t" not in repr(source) and "rtsp" not in repr(source)


def test_one_feed_failing_to_start_never_stops_the_others(session_factory, factory, clock, tmp_path):
    from relay.errors import InvalidCameraCode

    seed_feeds(session_factory, {"A": (ON, "copy"), "B": (ON, "copy"), "C": (ON, "copy")})

    def picky(source):
        if source.camera_code == "A":
            raise InvalidCameraCode("camera code 'A' cannot name a runtime directory")
        if source.camera_code == "B":
            raise RuntimeError(f"boom {source.source_url}")     # an unexpected bug, with the URL in it
        return factory(source)

    manager = FeedManager(session_factory, ManagerConfig(node_id="node-a", public_url="http://a", runtime_dir=tmp_path,
                                                         lease=LeasePolicy(single_node=True)),
                          picky, clock=clock, wallclock=FakeWallClock())
    manager.sync_once()
    assert set(manager.local_statuses()) == {"C"} and manager.last_sync_error is None
    assert "cannot name" in feed_row(session_factory, "A").last_error
    error_b = feed_row(session_factory, "B").last_error
    assert "RuntimeError" in error_b and "s3cr3t" not in error_b


def test_feed_being_closed_reports_its_own_state_until_its_ffmpeg_is_gone(session_factory, factory, clock,
                                                                          tmp_path):
    """The lease is released before the slow close: the feed must not read "stopped" while still running."""
    import threading

    seed_feeds(session_factory, {"B": (DEMAND, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path, idle_timeout_s=60)
    manager.demand("B")
    supervisor = factory.latest("B")
    release, closing = threading.Event(), threading.Event()
    plain_close = supervisor.close

    def slow_close():  # like the real one: the state turns stopped only once ffmpeg is gone
        closing.set()
        release.wait(10)
        plain_close()

    supervisor.close = slow_close
    clock.advance(61)
    sync = threading.Thread(target=manager.sync_once)
    sync.start()
    assert closing.wait(10)
    assert feed_row(session_factory, "B").node_id is None          # the lease is already released
    assert manager.local_status("B").state == FeedState.RUNNING    # but the feed still says what it is
    release.set()
    sync.join(10)
    assert manager.local_status("B") is None


def test_feed_whose_close_has_finished_reads_from_the_database_before_the_sync_ends(session_factory, factory, clock,
                                                                                    tmp_path):
    """Between a supervisor's close and the end of the sync (other feeds may still be closing), the
    feed must not report "stopped" served by this node: stopped and the released lease go together."""
    import threading

    seed_feeds(session_factory, {"B": (DEMAND, "copy")})
    manager = make_manager(session_factory, factory, clock, tmp_path, idle_timeout_s=60)
    manager.demand("B")
    supervisor = factory.latest("B")
    closed, release = threading.Event(), threading.Event()
    plain_close = supervisor.close

    def close_then_linger():   # ffmpeg is gone; the sync is still busy closing the others
        plain_close()
        closed.set()
        release.wait(10)

    supervisor.close = close_then_linger
    clock.advance(61)
    sync = threading.Thread(target=manager.sync_once)
    sync.start()
    try:
        assert closed.wait(10)
        assert supervisor.status().state == FeedState.STOPPED
        assert manager.local_status("B") is None                   # the database's record speaks
        assert feed_row(session_factory, "B").node_id is None
    finally:
        release.set()
        sync.join(10)


def test_a_feed_runs_only_while_the_owners_live_consent_holds(session_factory, factory, clock, tmp_path):
    """Issue 15: consent is enforced where video flows: no start without it, a stop at the next sync when
    it is withdrawn or passes its end date (the manager's wall clock, in the programme's time zone)."""
    from db.feeds import FeedConsentRefused
    from geo.vocabulary import ConsentLevel

    seed_feeds(session_factory, {"A": (ON, "copy"), "B": (DEMAND, "copy"), "C": (ON, "copy")})
    wall = FakeWallClock()   # 12:00 UTC = 19:00 in Jakarta
    today = wall.now.date()
    with session_factory.begin() as s:
        s.execute(update(Camera).where(Camera.code == "B").values(consent=ConsentLevel.ON_REQUEST))
        s.execute(update(Camera).where(Camera.code == "C").values(consent_expires_on=today))
    config = ManagerConfig(node_id="node-a", public_url="http://relay-a:8787", runtime_dir=tmp_path / "rt",
                           lease=LeasePolicy(single_node=True))
    manager = FeedManager(session_factory, config, factory, clock=clock, wallclock=wall)
    with pytest.raises(FeedConsentRefused, match="not 'live'"):
        manager.demand("B")
    manager.sync_once()
    assert set(manager.local_statuses()) == {"A", "C"}       # C's consent holds through today
    with session_factory.begin() as s:
        s.execute(update(Camera).where(Camera.code == "A").values(consent=ConsentLevel.REGISTRY_ONLY))
    wall.advance(5 * 3600)                                   # 00:00 in Jakarta: C's consent day is over
    manager.sync_once()
    assert manager.local_statuses() == {}
    for code, words in (("A", "not 'live'"), ("C", f"expired on {today.isoformat()}")):
        row = feed_row(session_factory, code)
        assert row.state == FeedState.STOPPED and words in row.last_error and row.node_id is None
    assert factory.latest("A").calls[-1] == "close" and factory.latest("C").calls[-1] == "close"
