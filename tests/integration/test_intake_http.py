"""The owner's upload link over HTTP (tus on FastAPI's TestClient) on the real database and real
ffprobe: a resumed upload of a real video arrives hashed and marks the request received; a file
that is not video is refused and kept aside; an oversized upload is refused before any byte; an
expired, closed (replayed) or foreign link opens nothing."""
from __future__ import annotations

import base64
import hashlib
import logging
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from db import evidence
from db.evidence_store import EvidenceStore
from db.feeds import LeasePolicy
from db.footage import request_footage
from db.incidents import IncidentInput, create_incident
from db.models_ops import FootageRequest
from db.users import Actor
from geo.urgency import FootageStatus
from geo.vocabulary import Role
from relay.api import ApiSettings, create_app
from relay.intake import IntakeSettings, sweep_staging
from relay.manager import FeedManager, ManagerConfig
from tests.support.manager import FakeSupervisorFactory
from tests.support.ops_registry import POINT, seed_registry

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
COMMANDER = Actor("budi", Role.COMMANDER)
TUS = {"Tus-Resumable": "1.0.0"}
LIMIT = 3 * 1024 * 1024


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """A real 2 s H.264 MP4 with a creation time, as a DVR export would carry."""
    out = tmp_path_factory.mktemp("video") / "dvr export 01.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10",
                    "-c:v", "libx264", "-g", "10", "-pix_fmt", "yuv420p",
                    "-metadata", "creation_time=2026-11-21T20:40:00Z", str(out)], check=True)
    return out


@pytest.fixture
def world(session_factory, tmp_path):
    clock = Clock()
    with session_factory.begin() as s:
        seed_registry(s)
        code = create_incident(s, COMMANDER, IncidentInput(NOW - timedelta(hours=6), "robbery",
                                                           lon=POINT[0], lat=POINT[1]), now=NOW).code
        outcome = request_footage(s, COMMANDER, code, ["CAM-WEEK", "CAM-TWO"], now=NOW)
        first, second = (r.id for r in outcome.created)
        _, token = evidence.create_upload_link(s, COMMANDER, first, now=NOW)
        _, other = evidence.create_upload_link(s, COMMANDER, second, now=NOW)
    store = EvidenceStore(tmp_path / "evidence", max_bytes=LIMIT)
    config = ManagerConfig(node_id="node-a", public_url="http://relay-a.test:8787", runtime_dir=tmp_path / "rt",
                           max_feeds=3, max_transcodes=1, lease=LeasePolicy(single_node=True))
    manager = FeedManager(session_factory, config, FakeSupervisorFactory(runtime_dir=tmp_path / "rt"))
    app = create_app(manager, ApiSettings(operator_token=SecretStr("operator-secret-for-tests"),
                                          hls_secret=SecretStr("hls-secret-for-tests-0123456789")),
                     intake=IntakeSettings(store=store, clock=clock))
    with TestClient(app) as client:
        yield {"client": client, "token": token, "other": other, "request": first, "store": store,
               "clock": clock, "sessions": session_factory}
    manager.shutdown()


def _metadata(name: str) -> str:
    return "filename " + base64.b64encode(name.encode()).decode()


def _create(client, token, data: bytes, name: str):
    return client.post(f"/intake/{token}/files", headers={**TUS, "Upload-Length": str(len(data)),
                                                           "Upload-Metadata": _metadata(name)})


def _patch(client, location, offset: int, chunk: bytes):
    return client.patch(location, content=chunk, headers={**TUS, "Upload-Offset": str(offset),
                                                          "Content-Type": "application/offset+octet-stream"})


def _status(sessions, request_id):
    with sessions() as s:
        return s.get(FootageRequest, request_id).status


def test_page_and_info_show_the_request_and_nothing_else(world):
    client, token = world["client"], world["token"]
    page = client.get(f"/intake/{token}")
    assert page.status_code == 200 and 'lang="id"' in page.text and "Kirim rekaman CCTV" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    info = client.get(f"/intake/{token}/info").json()
    assert info["case_code"].startswith("JB-") or info["case_code"]
    assert info["files"] == [] and info["max_upload_bytes"] == LIMIT
    assert datetime.fromisoformat(info["expires_at"]) == NOW + timedelta(hours=72)
    assert set(info) == {"case_code", "camera_name", "window_start", "window_end", "expires_at", "max_files",
                         "files", "max_upload_bytes", "chunk_bytes"}
    # the operator API is not opened by an upload link
    assert client.get("/api/feeds", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_resumed_upload_arrives_hashed_and_marks_the_request_received(world, video, caplog):
    caplog.set_level(logging.DEBUG)
    client, token, sessions = world["client"], world["token"], world["sessions"]
    data = video.read_bytes()
    created = _create(client, token, data, video.name)
    assert created.status_code == 201
    location = created.headers["location"]
    half = len(data) // 2
    assert _patch(client, location, 0, data[:half]).headers["upload-offset"] == str(half)
    # the phone lost its connection: it asks where to go on, and a wrong offset is refused
    assert client.head(location, headers=TUS).headers["upload-offset"] == str(half)
    wrong = _patch(client, location, 0, data[:10])
    assert wrong.status_code == 409 and wrong.json()["reason"] == "offset"
    assert _status(sessions, world["request"]) == FootageStatus.REQUESTED
    done = _patch(client, location, half, data[half:])
    assert done.status_code == 204 and done.headers["evidence-verdict"] == "accepted"
    assert _status(sessions, world["request"]) == FootageStatus.RECEIVED
    info = client.get(f"/intake/{token}/info").json()
    (received,) = info["files"]
    assert received["sha256"] == hashlib.sha256(data).hexdigest() and received["size_bytes"] == len(data)
    assert received["name"] == video.name
    stored = list((world["store"].root / "files").rglob("*.mp4"))
    assert len(stored) == 1 and hashlib.sha256(stored[0].read_bytes()).hexdigest() == received["sha256"]
    assert not list(world["store"].staging.glob("*.part"))          # nothing left half-way
    assert client.head(location, headers=TUS).status_code == 404    # the upload is over
    # the test client (httpx) logs its own URLs; the product must not
    product_log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "received" in product_log and token not in product_log


def test_a_file_that_is_not_video_is_refused_and_kept_aside(world):
    client, token = world["client"], world["token"]
    data = b"this is a spreadsheet, not a recording\n" * 100
    location = _create(client, token, data, "rekaman.mp4").headers["location"]
    done = _patch(client, location, 0, data)
    assert done.status_code == 204 and done.headers["evidence-verdict"] == "refused"
    assert _status(world["sessions"], world["request"]) == FootageStatus.REQUESTED
    kept = list((world["store"].root / "quarantine").rglob("*"))
    assert any(p.is_file() and p.read_bytes() == data for p in kept)
    (refused,) = client.get(f"/intake/{token}/info").json()["files"]
    assert refused["verdict"] == "refused" and refused["sha256"] is None


def test_an_oversized_upload_is_refused_before_any_byte(world):
    client, token = world["client"], world["token"]
    response = client.post(f"/intake/{token}/files", headers={**TUS, "Upload-Length": str(LIMIT + 1)})
    assert response.status_code == 413 and response.json()["reason"] == "too_large"
    assert not list(world["store"].staging.glob("*.part"))
    location = _create(client, token, b"x" * 100, "a.mp4").headers["location"]
    over = _patch(client, location, 0, b"x" * 101)                  # more than it announced
    assert over.status_code == 413


@pytest.mark.parametrize("length", ["", "-5", "0", "１２".encode(), "12abc", "1e9"])
def test_an_upload_without_a_usable_length_is_refused(world, length):
    response = world["client"].post(f"/intake/{world['token']}/files", headers={**TUS, "Upload-Length": length})
    assert response.status_code == 400


def test_an_expired_link_opens_nothing(world, video):
    client, token = world["client"], world["token"]
    location = _create(client, token, b"x" * 100, "a.mp4").headers["location"]
    world["clock"].now = NOW + timedelta(hours=72, seconds=1)
    for response in (client.get(f"/intake/{token}/info"), _create(client, token, b"x", "b.mp4"),
                     _patch(client, location, 0, b"x" * 100), client.head(location, headers=TUS)):
        assert response.status_code == 410
    assert client.get(f"/intake/{token}/info").json()["reason"] == "expired"


def test_a_finished_link_cannot_be_replayed(world, video):
    client, token = world["client"], world["token"]
    data = video.read_bytes()
    location = _create(client, token, data, "a.mp4").headers["location"]
    _patch(client, location, 0, data)
    assert client.post(f"/intake/{token}/finish").json() == {"closed": True}
    replay = client.get(f"/intake/{token}/info")
    assert replay.status_code == 410 and replay.json()["reason"] == "closed"
    assert _create(client, token, data, "again.mp4").status_code == 410


def test_links_are_not_interchangeable(world):
    client = world["client"]
    location = _create(client, world["token"], b"x" * 100, "a.mp4").headers["location"]
    foreign = location.replace(world["token"], world["other"])
    assert client.head(foreign, headers=TUS).status_code == 404
    assert _patch(client, foreign, 0, b"x" * 100).status_code == 404
    for bad in ("nope", "A" * 43, "%2e%2e%2fapi", "x" * 200):
        assert client.get(f"/intake/{bad}/info").status_code == 404


def test_abandoned_partial_uploads_are_swept_when_their_link_can_no_longer_receive(world):
    client, token, staging = world["client"], world["token"], world["store"].staging
    kept = _create(client, world["other"], b"y" * 100, "b.mp4").headers["location"]
    gone = _create(client, token, b"x" * 100, "a.mp4").headers["location"]
    _patch(client, gone, 0, b"x" * 40)                      # the owner stopped half-way ...
    client.post(f"/intake/{token}/finish")                   # ... and then closed the link
    assert len(list(staging.glob("*.part"))) == 2
    assert sweep_staging(world["sessions"], staging, world["clock"].now) == 1
    assert [p.stem for p in staging.glob("*.part")] == [kept.rsplit("/", 1)[1]]   # the open link's upload stays
    world["clock"].now = NOW + timedelta(hours=73)            # the other link expires too
    assert sweep_staging(world["sessions"], staging, world["clock"].now) == 1
    assert not list(staging.iterdir()) or not list(staging.glob("*.part"))
