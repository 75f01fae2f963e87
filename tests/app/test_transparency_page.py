"""The transparency report page (AppTest, real database): admins only; the report of the month is
computed from the ledger with small numbers suppressed, in the chosen language, and making it is
audited."""
# ruff: noqa: F811 - tests take the shared app_env fixture imported from test_roles
from __future__ import annotations

from sqlalchemy import select

from dashboard.i18n import now_local
from db import audit
from db.models import AuditEvent
from geo.vocabulary import Role
from tests.app.test_roles import app_env, signed_in  # noqa: F401 - the fixture is used by name


def test_an_admin_makes_the_months_report_from_the_ledger(app_env):
    with app_env.begin() as s:
        for _i in range(12):
            audit.record(s, "rina", audit.AuditAction.LIVE_VIEW, target="CAM-LIVE",
                         detail={"purpose": "reason:patrol_monitoring"})
        audit.record(s, "rina", audit.AuditAction.CONSENT_CHANGE, target="CAM-WEEK", detail={"kind": "lowered"})
    page = signed_in(Role.ADMIN, "transparency", lang="id").run()
    assert not page.exception, page.exception
    assert page.title[0].value == "Laporan transparansi"
    month = now_local().strftime("%Y-%m")
    assert page.selectbox(key="transparency_month").value == month
    page = page.button(key="transparency_make").click().run()
    assert not page.exception, page.exception
    html = page.session_state["transparency_report_html"][2]
    assert "<td>Pemantauan patroli</td><td>12</td><td>&lt;10</td>" in html        # 12 views of 1 camera
    assert "Perubahan persetujuan pemilik" in html and 'lang="id"' in html
    with app_env() as s:
        made = s.scalars(select(AuditEvent).where(AuditEvent.action == "audit_export")).all()
    assert [e.target for e in made] == [f"transparency:{month}"] and made[0].actor == "sari"
    page.radio(key="transparency_lang").set_value("en")
    page = page.button(key="transparency_make").click().run()
    assert "<td>Patrol monitoring</td>" in page.session_state["transparency_report_html"][2]


def test_a_commander_cannot_open_the_report(app_env):
    page = signed_in(Role.COMMANDER, "transparency").run()
    assert not page.get("iframe")
    assert not [b for b in page.button if b.key == "transparency_make"]
