"""The case bundle on the real databases with real video: what it holds, that it verifies, that a
changed byte, a missing or an added member is named, and the `noblindspot evidence` commands."""
from __future__ import annotations

import json
import os
import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from db import evidence
from db.audit import AuditAction
from db.case_bundle import NotABundle, build_case_bundle, verify_bundle
from db.evidence_store import EvidenceStore, sha256_of
from db.footage import request_footage
from db.incidents import IncidentInput, create_incident
from db.models import AppUser, AuditEvent
from db.models_evidence import FootageUploadLink
from db.models_ops import FootageRequest
from db.users import Actor
from geo.urgency import FootageStatus
from geo.vocabulary import Role
from noblindspot.cli import cli
from tests.support.media_files import make_video
from tests.support.ops_registry import POINT, seed_registry

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
EVENT = datetime(2026, 11, 21, 15, 15, tzinfo=UTC)
COMMANDER = Actor("budi", Role.COMMANDER, "AKP Budi Santoso")


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> Path:
    return make_video(tmp_path_factory.mktemp("media") / "dvr.mp4")


@pytest.fixture
def store(tmp_path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


def _hand_over(session_factory, store, request_id, source: Path, name: str) -> None:
    staged = store.new_staging_file(request_id)
    shutil.copyfile(source, staged)
    with session_factory.begin() as s:
        link_id = s.scalar(select(FootageUploadLink.id).where(
            FootageUploadLink.request_id == request_id, FootageUploadLink.closed_at.is_(None)))
        evidence.receive_file(s, link_id, staged, name, "198.51.100.4", store, now=NOW + timedelta(minutes=3))


@pytest.fixture
def case(session_factory, store, video, tmp_path) -> str:
    """An incident with two requests: one owner sent a video and a text file, the other nothing."""
    with session_factory.begin() as s:
        seed_registry(s)
        s.add(AppUser(username="budi", role=Role.COMMANDER, display_name="AKP Budi Santoso"))
        code = create_incident(s, COMMANDER, IncidentInput(EVENT, "robbery", lon=POINT[0], lat=POINT[1]),
                               now=NOW).code
        request_id = request_footage(s, COMMANDER, code, ["CAM-WEEK", "CAM-TWO"], now=NOW).created[0].id
        evidence.create_upload_link(s, COMMANDER, request_id, now=NOW)
    _hand_over(session_factory, store, request_id, video, "CH01.mp4")
    text = tmp_path / "note.mp4"
    text.write_text("not a video")
    _hand_over(session_factory, store, request_id, text, "note.mp4")
    return code


def _bundle(session_factory, store, code, out: Path) -> Path:
    with session_factory.begin() as s:
        build_case_bundle(s, COMMANDER, code, store, out, f"case:{code}", now=NOW + timedelta(hours=1))
    return out


def test_bundle_holds_files_letters_audit_and_a_manifest_that_verifies(session_factory, store, case, video,
                                                                       tmp_path):
    out = _bundle(session_factory, store, case, tmp_path / "bundle.zip")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist())
        [video_name] = [n for n in names if n.startswith("files/")]
        assert zf.getinfo(video_name).compress_type == zipfile.ZIP_STORED
        audit_lines = [json.loads(line) for line in zf.read("audit.jsonl").decode().splitlines()]
        letters = sorted(n for n in names if n.startswith("letters/"))
        letter = zf.read(letters[0]).decode()
    assert not any(n.startswith("quarantine") for n in names) and {"README.txt", "audit.jsonl"} <= names
    assert manifest["incident"]["code"] == case and manifest["purpose"] == f"case:{case}"
    assert manifest["generated_by"] == "budi"
    [entry] = manifest["files"]
    assert (entry["path"], entry["sha256"], entry["size_bytes"]) == (video_name, *sha256_of(video))
    assert entry["media_start"] == "2026-11-21T15:10:00+00:00" and entry["duration_s"] == pytest.approx(2, abs=.2)
    assert entry["original_name"] == "CH01.mp4" and entry["received_from"].startswith("owner link #")
    [refused] = manifest["refused"]
    assert (refused["original_name"], refused["reason"]) == ("note.mp4", "not_media")
    assert len(letters) == 2 and "AKP Budi Santoso" in letter and case in letter
    actions = [line["action"] for line in audit_lines]
    assert {"incident_create", "footage_request", "upload_link_created", "evidence_received",
            "evidence_refused", "footage_status"} <= set(actions)
    assert all(line["hash"] for line in audit_lines)
    assert manifest["audit_chain"]["last_hash"] and manifest["audit_chain"]["events"] >= len(audit_lines)
    verdict = verify_bundle(out)
    assert verdict.ok and verdict.checked == len(manifest["files"]) + len(manifest["members"]) == 5
    with session_factory() as s:
        export = s.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.EVIDENCE_BUNDLE_EXPORT.value))
    assert export.target == case and export.detail["purpose"] == f"case:{case}"
    with zipfile.ZipFile(out) as zf:
        assert export.detail["manifest_sha256"] == __import__("hashlib").sha256(zf.read("manifest.json")).hexdigest()


def test_one_changed_byte_in_a_video_is_named(session_factory, store, case, tmp_path):
    out = _bundle(session_factory, store, case, tmp_path / "bundle.zip")
    with zipfile.ZipFile(out) as zf:
        [info] = [i for i in zf.infolist() if i.filename.startswith("files/")]
    data = bytearray(out.read_bytes())
    # the member's data starts after its local header (30 bytes + name + extra field)
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    at = info.header_offset + 30 + name_len + extra_len + 1000
    data[at] ^= 0x01
    out.write_bytes(bytes(data))
    verdict = verify_bundle(out)
    assert not verdict.ok and verdict.altered == [info.filename] and not verdict.missing and not verdict.unlisted


def _rewrite(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info, data)
        if change("EXTRA", None) is not None:
            new.writestr("files/extra.mp4", change("EXTRA", None))
    return target


def test_altered_missing_and_unlisted_members_are_named(session_factory, store, case, tmp_path):
    out = _bundle(session_factory, store, case, tmp_path / "bundle.zip")
    edited = _rewrite(out, tmp_path / "edited.zip",
                      lambda name, data: data.replace(b"Hormat kami", b"Hormat kita") if name.startswith("letters/")
                      else data)
    verdict = verify_bundle(edited)
    assert len(verdict.altered) == 2 and all(n.startswith("letters/") for n in verdict.altered)
    cut = _rewrite(out, tmp_path / "cut.zip", lambda name, data: None if name == "audit.jsonl" else data)
    assert verify_bundle(cut).missing == ["audit.jsonl"]
    added = _rewrite(out, tmp_path / "added.zip", lambda name, data: b"planted" if name == "EXTRA" else data)
    verdict = verify_bundle(added)
    assert verdict.unlisted == ["files/extra.mp4"] and not verdict.altered and not verdict.ok


def test_not_a_bundle(tmp_path):
    text = tmp_path / "x.zip"
    text.write_text("hello")
    with pytest.raises(NotABundle):
        verify_bundle(text)
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("a.txt", "a")
    with pytest.raises(NotABundle, match="no manifest"):
        verify_bundle(plain)


def test_a_stored_file_changed_since_it_was_received_stops_the_bundle(session_factory, store, case, tmp_path):
    [row] = [r for r in evidence.list_evidence(session_factory(), COMMANDER, incident=case)
             if r.verdict == "accepted"]
    path = store.path_of(row.stored_path)
    os.chmod(path, 0o640)
    with open(path, "r+b") as handle:
        handle.seek(500)
        handle.write(b"\x00")
    out = tmp_path / "bundle.zip"
    with pytest.raises(evidence.EvidenceError, match="no longer matches"), session_factory.begin() as s:
        build_case_bundle(s, COMMANDER, case, store, out, f"case:{case}", now=NOW)
    assert list(tmp_path.glob("*.zip")) == [] and list(tmp_path.glob(".bundle.zip.*")) == []


def test_cli_link_bundle_and_verify(session_factory, store, case, database_url, tmp_path):
    runner = CliRunner()
    env = {"NOBLINDSPOT_DATABASE_URL": database_url, "NOBLINDSPOT_EVIDENCE_DIR": str(store.root)}
    with session_factory() as s:     # the request whose owner sent nothing yet (the other is received)
        request_id = s.scalar(select(FootageRequest.id).where(FootageRequest.status == FootageStatus.REQUESTED))
    link = runner.invoke(cli, ["evidence", "link", str(request_id)], env=env, catch_exceptions=False)
    assert link.exit_code == 0, link.output
    token = link.stdout.strip().removeprefix("/intake/")
    assert link.stdout.startswith("/intake/") and "shown only this once" in link.stderr
    with session_factory() as s:
        assert evidence.open_link(s, token).request_id == request_id
    out = tmp_path / "case.zip"
    made = runner.invoke(cli, ["evidence", "bundle", case, "--out", str(out), "--purpose", "prosecutor request"],
                         env=env, catch_exceptions=False)
    assert made.exit_code == 0 and "1 files, 1 refused" in made.output, made.output
    good = runner.invoke(cli, ["evidence", "verify", str(out)], env=env)
    assert good.exit_code == 0 and "all 5 listed members match" in good.output
    bad = runner.invoke(cli, ["evidence", "verify", str(_rewrite(out, tmp_path / "bad.zip", lambda n, d: (
        d + b"x" if n == "README.txt" else d)))], env=env)
    assert bad.exit_code == 1 and "altered: README.txt" in bad.stderr
    text = tmp_path / "nope.zip"
    text.write_text("nope")
    assert runner.invoke(cli, ["evidence", "verify", str(text)], env=env).exit_code == 2
    closed = runner.invoke(cli, ["evidence", "link", "99999"], env=env)
    assert closed.exit_code == 1 and "no footage request 99999" in closed.output
