"""`noblindspot import ...` / `export ...`: exit codes, messages and reports, on the real database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from db.engine import make_engine, make_session_factory
from db.models import Camera
from db.repositories import data_version
from noblindspot.cli import cli

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "registry"


@pytest.fixture
def run(database_url):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), env={"NOBLINDSPOT_DATABASE_URL": database_url}, catch_exceptions=False)
    return invoke


def camera_state(session_factory):
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(Camera)), data_version(s)


def test_import_cameras_prints_counts_and_is_idempotent(run, session_factory):
    first = run("import", "cameras", str(FIXTURES / "cameras_id.csv"))
    assert first.exit_code == 0, first.output
    assert "3 rows: added 3, updated 0, unchanged 0, rejected 0" in first.output
    assert "owners: added 3" in first.output
    again = run("import", "cameras", str(FIXTURES / "cameras_id.csv"))
    assert "added 0, updated 0, unchanged 3, rejected 0" in again.output
    assert camera_state(session_factory)[0] == 3


def test_invalid_rows_exit_2_with_report_and_advice(run, session_factory, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,lat,lon,stream_url\nA,-6.15,106.75,http://admin:Secret9@cam/x\nB,abc,106.75,\n")
    before = camera_state(session_factory)
    result = run("import", "cameras", str(bad))
    assert result.exit_code == 2
    assert "2 of 2 rows are invalid; nothing was written" in result.output
    assert "line 3, lat = 'abc': not a number" in result.output
    assert "--skip-invalid" in result.output and str(tmp_path / "bad.report.csv") in result.output
    assert "Secret9" not in result.output and "Secret9" not in (tmp_path / "bad.report.csv").read_text()
    assert camera_state(session_factory) == before


def test_skip_invalid_exits_0_and_counts_rejected(run, session_factory, tmp_path):
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("code,lat,lon\nA,-6.15,106.75\nB,-6.15,999\n")
    report = tmp_path / "r.csv"
    result = run("import", "cameras", str(mixed), "--skip-invalid", "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "added 1, updated 0, unchanged 0, rejected 1" in result.output and report.exists()


def test_unreadable_file_exits_1_with_a_hint(run, tmp_path):
    result = run("import", "cameras", str(tmp_path / "missing.csv"))
    assert result.exit_code == 1 and "no such file" in result.output
    headerless = tmp_path / "h.csv"
    headerless.write_text("code,name\nA,B\n")
    result = run("import", "cameras", str(headerless))
    assert result.exit_code == 1 and "no 'lon' column" in result.output


def test_export_and_reimport(run, tmp_path):
    run("import", "cameras", str(FIXTURES / "cameras_id.csv"))
    out = tmp_path / "cams.csv"
    result = run("export", "cameras", str(out))
    assert result.exit_code == 0 and "exported 3 cameras" in result.output
    assert "rahasia" not in out.read_text(encoding="utf-8-sig")
    again = run("import", "cameras", str(out))
    assert "added 0, updated 0, unchanged 3" in again.output
    bad = run("export", "cameras", str(tmp_path / "cams.pdf"))
    assert bad.exit_code == 1 and ".csv, .geojson or .gpkg" in bad.output


@pytest.mark.realdata
def test_boundaries_command(run, shared_data):
    result = run("import", "boundaries", str(shared_data / "jakbar_kecamatan.geojson"), "--level", "kecamatan")
    assert result.exit_code == 0, result.output
    assert "8 kecamatan features" in result.output and "added 8" in result.output
    result = run("import", "boundaries", str(shared_data / "jakbar_kelurahan.geojson"), "--level", "kelurahan",
                 "--parent-field", "kecamatan")
    assert result.exit_code == 0 and "added 57" in result.output and "no matching kecamatan" not in result.output


def test_posts_owners_layer_commands(run, tmp_path):
    owners = tmp_path / "o.csv"
    owners.write_text("nama,kelas\nToko Sinar,swasta\n")
    assert "added 1" in run("import", "owners", str(owners)).output
    posts = tmp_path / "p.csv"
    posts.write_text("code,name,kind,lat,lon,personnel\nP1,Pos A,pos,-6.15,106.75,12\n")
    assert "added 1" in run("import", "posts", str(posts)).output
    units = tmp_path / "u.csv"
    units.write_text("callsign,post_code,headcount\nU1,P1,2\n")
    assert "added 1" in run("import", "duty-units", str(units)).output
    layer = tmp_path / "l.geojson"
    layer.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Pasar",'
                     '"weight":2},"geometry":{"type":"Polygon","coordinates":[[[106.7,-6.2],[106.71,-6.2],'
                     '[106.71,-6.19],[106.7,-6.2]]]}}]}')
    result = run("import", "layer", str(layer), "--name", "priority")
    assert result.exit_code == 0 and "layer 'priority': added 1" in result.output


def test_installed_command_end_to_end(database_url, tmp_path):
    exe = Path(sys.executable).with_name("noblindspot")
    env = {**os.environ, "NOBLINDSPOT_DATABASE_URL": database_url}
    ok = subprocess.run([str(exe), "import", "cameras", str(FIXTURES / "cameras_id.csv")], env=env,
                        capture_output=True, text=True, timeout=120, check=False)
    assert ok.returncode == 0 and "added 3" in ok.stdout
    bad = tmp_path / "b.csv"
    bad.write_text("code,lat,lon\nA,-6.15,x\n")
    failed = subprocess.run([str(exe), "import", "cameras", str(bad)], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert failed.returncode == 2 and "nothing was written" in failed.stderr
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as s:
            assert s.scalar(select(func.count()).select_from(Camera)) == 3
    finally:
        engine.dispose()


def test_command_line_imports_are_audited_as_the_system_user(run, session_factory, tmp_path):
    """Issue 12: CLI imports wrote no audit event (the dashboard's did)."""
    import getpass

    from db.models import AuditEvent

    assert run("import", "cameras", str(FIXTURES / "cameras_id.csv")).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("code,lon,lat\nX1,200,-6.1\n", encoding="utf-8")
    assert run("import", "cameras", str(bad)).exit_code == 2             # nothing written: nothing audited
    with session_factory() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "registry_import")).all()
    assert [(e.actor, e.target) for e in events] == [(f"cli:{getpass.getuser()}", "cameras_id.csv")]
    assert events[0].detail == {"kind": "cameras", "added": 3, "updated": 0, "unchanged": 0, "rejected": 0}
