"""The relay API over HTTP (FastAPI TestClient) on a real database; supervisors are fakes that write
HLS files, so these tests check the HTTP contract: auth, tokens, traversal, limits, no secrets."""
from __future__ import annotations

import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from db.feeds import LeasePolicy
from db.models import Camera, Feed
from geo.vocabulary import FeedMode, FeedState
from relay.api import ApiSettings, create_app
from relay.manager import FeedManager, ManagerConfig
from relay.tokens import mint_token
from tests.support.manager import FakeSupervisorFactory, seed_feeds

OPERATOR = "operator-secret-for-tests"
HLS_SECRET = "hls-secret-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {OPERATOR}"}
PASSWORD = "s3cr3t-pass"


@pytest.fixture
def relay(session_factory, tmp_path):
    seed_feeds(session_factory, {"JB-0001": (FeedMode.ALWAYS_ON, "copy"), "JB-0002": (FeedMode.ON_DEMAND, "copy"),
                                 "JB-0003": (FeedMode.OFF, "copy"), "JB-0004": (FeedMode.ON_DEMAND, "h264-720p"),
                                 "JB-0005": (None, "copy")})
    factory = FakeSupervisorFactory(runtime_dir=tmp_path / "rt")
    config = ManagerConfig(node_id="node-a", public_url="http://relay-a.test:8787", runtime_dir=tmp_path / "rt",
                           max_feeds=3, max_transcodes=1, lease=LeasePolicy(single_node=True))
    manager = FeedManager(session_factory, config, factory)
    manager.sync_once()
    app = create_app(manager, ApiSettings(operator_token=SecretStr(OPERATOR), hls_secret=SecretStr(HLS_SECRET),
                                          playlist_wait_s=0.5))
    with TestClient(app) as client:
        client.manager, client.factory = manager, factory
        yield client
    manager.shutdown()


def token_for(code, user="ani", ttl=60):
    return mint_token(HLS_SECRET, code, user, ttl=ttl)


def test_health_and_openapi(relay):
    health = relay.get("/healthz").json()
    assert health["status"] == "ok" and health["node_id"] == "node-a" and health["local_feeds"] == 1
    assert health["running"] == 1 and health["failing"] == 0
    relay.factory.latest("JB-0001").state = FeedState.BACKOFF       # its camera went away
    health = relay.get("/healthz").json()
    assert health["running"] == 0 and health["failing"] == 1 and health["local_feeds"] == 1
    spec = relay.get("/openapi.json").json()
    assert "/api/feeds/{camera_code}/start" in spec["paths"]
    assert "/hls/{camera_code}/index.m3u8" in spec["paths"]


@pytest.mark.parametrize("method,path", [("get", "/api/feeds"), ("get", "/api/feeds/JB-0001"),
                                         ("post", "/api/feeds/JB-0001/start"), ("post", "/api/feeds/JB-0001/stop"),
                                         ("post", "/api/feeds/JB-0001/restart"), ("put", "/api/feeds/JB-0001")])
@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic b3BlcmF0b3I=", f"Bearer {OPERATOR}x"])
def test_control_needs_operator_credential(relay, method, path, header):
    headers = {"Authorization": header} if header else {}
    kwargs = {"json": {"mode": "off"}} if method == "put" else {}
    response = getattr(relay, method)(path, headers=headers, **kwargs)
    assert response.status_code == 401
    assert relay.manager.local_status("JB-0001") is not None   # nothing was stopped


def test_list_and_detail_tell_which_node_serves(relay):
    feeds = {f["camera_code"]: f for f in relay.get("/api/feeds", headers=AUTH).json()["feeds"]}
    assert set(feeds) == {"JB-0001", "JB-0002", "JB-0003", "JB-0004"}
    pinned = feeds["JB-0001"]
    assert pinned["state"] == "running" and pinned["served_here"] is True
    assert pinned["node_url"] == "http://relay-a.test:8787" and pinned["hls_path"] == "/hls/JB-0001/index.m3u8"
    assert feeds["JB-0002"]["node_url"] is None and feeds["JB-0002"]["state"] == "stopped"
    detail = relay.get("/api/feeds/JB-0001", headers=AUTH).json()
    assert detail["codec"] == "h264" and "log_tail" in detail


def test_start_stop_restart_and_pin(relay):
    assert relay.post("/api/feeds/JB-0002/start", headers=AUTH).json()["feed"]["state"] == "running"
    assert relay.post("/api/feeds/JB-0002/restart", headers=AUTH).status_code == 200
    assert relay.factory.latest("JB-0002").calls == ["start", "restart"]
    body = relay.put("/api/feeds/JB-0002", headers=AUTH, json={"mode": "always_on"}).json()
    assert body["mode"] == "always_on"
    stopped = relay.post("/api/feeds/JB-0002/stop", headers=AUTH).json()["feed"]
    assert stopped["state"] == "stopped" and stopped["mode"] == "off"
    assert relay.get("/api/feeds/NOPE", headers=AUTH).status_code == 404


def test_put_creates_feed_for_camera_and_validates(relay):
    body = relay.put("/api/feeds/JB-0005", headers=AUTH, json={"profile": "h264-360p-low"}).json()
    assert body["mode"] == "on_demand" and body["profile"] == "h264-360p-low"
    bad = relay.put("/api/feeds/JB-0005", headers=AUTH, json={"profile": "nope"})
    assert bad.status_code == 422 and "use one of" in bad.json()["detail"]
    assert relay.put("/api/feeds/JB-0005", headers=AUTH, json={"colour": "red"}).status_code == 422


@pytest.mark.parametrize("url", ["file:///etc/passwd", "concat:/a.ts|/b.ts", "subfile:,,start,0,end,0,,:/etc/x",
                                 "http://127.0.0.1:8080/admin", "ftp://cam/x", "rtmp://cam/live"])
def test_forbidden_source_refused_at_the_api(relay, session_factory, url):
    response = relay.put("/api/feeds/JB-0002", headers=AUTH, json={"stream_url": url, "mode": "always_on"})
    assert response.status_code == 422
    assert "use rtsp:// or rtsps://" in response.json()["detail"]
    with session_factory() as s:
        camera = s.execute(select(Camera).where(Camera.code == "JB-0002")).scalar_one()
        feed = s.execute(select(Feed).where(Feed.camera_id == camera.id)).scalar_one()
        assert camera.stream_url.startswith("rtsp://") and feed.mode == FeedMode.ON_DEMAND


def test_limits_return_429_with_reason_and_keep_running_feeds(relay):
    assert relay.post("/api/feeds/JB-0004/start", headers=AUTH).status_code == 200   # 1 transcode
    relay.put("/api/feeds/JB-0005", headers=AUTH, json={"profile": "h264-720p"})
    refused = relay.post("/api/feeds/JB-0005/start", headers=AUTH)
    assert refused.status_code == 429 and "max_transcodes=1" in refused.json()["detail"]
    relay.post("/api/feeds/JB-0002/start", headers=AUTH)                              # 3 feeds now
    relay.put("/api/feeds/JB-0005", headers=AUTH, json={"profile": "copy"})
    refused = relay.post("/api/feeds/JB-0005/start", headers=AUTH)
    assert refused.status_code == 429 and "max_feeds=3" in refused.json()["detail"]
    viewer = relay.get("/hls/JB-0005/index.m3u8", params={"token": token_for("JB-0005")})
    assert viewer.status_code == 429
    assert set(relay.manager.local_statuses()) == {"JB-0001", "JB-0002", "JB-0004"}
    assert all("close" not in s.calls for s in relay.factory.made)


def test_playlist_carries_token_to_every_segment(relay):
    token = token_for("JB-0001")
    response = relay.get("/hls/JB-0001/index.m3u8", params={"token": token})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    uris = [line for line in response.text.splitlines() if line and not line.startswith("#")]
    assert len(uris) == 2
    for uri in uris:
        assert parse_qs(urlsplit(uri).query)["token"] == [token]
        segment = relay.get(f"/hls/JB-0001/{uri}")
        assert segment.status_code == 200 and segment.content.startswith(b"\x47")


def test_first_playlist_request_starts_on_demand_feed(relay):
    assert relay.manager.local_status("JB-0002") is None
    response = relay.get("/hls/JB-0002/index.m3u8", params={"token": token_for("JB-0002")})
    assert response.status_code == 200 and "#EXTINF" in response.text
    assert relay.manager.local_status("JB-0002").state == "running"
    off = relay.get("/hls/JB-0003/index.m3u8", params={"token": token_for("JB-0003")})
    assert off.status_code == 409


def test_a_playlist_of_a_camera_that_does_not_answer_says_so_and_when_to_retry(relay, monkeypatch):
    """Issue 10: the relay answered "the feed is starting" for a feed that had been in backoff for hours."""
    from dataclasses import replace

    supervisor = relay.factory.latest("JB-0001")
    (relay.manager.feed_dir("JB-0001") / "index.m3u8").unlink()
    backoff = replace(supervisor.status(), state=FeedState.BACKOFF, last_error="connection refused",
                      next_retry_s=29.2)
    monkeypatch.setattr(supervisor, "status", lambda: backoff)
    response = relay.get("/hls/JB-0001/index.m3u8", params={"token": token_for("JB-0001")})
    assert response.status_code == 503
    assert response.json()["detail"] == "the camera does not answer (connection refused); the relay tries again in 30 s"
    assert response.headers["retry-after"] == "30"


@pytest.mark.parametrize("token", [None, "", "garbage", "1.2.3", "\u00b2.YW5p.c2ln", "9" * 600])
def test_missing_or_forged_token_is_403(relay, token):
    params = {"token": token} if token is not None else {}
    assert relay.get("/hls/JB-0001/index.m3u8", params=params).status_code == 403
    assert relay.get("/hls/JB-0001/seg_00001.ts", params=params).status_code == 403


def test_token_for_other_camera_or_expired_is_403(relay):
    assert relay.get("/hls/JB-0001/index.m3u8", params={"token": token_for("JB-0002")}).status_code == 403
    expired = mint_token(HLS_SECRET, "JB-0001", "ani", ttl=1, now=time.time() - 10)
    response = relay.get("/hls/JB-0001/seg_00001.ts", params={"token": expired})
    assert response.status_code == 403 and "expired" in response.json()["detail"]
    forged = mint_token("another-secret-0123456789abcdef", "JB-0001", "ani", ttl=60)
    assert relay.get("/hls/JB-0001/index.m3u8", params={"token": forged}).status_code == 403


@pytest.mark.parametrize("path", ["/hls/JB-0001/..%2F..%2F..%2Fetc%2Fpasswd", "/hls/..%2Fetc/index.m3u8",
                                  "/hls/JB-0001/../../etc/passwd", "/hls/JB-0001/.hidden.ts",
                                  "/hls/JB-0001/seg_00001.ts%00.txt", "/hls/JB-0001/index.m3u8.bak",
                                  "/hls/..%5C..%5Cwin/index.m3u8", "/hls/JB-0001/%2e%2e%2fsecret.ts"])
def test_path_traversal_is_404_or_400(relay, path):
    code = "JB-0001"
    response = relay.get(path, params={"token": token_for(code)})
    assert response.status_code in (400, 404)
    assert b"root:" not in response.content


def test_no_credentials_anywhere_the_browser_or_logs_see(relay, caplog):
    caplog.set_level(logging.DEBUG)
    relay.post("/api/feeds/JB-0002/start", headers=AUTH)
    token = token_for("JB-0001")
    bodies = [relay.get("/api/feeds", headers=AUTH).text, relay.get("/api/feeds/JB-0001", headers=AUTH).text,
              relay.get("/metrics", headers=AUTH).text,
              relay.get("/hls/JB-0001/index.m3u8", params={"token": token}).text,
              relay.get("/openapi.json").text, relay.get("/healthz").text,
              relay.put("/api/feeds/JB-0002", headers=AUTH,
                        json={"stream_url": f"rtsp://u:{PASSWORD}-new@10.1.1.1/s"}).text]
    for text in [*bodies, caplog.text]:
        assert PASSWORD not in text and "admin:" not in text and "10.0.0." not in text
        if '"openapi"' not in text:   # the schema's field description mentions the scheme, no URL
            assert "rtsp://" not in text


def test_metrics_count_feeds_by_state_and_bytes(relay):
    relay.get("/hls/JB-0001/index.m3u8", params={"token": token_for("JB-0001")})
    assert relay.get("/metrics").status_code == 401          # issue 12: no credential, no figures
    assert relay.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    text = relay.get("/metrics", headers=AUTH).text
    assert 'relay_feeds{state="running"} 1.0' in text
    assert 'relay_feed_restarts_total{camera="JB-0001"} 0.0' in text
    assert 'relay_feed_bytes_in_total{camera="JB-0001"} 1234.0' in text
    served = [line for line in text.splitlines() if line.startswith('relay_feed_bytes_out_total{camera="JB-0001"}')]
    assert served and float(served[0].split()[-1]) > 0
    assert "relay_max_feeds 3.0" in text


def test_operator_mints_hls_token(relay):
    grant = relay.post("/api/feeds/JB-0001/token", headers=AUTH, json={"user": "budi", "ttl_s": 30}).json()
    assert grant["node_url"] == "http://relay-a.test:8787"
    assert relay.get(grant["hls_path"], params={"token": grant["token"]}).status_code == 200
    assert relay.post("/api/feeds/JB-0001/token", json={"user": "x"}).status_code == 401


def test_check_page_and_local_hls_js(relay):
    page = relay.get("/check/JB-0001")
    assert page.status_code == 200 and "/static/hls.min.js" in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    assert "script-src" not in page.headers["content-security-policy"] or "self" in page.headers[
        "content-security-policy"]
    script = relay.get("/static/hls.min.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    assert relay.get("/static/check.js").status_code == 200
    assert relay.get("/check/..%2F..%2Fetc").status_code == 404


def test_rewrite_carries_token_to_map_and_drops_foreign_uris():
    from relay.hls import rewrite_playlist

    text = ("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MAP:URI=\"init.mp4\"\n"
            "#EXTINF:1.0,\nseg_000001.m4s\n#EXT-X-DISCONTINUITY\n#EXTINF:1.0,\nhttp://evil.example/x.ts\n"
            "#EXTINF:1.0,\n../../etc/passwd\n#EXTINF:1.0,\nseg_000002.m4s\n")
    out = rewrite_playlist(text, "T.o/k+n")
    assert '#EXT-X-MAP:URI="init.mp4?token=T.o%2Fk%2Bn"' in out
    assert "seg_000001.m4s?token=T.o%2Fk%2Bn" in out and "seg_000002.m4s?token=T.o%2Fk%2Bn" in out
    assert "evil" not in out and "passwd" not in out
    assert out.count("#EXTINF") == 2          # the dropped URIs took their EXTINF with them


def test_a_client_far_beyond_a_players_pace_gets_429_with_retry_after(relay):
    """Issue 12: 16,000 HLS requests from one client were all served. Budgets here are small (2 a second
    per viewer, 5 per address) so that no timing of the test machine lets a flood through."""
    app = create_app(relay.manager, ApiSettings(operator_token=SecretStr(OPERATOR), hls_secret=SecretStr(HLS_SECRET),
                                                playlist_wait_s=0.5, hls_per_client_s=5, hls_per_token_s=2))
    with TestClient(app) as client:
        token = token_for("JB-0001")
        assert client.get("/hls/JB-0001/index.m3u8", params={"token": token}).status_code == 200
        codes = [client.get("/hls/JB-0001/seg_00001.ts", params={"token": token}).status_code for _ in range(40)]
        assert codes[0] == 200 and codes.count(429) >= 10
        limited = client.get("/hls/JB-0001/seg_00001.ts", params={"token": token})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.headers["access-control-allow-origin"] == "*"      # the player can read the answer
    with TestClient(create_app(relay.manager, ApiSettings(operator_token=SecretStr(OPERATOR),
                                                          hls_secret=SecretStr(HLS_SECRET), hls_per_client_s=5,
                                                          hls_per_token_s=2))) as client:
        other = token_for("JB-0001", user="budi")                        # another viewer on this address
        assert client.get("/hls/JB-0001/seg_00001.ts", params={"token": other}).status_code == 200
        forged = [client.get("/hls/JB-0001/seg_00001.ts", params={"token": f"x{i}"}).status_code for i in range(60)]
        assert forged.count(429) >= 15 and set(forged) <= {403, 429}   # made-up tokens share the address's budget


def relay_events(session_factory) -> list[tuple[str, str, str, dict]]:
    from db.models import AuditEvent
    with session_factory() as session:
        rows = session.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.target, AuditEvent.detail)
                               .where(AuditEvent.actor == "relay-api").order_by(AuditEvent.id)).all()
    return [tuple(r) for r in rows]


def test_every_control_action_leaves_an_audit_event_refusals_too(relay, session_factory):
    """Issue 12: start, stop, a feed change and a refusal, asked directly of the API, are audited."""
    as_rina = {**AUTH, "X-Noblindspot-User": "operator.rina"}
    assert relay.post("/api/feeds/JB-0002/start", headers=as_rina).status_code == 200
    assert relay.post("/api/feeds/JB-0002/stop", headers=AUTH).status_code == 200
    changed = relay.put("/api/feeds/JB-0002", headers=as_rina,
                        json={"stream_url": f"rtsp://u:{PASSWORD}@10.1.1.9/s", "profile": "h264-360p-low"})
    assert changed.status_code == 200
    assert relay.post("/api/feeds/JB-9999/start", headers=AUTH).status_code == 404
    assert relay.post("/api/feeds/JB-0002/start").status_code == 401       # no credential: nothing recorded
    events = relay_events(session_factory)
    assert [(action, target, d["command"], d["outcome"]) for _, action, target, d in events] == [
        ("feed_control", "JB-0002", "start", "done"), ("feed_control", "JB-0002", "stop", "done"),
        ("feed_control", "JB-0002", "update", "done"), ("feed_control", "JB-9999", "start", "refused (404)")]
    start, stop, update, refused = (d for *_, d in events)
    assert start["on_behalf_of_claimed"] == "operator.rina" and start["client"] == "testclient"
    assert stop["on_behalf_of_claimed"] is None
    assert update["profile"] == "h264-360p-low" and update["source_address_changed"] == "yes"
    assert "JB-9999" in refused["reason"]
    assert PASSWORD not in repr(events) and "10.1.1.9" not in repr(events)


def test_a_refused_start_names_the_limit_in_its_audit_event(relay, session_factory):
    assert relay.post("/api/feeds/JB-0004/start", headers=AUTH).status_code == 200   # the one transcode
    relay.put("/api/feeds/JB-0005", headers=AUTH, json={"profile": "h264-720p"})
    assert relay.post("/api/feeds/JB-0005/start", headers=AUTH).status_code == 429
    last = relay_events(session_factory)[-1][3]
    assert last["outcome"] == "refused (429)" and "max_transcodes=1" in last["reason"]


def test_token_grants_are_audited_once_per_window_and_a_claimed_user_is_sanitised(relay, session_factory):
    headers = {**AUTH, "X-Noblindspot-User": "budi\x1b[31m"}
    first = relay.post("/api/feeds/JB-0001/token", headers=headers, json={"user": "budi", "ttl_s": 600}).json()
    again = relay.post("/api/feeds/JB-0001/token", headers=headers, json={"user": "budi", "ttl_s": 600}).json()
    assert first["token"] == again["token"]                        # the same window, the same token ...
    relay.post("/api/feeds/JB-0001/token", headers=AUTH,
               json={"user": "sari", "ttl_s": 600, "purpose": "case:INC-2026-0001"})
    grants = [(target, d) for _, action, target, d in relay_events(session_factory) if action == "token_grant"]
    assert [(t, d["viewer"]) for t, d in grants] == [("JB-0001", "budi"), ("JB-0001", "sari")]   # ... one event
    assert [d["purpose"] for _, d in grants] == [None, "case:INC-2026-0001"]
    assert grants[0][1]["expires_at"] == first["expires_at"]
    assert grants[0][1]["on_behalf_of_claimed"] == "(unreadable)"
    assert all(first["token"] not in repr(d) for _, d in grants)


def test_no_token_is_granted_when_its_audit_event_cannot_be_written(session_factory, tmp_path):
    """Fail closed: a view without a trace is refused (the audit database here does not exist)."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from relay.api_audit import ApiAudit
    seed_feeds(session_factory, {"JB-0001": (FeedMode.ON_DEMAND, "copy")})
    config = ManagerConfig(node_id="node-a", public_url="http://relay-a.test:8787", runtime_dir=tmp_path / "rt",
                           lease=LeasePolicy(single_node=True))
    manager = FeedManager(session_factory, config, FakeSupervisorFactory(runtime_dir=tmp_path / "rt"))
    broken = sessionmaker(create_engine(f"sqlite:///{tmp_path}/no-such-dir/audit.db"))
    app = create_app(manager, ApiSettings(operator_token=SecretStr(OPERATOR), hls_secret=SecretStr(HLS_SECRET)),
                     trail=ApiAudit(broken))
    with TestClient(app) as client:
        response = client.post("/api/feeds/JB-0001/token", headers=AUTH, json={"user": "budi"})
        assert response.status_code == 503 and "audit" in response.json()["detail"]
        assert "token" not in response.json()
        assert client.post("/api/feeds/JB-0001/start", headers=AUTH).status_code == 200   # the action ran
    manager.shutdown()


def test_openapi_documents_every_error_and_bodies_match_it(relay):
    spec = relay.get("/openapi.json").json()
    error_ref = "#/components/schemas/ErrorBody"
    for path, methods in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"200", "401", "422"} <= codes or (path, method) in {("/api/feeds", "get"),
                                                                        ("/api/options", "get")}, (path, method)
            for code, response in operation["responses"].items():
                if code != "200":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": error_ref}, (path, method, code)
    start = spec["paths"]["/api/feeds/{camera_code}/start"]["post"]["responses"]
    assert {"403", "404", "409", "429", "503"} <= set(start)
    # a body FastAPI refuses answers in the same shape as every other error
    bad = relay.put("/api/feeds/JB-0002", headers=AUTH, json={"mode": "sometimes"})
    assert bad.status_code == 422 and isinstance(bad.json()["detail"], str)
    assert "body.mode" in bad.json()["detail"] and set(bad.json()) == {"detail"}
