"""`noblindspot report transparency` on a seeded database: the figures come from the ledger, small
numbers are suppressed, both languages print, the audit chain's digest is on the page, and making
the report is itself audited."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from db import audit
from db.models import AuditEvent
from tests.support.dashboard import seed_database

NOVEMBER = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)      # 10:00 WIB


@pytest.fixture
def ledger(database_url, session_factory, monkeypatch, tmp_path):
    codes = seed_database(database_url)
    cameras = [*codes["healthy"], *codes["fault"], *codes["registered"]]
    with session_factory.begin() as session:
        for i in range(14):                       # 14 patrol looks at the first camera's Polsek
            audit.record(session, "operator.rina", audit.AuditAction.LIVE_VIEW, target=cameras[0],
                         detail={"purpose": "reason:patrol_monitoring"}, at=NOVEMBER.replace(minute=i))
        for i in range(3):                        # 3 looks for a case
            audit.record(session, "komandan", audit.AuditAction.LIVE_VIEW, target=cameras[1],
                         detail={"purpose": "case:INC-2026-0042"}, at=NOVEMBER.replace(hour=5, minute=i))
        for i, code in enumerate(cameras[:2]):    # two owners withdrew live consent in November
            audit.record(session, "ani", audit.AuditAction.CONSENT_CHANGE, target=code,
                         detail={"kind": "lowered", "from": "live", "to": "on_request"},
                         at=NOVEMBER.replace(hour=7, minute=i))
        audit.record(session, "komandan", audit.AuditAction.LIVE_VIEW, target=cameras[0],   # December: not counted
                     detail={"purpose": "reason:investigation"}, at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    monkeypatch.setenv("NOBLINDSPOT_DATABASE_URL", database_url)
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path / "data"))
    return session_factory


def run(*args):
    from noblindspot.cli import cli

    return CliRunner().invoke(cli, ["report", "transparency", *args])


def test_the_report_counts_the_month_suppresses_small_numbers_and_carries_the_digest(ledger, tmp_path):
    out = tmp_path / "laporan.html"
    result = run("--month", "2026-11", "--out", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Laporan transparansi CCTV No Blindspot, 2026-11" in page
    # 14 patrol views, 1 camera: <10; the 3 case views are the column's only small cell, so the 14
    # is hidden too (total 17 - 14 would give the 3 away)
    assert "<td>Pemantauan patroli</td><td>≥10</td><td>&lt;10</td>" in page
    assert "<td>Insiden (kasus)</td><td>&lt;10</td>" in page                   # 3 case views
    assert "INC-2026-0042" not in page                                         # case codes never published
    assert "Perubahan persetujuan pemilik" in page and "<th>Diturunkan atau dicabut</th>" in page
    consent = page.split("Perubahan persetujuan pemilik", 1)[1]
    assert "<td>Jumlah</td><td>0</td><td>&lt;10</td><td>0</td><td>0</td>" in consent   # 2 withdrawals: <10
    assert "<td>Jumlah</td><td></td><td>17</td>" in page                       # December's look left out
    with ledger() as session:
        digest_before_report = audit.digest(session)
        made = session.scalars(select(AuditEvent.target).where(AuditEvent.action == "audit_export")).all()
    assert made == ["transparency:2026-11"]
    # the seal on the page is the chain's hash at the time the figures were read
    assert digest_before_report.last_hash != "" and "Segel catatan audit" in page
    with ledger() as session:
        verdict = audit.verify_chain(session)
    assert verdict.ok


def test_english_and_a_bad_month(ledger, tmp_path):
    out = tmp_path / "report.html"
    assert run("--month", "2026-11", "--lang", "en", "--out", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "transparency report, 2026-11" in page and "<td>Patrol monitoring</td>" in page
    bad = run("--month", "2026-13", "--out", str(out))
    assert bad.exit_code != 0 and "is not YYYY-MM" in bad.output
    assert run("--month", "2026-11", "--out", str(tmp_path / "r.txt")).exit_code != 0


def test_a_pdf_is_printed_by_chromium(ledger, tmp_path):
    if shutil.which("chromium") is None:
        pytest.fail("Chromium is required for the PDF report (apt-get install chromium)")
    out = tmp_path / "laporan.pdf"
    result = run("--month", "2026-11", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 5000
