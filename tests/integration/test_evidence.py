"""Footage hand-over on the real databases with real files: links, receive (accepted and refused),
status moving to received by itself, finish, replay, expiry, revoke and download."""
from __future__ import annotations

import shutil
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db import evidence
from db.audit import AuditAction
from db.evidence_store import EvidenceStore, sha256_of
from db.footage import change_status, history, request_footage
from db.incidents import IncidentInput, create_incident, set_incident_status
from db.models import AuditEvent
from db.models_evidence import EvidenceFile, FootageUploadLink
from db.models_ops import FootageRequest
from db.users import Actor, PermissionDenied
from geo.media_info import EvidenceVerdict
from geo.urgency import FootageStatus
from geo.vocabulary import Role
from tests.support.media_files import make_audio_only, make_video
from tests.support.ops_registry import POINT, seed_registry

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
EVENT = datetime(2026, 11, 21, 15, 15, tzinfo=UTC)
COMMANDER = Actor("budi", Role.COMMANDER, "AKP Budi Santoso")
BRIEFING = Actor("tv", Role.BRIEFING)


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> Path:
    return make_video(tmp_path_factory.mktemp("media") / "dvr.mp4")


@pytest.fixture
def store(tmp_path) -> EvidenceStore:
    store = EvidenceStore(tmp_path / "evidence")
    store.ensure()
    return store


@pytest.fixture
def request_id(session_factory) -> int:
    with session_factory.begin() as s:
        seed_registry(s)
        code = create_incident(s, COMMANDER, IncidentInput(EVENT, "robbery", lon=POINT[0], lat=POINT[1]),
                               now=NOW).code
        return request_footage(s, COMMANDER, code, ["CAM-WEEK"], now=NOW).created[0].id


def _link(session_factory, request_id, hours=72, now=NOW) -> tuple[int, str]:
    with session_factory.begin() as s:
        link, token = evidence.create_upload_link(s, COMMANDER, request_id, hours=hours, now=now)
        return link.id, token


def _stage(store: EvidenceStore, source: Path, request_id: int) -> Path:
    staged = store.new_staging_file(request_id)
    shutil.copyfile(source, staged)
    return staged


def _receive(session_factory, store, link_id, source, name, request_id, now=NOW):
    staged = _stage(store, source, request_id)
    with session_factory.begin() as s:
        row = evidence.receive_file(s, link_id, staged, name, "203.0.113.7", store, now=now)
        return row.id, EvidenceVerdict(row.verdict), row.stored_path, staged


def test_link_token_is_only_stored_hashed_and_opens_the_grant(session_factory, request_id):
    link_id, token = _link(session_factory, request_id)
    with session_factory() as s:
        link = s.get(FootageUploadLink, link_id)
        assert link.token_hash == evidence.token_hash(token) and token not in link.token_hash
        assert link.expires_at == NOW + timedelta(hours=72) and link.closed_at is None
        grant = evidence.open_link(s, token, NOW + timedelta(hours=1))
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.UPLOAD_LINK_CREATED.value))
    assert grant.request_id == request_id and grant.camera_code == "CAM-WEEK"
    assert grant.owner_name == "Toko =Maju" and grant.files_received == 0 and grant.max_files == 20
    assert grant.case_code.startswith("INC-") and grant.expires_at == NOW + timedelta(hours=72)
    assert event.actor == "budi" and event.target == f"{grant.case_code}/request-{request_id}"
    assert token not in str(event.detail)


def test_real_video_is_accepted_read_only_and_moves_the_request_to_received(session_factory, request_id,
                                                                            store, video):
    link_id, token = _link(session_factory, request_id)
    file_id, verdict, stored, staged = _receive(session_factory, store, link_id, video, "../../DVR 01.MP4",
                                                request_id, NOW + timedelta(minutes=5))
    sha, size = sha256_of(video)
    assert verdict is EvidenceVerdict.ACCEPTED and not staged.exists()
    assert stored == f"files/{request_id}/{file_id}_{sha[:12]}.mp4"
    path = store.path_of(stored)
    assert sha256_of(path) == (sha, size)
    assert stat.S_IMODE(path.stat().st_mode) == 0o440 and stat.S_IMODE(path.parent.stat().st_mode) == 0o750
    with session_factory() as s:
        row = s.get(EvidenceFile, file_id)
        assert row.original_name == "DVR 01.MP4" and row.video_codec == "h264"
        assert (row.width, row.height) == (320, 240) and row.duration_s == pytest.approx(2.0, abs=0.2)
        assert row.media_start == datetime(2026, 11, 21, 15, 10, tzinfo=UTC)
        assert row.media_end == row.media_start + timedelta(seconds=row.duration_s)
        assert row.received_from == f"owner link #{link_id} (Toko =Maju)" and row.client_address == "203.0.113.7"
        assert s.get(FootageRequest, request_id).status == FootageStatus.RECEIVED
        last = history(s, COMMANDER, request_id)[-1]
        assert (last.actor, last.to_status, last.note) == (f"owner-link:{link_id}", FootageStatus.RECEIVED,
                                                           "uploaded by owner via link")
        received = s.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.EVIDENCE_RECEIVED.value))
        assert received.detail["sha256"] == sha and received.detail["size"] == size
        assert evidence.open_link(s, token, NOW).files_received == 1
    # a second accepted file leaves the status alone (one history entry for received)
    _receive(session_factory, store, link_id, video, "dvr2.mp4", request_id)
    with session_factory() as s:
        assert [e.to_status for e in history(s, COMMANDER, request_id)].count(FootageStatus.RECEIVED) == 1


def test_text_renamed_mp4_and_audio_only_are_refused_and_kept_in_quarantine(session_factory, request_id,
                                                                            store, tmp_path):
    link_id, _ = _link(session_factory, request_id)
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video, only a text file renamed\n")
    file_id, verdict, stored, _ = _receive(session_factory, store, link_id, fake, "rekaman.mp4", request_id)
    assert verdict is EvidenceVerdict.REFUSED and stored.startswith(f"quarantine/{request_id}/{file_id}_")
    assert store.path_of(stored).read_bytes() == fake.read_bytes()
    audio_id, audio_verdict, _, _ = _receive(session_factory, store, link_id, make_audio_only(tmp_path / "a.wav"),
                                             "a.wav", request_id)
    with session_factory() as s:
        assert s.get(EvidenceFile, file_id).refusal_reason == "not_media"
        assert audio_verdict is EvidenceVerdict.REFUSED and s.get(EvidenceFile, audio_id).refusal_reason == "no_video"
        assert s.get(FootageRequest, request_id).status == FootageStatus.REQUESTED   # nothing usable arrived
        refused = s.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.EVIDENCE_REFUSED.value)).all()
        assert [e.detail["reason"] for e in refused] == ["not_media", "no_video"]


def test_finish_closes_the_link_and_a_replay_is_closed(session_factory, request_id, store, video):
    link_id, token = _link(session_factory, request_id)
    with session_factory.begin() as s:
        evidence.finish_link(s, token, NOW + timedelta(hours=1))
    with session_factory() as s:
        assert s.get(FootageUploadLink, link_id).closed_reason == "finished"
        with pytest.raises(evidence.LinkClosed) as refused:
            evidence.open_link(s, token, NOW + timedelta(hours=2))
        assert refused.value.reason == "closed"
    staged = _stage(store, video, request_id)
    with pytest.raises(evidence.LinkClosed), session_factory.begin() as s:
        evidence.receive_file(s, link_id, staged, "late.mp4", None, store, now=NOW + timedelta(hours=2))
    assert staged.exists()          # refused before anything moved: the HTTP side still holds it
    with pytest.raises(evidence.LinkClosed), session_factory.begin() as s:
        evidence.finish_link(s, token, NOW + timedelta(hours=2))


def test_expired_unknown_and_replaced_links_are_refused_with_reason_codes(session_factory, request_id):
    first_id, first = _link(session_factory, request_id, hours=1)
    with session_factory() as s:
        with pytest.raises(evidence.LinkExpired) as expired:
            evidence.open_link(s, first, NOW + timedelta(hours=1))
        with pytest.raises(evidence.LinkUnknown) as unknown:
            evidence.open_link(s, first[:-2] + "xx", NOW)
    assert (expired.value.reason, unknown.value.reason) == ("expired", "unknown")
    assert isinstance(expired.value, evidence.LinkRefused)
    _, second = _link(session_factory, request_id)
    with session_factory() as s:
        assert s.get(FootageUploadLink, first_id).closed_reason == "replaced"
        with pytest.raises(evidence.LinkClosed):
            evidence.open_link(s, first, NOW)
        assert evidence.open_link(s, second, NOW).request_id == request_id


def test_links_are_refused_for_finished_requests_closed_incidents_and_other_roles(session_factory, request_id):
    with session_factory.begin() as s, pytest.raises(PermissionDenied):
        evidence.create_upload_link(s, BRIEFING, request_id, now=NOW)
    with session_factory.begin() as s, pytest.raises(evidence.EvidenceError, match="between 1 and"):
        evidence.create_upload_link(s, COMMANDER, request_id, hours=0, now=NOW)
    with session_factory.begin() as s:
        code = s.get(FootageRequest, request_id).incident.code
        set_incident_status(s, COMMANDER, code, "closed")
    with session_factory.begin() as s, pytest.raises(evidence.EvidenceError, match="is closed: re-open it"):
        evidence.create_upload_link(s, COMMANDER, request_id, now=NOW)
    with session_factory.begin() as s:
        set_incident_status(s, COMMANDER, code, "open")
        change_status(s, COMMANDER, request_id, FootageStatus.UNAVAILABLE, now=NOW)
    with session_factory.begin() as s, pytest.raises(evidence.EvidenceError, match="already 'unavailable'"):
        evidence.create_upload_link(s, COMMANDER, request_id, now=NOW)


def test_revoke_and_the_file_limit(session_factory, request_id, store, video):
    with session_factory.begin() as s:
        link, token = evidence.create_upload_link(s, COMMANDER, request_id, max_files=1, now=NOW)
        link_id = link.id
    _receive(session_factory, store, link_id, video, "one.mp4", request_id)
    staged = _stage(store, video, request_id)
    with pytest.raises(evidence.LinkFull), session_factory.begin() as s:
        evidence.receive_file(s, link_id, staged, "two.mp4", None, store, now=NOW)
    with session_factory.begin() as s:
        evidence.revoke_link(s, COMMANDER, link_id, now=NOW)
    with session_factory() as s, pytest.raises(evidence.LinkClosed, match="revoked"):
        evidence.open_link(s, token, NOW)
    with session_factory.begin() as s, pytest.raises(evidence.EvidenceError, match="already closed"):
        evidence.revoke_link(s, COMMANDER, link_id, now=NOW)


def test_a_rolled_back_receive_leaves_no_file_in_the_store_without_a_row(session_factory, request_id, store,
                                                                         video):
    link_id, _ = _link(session_factory, request_id)
    staged = _stage(store, video, request_id)
    with pytest.raises(RuntimeError), session_factory.begin() as s:
        row = evidence.receive_file(s, link_id, staged, "dvr.mp4", None, store, now=NOW)
        moved = store.path_of(row.stored_path)
        assert moved.exists()
        raise RuntimeError("the commit never happens")
    assert not moved.exists() and not staged.exists()
    aside = list((store.quarantine / "unrecorded").iterdir())
    assert len(aside) == 1 and sha256_of(aside[0]) == sha256_of(video)
    with session_factory() as s:
        assert s.scalars(select(EvidenceFile)).all() == []


def test_list_and_download_are_audited_with_the_purpose(session_factory, request_id, store, video):
    link_id, _ = _link(session_factory, request_id)
    file_id, _, stored, _ = _receive(session_factory, store, link_id, video, "dvr.mp4", request_id)
    with session_factory.begin() as s:
        code = s.get(FootageRequest, request_id).incident.code
        rows = evidence.list_evidence(s, COMMANDER, incident=code)
        assert [r.id for r in rows] == [file_id] == [r.id for r in evidence.list_evidence(s, COMMANDER, request_id)]
        assert rows[0].camera_code == "CAM-WEEK" and rows[0].verdict is EvidenceVerdict.ACCEPTED
        with pytest.raises(evidence.EvidenceError, match="purpose"):
            evidence.open_evidence_file(s, COMMANDER, file_id, store, "  ")
        path = evidence.open_evidence_file(s, COMMANDER, file_id, store, f"case:{code}")
    assert path == store.path_of(stored) and sha256_of(path) == sha256_of(video)
    with session_factory() as s:
        download = s.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.EVIDENCE_DOWNLOAD.value))
    assert download.detail["purpose"] == f"case:{code}" and download.detail["file"] == file_id


def test_a_receive_never_committed_is_set_aside_too(session_factory, request_id, store, video):
    link_id, _ = _link(session_factory, request_id)
    staged = _stage(store, video, request_id)
    with session_factory() as s:          # the caller forgets to commit: closing rolls back
        moved = store.path_of(evidence.receive_file(s, link_id, staged, "dvr.mp4", None, store, now=NOW).stored_path)
    assert not moved.exists() and len(list((store.quarantine / "unrecorded").iterdir())) == 1
    with session_factory() as s:
        assert s.scalars(select(EvidenceFile)).all() == []
