"""Property-based tests of the relay's HTTP API against its own OpenAPI document (schemathesis).

Every operation is called with generated valid and invalid inputs, with the operator credential,
and every check schemathesis has is on: no 5xx, status codes and bodies and headers as documented,
invalid input refused, valid input accepted. The relay runs on a real database with fake
supervisors (they write HLS files), so the HTTP contract is what is tested; examples per operation
are bounded so CI stays within minutes.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import GenerationMode

from db.feeds import LeasePolicy
from geo.vocabulary import FeedMode
from relay.api import ApiSettings, create_app
from relay.manager import FeedManager, ManagerConfig
from tests.support.manager import FakeSupervisorFactory, seed_feeds

OPERATOR = "operator-secret-for-schemathesis"
HLS_SECRET = "hls-secret-for-schemathesis-0123456789"
EXAMPLES = 60


@pytest.fixture
def relay_app(session_factory, tmp_path):
    seed_feeds(session_factory, {"JB-0001": (FeedMode.ALWAYS_ON, "copy"), "JB-0002": (FeedMode.ON_DEMAND, "copy"),
                                 "JB-0003": (FeedMode.OFF, "copy")})
    config = ManagerConfig(node_id="node-a", public_url="http://relay-a.test:8787", runtime_dir=tmp_path / "rt",
                           max_feeds=3, max_transcodes=1, lease=LeasePolicy(single_node=True))
    manager = FeedManager(session_factory, config, FakeSupervisorFactory(runtime_dir=tmp_path / "rt"))
    manager.sync_once()
    yield create_app(manager, ApiSettings(operator_token=SecretStr(OPERATOR), hls_secret=SecretStr(HLS_SECRET),
                                          playlist_wait_s=0.2))
    manager.shutdown()


def _all_checks():
    """Every response check schemathesis registers (not only its defaults)."""
    from schemathesis.checks import CHECKS
    return list(CHECKS.get_all())


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_relay_api_keeps_its_openapi_contract(relay_app, mode):
    # schemathesis' pytest plugin does not run under pytest 9 (it reads a removed node attribute),
    # so each operation's strategy is driven by hypothesis here
    schema = schemathesis.openapi.from_asgi("/openapi.json", relay_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12, [op.label for op in operations]
    checks = _all_checks()
    assert len(checks) >= 10
    exercised = 0
    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {OPERATOR}"}, checks=checks)

        try:
            exercise()
        except Unsatisfiable:
            # no invalid input exists for an operation without parameters or body (GET /healthz)
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue
        except Exception as exc:
            raise AssertionError(f"{operation.label} ({mode.value}): {exc}") from exc
        exercised += 1
    assert exercised >= (len(operations) if mode is GenerationMode.POSITIVE else 8), exercised
