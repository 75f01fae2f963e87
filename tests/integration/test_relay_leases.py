"""Scale-out on PostgreSQL: nodes share always-on feeds through leases, SKIP LOCKED keeps claims
apart, and a dead node's feeds move to a live one. Supervisors are fakes; the database is real."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from db import feeds as feed_repo
from db.feeds import LeasePolicy
from geo.vocabulary import FeedMode
from relay.api import ApiSettings, create_app
from relay.manager import FeedElsewhere, FeedManager, ManagerConfig
from relay.tokens import mint_token
from tests.support.manager import FakeClock, FakeSupervisorFactory, FakeWallClock, seed_feeds

pytestmark = pytest.mark.postgres
POLICY = LeasePolicy(lease_ttl_s=10, node_ttl_s=10)


@pytest.fixture
def pg(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: runs in ./test.sh's PostgreSQL pass (NOBLINDSPOT_TEST_DATABASE_URL)")


@pytest.fixture
def wall():
    return FakeWallClock()


def node(session_factory, name, wall, tmp_path, **overrides) -> FeedManager:
    config = ManagerConfig(node_id=name, public_url=f"http://{name}.test:8787", runtime_dir=tmp_path / name,
                           lease=POLICY, **overrides)
    return FeedManager(session_factory, config, FakeSupervisorFactory(), clock=FakeClock(), wallclock=wall)


def holders(session_factory) -> dict[str, str | None]:
    with session_factory() as s:
        return {f.camera_code: f.node_id for f in feed_repo.list_feeds(s)}


def test_two_nodes_share_pinned_feeds(pg, session_factory, wall, tmp_path):
    seed_feeds(session_factory, {f"C{i}": (FeedMode.ALWAYS_ON, "copy") for i in range(6)})
    a, b = node(session_factory, "node-a", wall, tmp_path), node(session_factory, "node-b", wall, tmp_path)
    a.sync_once()
    assert len(a.local_statuses()) == 6          # alone, node-a takes everything
    b.sync_once()                                # node-b appears: fair share is 3 each
    for _ in range(2):
        wall.advance(2)
        a.sync_once()
        b.sync_once()
    on_a, on_b = set(a.local_statuses()), set(b.local_statuses())
    assert len(on_a) == 3 and len(on_b) == 3 and not on_a & on_b
    owners = holders(session_factory)
    assert {c for c, n in owners.items() if n == "node-a"} == on_a
    assert {c for c, n in owners.items() if n == "node-b"} == on_b


def test_dead_node_feeds_move_within_lease_time(pg, session_factory, wall, tmp_path):
    seed_feeds(session_factory, {f"C{i}": (FeedMode.ALWAYS_ON, "copy") for i in range(4)})
    a, b = node(session_factory, "node-a", wall, tmp_path), node(session_factory, "node-b", wall, tmp_path)
    for _ in range(3):
        a.sync_once()
        b.sync_once()
        wall.advance(2)
    assert len(a.local_statuses()) == 2
    # node-a dies: no more syncs, no shutdown. node-b keeps syncing every 2 s.
    moved_after = None
    for step in range(1, 16):
        wall.advance(2)
        b.sync_once()
        if len(b.local_statuses()) == 4:
            moved_after = step * 2
            break
    assert moved_after is not None and moved_after <= 30
    assert set(holders(session_factory).values()) == {"node-b"}


def test_clean_shutdown_hands_over_at_once(pg, session_factory, wall, tmp_path):
    seed_feeds(session_factory, {f"C{i}": (FeedMode.ALWAYS_ON, "copy") for i in range(2)})
    a, b = node(session_factory, "node-a", wall, tmp_path), node(session_factory, "node-b", wall, tmp_path)
    a.sync_once()
    b.sync_once()
    a.shutdown()
    b.sync_once()
    assert len(b.local_statuses()) == 2


def test_skip_locked_keeps_concurrent_claims_apart(pg, session_factory, wall):
    seed_feeds(session_factory, {f"C{i}": (FeedMode.ALWAYS_ON, "copy") for i in range(4)})
    first, second = session_factory(), session_factory()
    try:
        first.begin()
        got_first = feed_repo.claim_pinned(first, "node-a", wall(), POLICY, limit=2)
        second.begin()   # runs while node-a's transaction still holds its row locks
        got_second = feed_repo.claim_pinned(second, "node-b", wall(), POLICY, limit=4)
        assert len(got_first) == 2 and len(got_second) == 2 and not set(got_first) & set(got_second)
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()


def test_on_demand_feed_held_elsewhere_redirects_viewers(pg, session_factory, wall, tmp_path):
    seed_feeds(session_factory, {"C1": (FeedMode.ON_DEMAND, "copy")})
    a, b = node(session_factory, "node-a", wall, tmp_path), node(session_factory, "node-b", wall, tmp_path)
    a.sync_once()
    b.sync_once()
    a.demand("C1")
    with pytest.raises(FeedElsewhere, match=r"http://node-a\.test:8787"):
        b.demand("C1")
    secret = "hls-secret-for-lease-tests-0123456"
    app = create_app(b, ApiSettings(operator_token=SecretStr("op-token-for-lease-tests"),
                                    hls_secret=SecretStr(secret)))
    with TestClient(app) as client:
        token = mint_token(secret, "C1", "ani", ttl=60)
        response = client.get("/hls/C1/index.m3u8", params={"token": token}, follow_redirects=False)
        assert response.status_code == 307
        assert response.headers["location"] == f"http://node-a.test:8787/hls/C1/index.m3u8?token={token}"
        view = client.get("/api/feeds/C1", headers={"Authorization": "Bearer op-token-for-lease-tests"}).json()
        assert view["node_id"] == "node-a" and view["node_url"] == "http://node-a.test:8787"
        assert view["served_here"] is False


def test_full_node_does_not_starve_feeds(pg, session_factory, wall, tmp_path):
    """node-b can run one feed only: node-a keeps (or takes back) the rest, and stops shedding."""
    seed_feeds(session_factory, {f"C{i}": (FeedMode.ALWAYS_ON, "copy") for i in range(6)})
    a = node(session_factory, "node-a", wall, tmp_path)
    b = node(session_factory, "node-b", wall, tmp_path, max_feeds=1)
    for _ in range(12):
        a.sync_once()
        b.sync_once()
        wall.advance(2)
    assert len(b.local_statuses()) == 1 and len(a.local_statuses()) == 5
    starts = len(a._make_supervisor.made)
    for _ in range(10):   # steady: no more shedding and taking back
        a.sync_once()
        b.sync_once()
        wall.advance(2)
    assert len(a._make_supervisor.made) == starts
    assert set(holders(session_factory).values()) == {"node-a", "node-b"}
