"""The on-demand state machine (relay/on_demand.py): every edge of its diagram, and the ones it lacks."""
from __future__ import annotations

import pytest

from geo.vocabulary import FeedState
from relay.on_demand import DemandState, IllegalTransition, OnDemand

IDLE_S = 60.0


def started(now: float = 0.0) -> OnDemand:
    life = OnDemand(idle_timeout_s=IDLE_S)
    assert life.request(now) is True
    return life


def test_the_first_request_launches_and_later_ones_do_not():
    life = started(10)
    assert (life.state, life.since) == (DemandState.WAITING_READY, 10)
    assert life.request(11) is False
    assert life.state == DemandState.WAITING_READY and life.last_request == 11


def test_running_media_or_a_served_playlist_makes_the_feed_ready():
    by_status = started()
    by_status.observe(FeedState.STARTING, 1)
    assert by_status.state == DemandState.WAITING_READY
    by_status.observe(FeedState.RUNNING, 2)
    assert (by_status.state, by_status.since) == (DemandState.READY, 2)
    by_playlist = started()
    by_playlist.ready(3)
    assert (by_playlist.state, by_playlist.since) == (DemandState.READY, 3)
    by_playlist.observe(FeedState.BACKOFF, 4)   # a ready feed whose camera drops stays ready (and closes if idle)
    assert by_playlist.state == DemandState.READY


def test_a_ready_feed_closes_exactly_at_the_idle_timeout_counted_from_the_last_request():
    life = started()
    life.ready(1)
    life.request(30)
    assert life.should_close(FeedState.RUNNING, 30 + IDLE_S - 0.001) is False
    assert life.should_close(FeedState.RUNNING, 30 + IDLE_S) is True
    assert life.idle_for(30 + IDLE_S) == IDLE_S


def test_a_feed_still_starting_is_never_closed_but_one_that_gave_up_is():
    life = started()
    assert life.should_close(FeedState.STARTING, 10 * IDLE_S) is False   # a viewer may be waiting
    assert life.should_close(FeedState.BACKOFF, IDLE_S) is True
    assert life.should_close(FeedState.FAILED, IDLE_S) is True
    assert life.should_close(FeedState.BACKOFF, IDLE_S - 1) is False


def test_closing_then_closed_returns_to_idle_and_the_next_request_launches_again():
    life = started()
    life.ready(1)
    life.close(100)
    assert life.state == DemandState.CLOSING
    assert life.request(101) is False            # waits for the close; the manager starts afterwards
    assert life.should_close(FeedState.RUNNING, 1000) is False
    life.closed(102)
    assert (life.state, life.since) == (DemandState.IDLE, 102)
    assert life.request(103) is True and life.state == DemandState.WAITING_READY


@pytest.mark.parametrize("state", [DemandState.IDLE, DemandState.CLOSING])
def test_close_is_refused_where_the_diagram_has_no_edge(state):
    life = OnDemand(idle_timeout_s=IDLE_S, state=state)
    with pytest.raises(IllegalTransition, match=state.value):
        life.close(1)


@pytest.mark.parametrize("state", [DemandState.IDLE, DemandState.WAITING_READY, DemandState.READY])
def test_closed_is_refused_unless_closing(state):
    life = OnDemand(idle_timeout_s=IDLE_S, state=state)
    with pytest.raises(IllegalTransition):
        life.closed(1)
