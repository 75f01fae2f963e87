"""Registry page (AppTest) on a real migrated database: upload with report, add/edit with messages, export."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from db.models import Camera
from tests.app.test_feeds_page import audit_events, sign_in

PAGE = str(Path(__file__).resolve().parents[2] / "dashboard/views/registry.py")
GOOD_CSV = ("kode,nama,longitude,latitude,pemilik,kelas_pemilik,jenis,arah,sudut,jangkauan,status,persetujuan,"
            "url_stream\n"
            "JB-101,Simpang Grogol,106.7901,-6.1662,Toko Maju,perusahaan,fixed,90,60,30,terdaftar,live,"
            "rtsp://admin:s3cret@10.0.0.7:554/ch1\n"
            "JB-102,Pasar Slipi,106.7975,-6.1920,Pemda,pemerintah,dome,,360,20,terhubung,live,\n")
BAD_CSV = ("kode,nama,longitude,latitude,kelas_pemilik\n"
           "JB-201,Baik,106.79,-6.17,pemerintah\n"
           "JB-202,Luar wilayah,110.50,-6.17,pemerintah\n"
           "JB-203,Kelas salah,106.79,-6.17,alien\n")


@pytest.fixture
def app_env(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("NOBLINDSPOT_DATABASE_URL", database_url)
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path / "data"))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def _run(role: str = "admin") -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.session_state["lang"] = "en"
    sign_in(app, role, f"{role}.user")
    return app.run()


def _count(session_factory) -> int:
    with session_factory() as session:
        return session.execute(select(func.count()).select_from(Camera)).scalar_one()


def _upload(app: AppTest, name: str, content: str) -> AppTest:
    app.file_uploader(key="registry_file").set_value((name, content.encode("utf-8"), "text/csv")).run()
    next(b for b in app.button if b.key == "registry_import").click().run()
    return app


def test_bad_file_is_rejected_with_the_report_and_nothing_is_written(app_env, session_factory):
    app = _upload(_run(), "kamera.csv", BAD_CSV)
    assert not app.exception, app.exception
    assert any("2 of 3 rows are invalid, so nothing was written" in e.value for e in app.error)
    report = app.dataframe[0].value
    assert sorted(set(report["Line"].astype(int))) == [3, 4]
    assert any("region" in r or "outside" in r for r in report["Reason"])
    assert [d.proto.label for d in app.get("download_button")] == ["Download the report (CSV)"]
    assert _count(session_factory) == 0


def test_good_file_is_written_and_secrets_stay_out_of_the_page(app_env, session_factory):
    app = _upload(_run(), "kamera.csv", GOOD_CSV)
    assert not app.exception, app.exception
    assert any("2 added" in s.value for s in app.success)
    assert _count(session_factory) == 2
    assert audit_events(session_factory, "registry_import")[0][1] == "kamera.csv"
    page_text = " ".join(str(e.value) for e in app.markdown) + " ".join(str(d.value) for d in app.dataframe)
    assert "s3cret" not in page_text


def test_skip_invalid_imports_the_good_rows(app_env, session_factory):
    app = _run()
    app.checkbox(key="registry_skip_invalid").check().run()
    app = _upload(app, "kamera.csv", BAD_CSV)
    assert any("1 added" in s.value for s in app.success)
    assert any("2 of 3 rows were invalid and skipped" in w.value for w in app.warning)
    assert _count(session_factory) == 1


def _form_value(app: AppTest, suffix: str):
    return next(w for w in [*app.text_input, *app.number_input] if w.key and w.key.endswith(suffix))


def _submit(app: AppTest) -> AppTest:
    return next(b for b in app.button if "FormSubmitter" in (b.id or "") or b.label == "Save camera").click().run()


def test_add_a_camera_with_validation_messages(app_env, session_factory):
    app = _run()
    _form_value(app, "_code").input("JB-301")
    _form_value(app, "_name").input("Halte Tomang")
    _form_value(app, "_lon").set_value(120.0)  # far outside West Jakarta
    _form_value(app, "_lat").set_value(-6.17)
    app = _submit(app)
    assert any(e.value.startswith("lon") or "outside" in e.value for e in app.error), [e.value for e in app.error]
    assert _count(session_factory) == 0
    _form_value(app, "_lon").set_value(106.78)
    app = _submit(app)
    assert not app.exception, app.exception
    assert any("Camera saved: 1 added" in s.value for s in app.success), [e.value for e in app.error]
    assert _count(session_factory) == 1


def test_edit_an_existing_camera_keeps_its_stream_url(app_env, session_factory):
    _upload(_run(), "kamera.csv", GOOD_CSV)
    app = _run()
    app.selectbox(key="registry_edit_code").select("JB-101").run()
    name = _form_value(app, "JB-101_name")
    assert name.value == "Simpang Grogol"
    assert _form_value(app, "JB-101_stream").value == ""   # the stored URL is never shown
    name.input("Simpang Grogol Baru")
    app = _submit(app)
    assert any("1 updated" in s.value for s in app.success), [e.value for e in app.error]
    with session_factory() as session:
        camera = session.execute(select(Camera).where(Camera.code == "JB-101")).scalar_one()
        assert camera.name == "Simpang Grogol Baru"
        assert camera.stream_url == "rtsp://admin:s3cret@10.0.0.7:554/ch1"
    assert audit_events(session_factory, "registry_edit")[-1][1] == "JB-101"


def test_export_has_the_cameras_and_no_stream_url(app_env, session_factory):
    _upload(_run(), "kamera.csv", GOOD_CSV)
    app = _run()
    next(b for b in app.button if b.key == "registry_export").click().run()
    assert any("2 cameras, without stream URLs." in c.value for c in app.caption)
    assert any(d.proto.label == "Download cameras.csv" for d in app.get("download_button"))


def test_status_tab_counts_consent_and_in_indonesian(app_env, session_factory):
    _upload(_run(), "kamera.csv", GOOD_CSV)
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.session_state["lang"] = "id"
    sign_in(app, "commander", "komandan")
    app.run()
    assert app.title[0].value == "Registri"
    assert len(app.file_uploader) == 0  # uploads and edits are for administrators
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Persetujuan: sambungan langsung"] == "2"


def test_a_new_camera_starts_registered_and_cannot_be_connected_without_live_consent(app_env, session_factory):
    """Issue 15: the form defaulted to connected with registry-only consent; connecting now needs live consent."""
    app = _run()
    choice = {w.key.rsplit("_", 1)[-1]: w for w in app.selectbox
              if w.key and w.key.endswith(("_connection", "_consent"))}
    assert choice["connection"].value == "registered"
    _form_value(app, "_code").input("JB-302")
    _form_value(app, "_lon").set_value(106.78)
    _form_value(app, "_lat").set_value(-6.17)
    choice["connection"].set_value("connected")
    app = _submit(app)
    assert any("not 'live'" in e.value for e in app.error), [e.value for e in app.error]
    assert _count(session_factory) == 0
    next(w for w in app.selectbox if w.key and w.key.endswith("_consent")).set_value("live")
    app = _submit(app)
    assert any("Camera saved: 1 added" in s.value for s in app.success), [e.value for e in app.error]


def test_consents_to_renew_are_listed_soonest_first_with_a_csv(app_env, session_factory):
    """Issue 15: consents ending within 30 days (or ended) are listed for renewal, page and CSV."""
    from datetime import timedelta

    from dashboard.i18n import now_local

    _upload(_run(), "kamera.csv", GOOD_CSV)
    today = now_local().date()
    with session_factory.begin() as session:
        cams = {c.code: c for c in session.scalars(select(Camera))}
        cams["JB-101"].consent_expires_on = today + timedelta(days=12)
        cams["JB-102"].consent_expires_on = today - timedelta(days=2)
    with session_factory.begin() as session:
        from db.repositories import bump_version
        bump_version(session)
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.session_state["lang"] = "id"
    sign_in(app, "commander", "komandan")
    app.run()
    assert not app.exception
    assert any("Persetujuan yang perlu diperbarui" in h.value for h in app.subheader)
    table = next(df.value for df in app.dataframe if "Sisa hari" in df.value.columns)
    assert list(table["Kode"]) == ["JB-101", "JB-102"] and list(table["Sisa hari"]) == [12, -2]
    assert set(table["Persetujuan"]) == {"Boleh dilihat langsung"}          # words, not 'live'
    assert [d.proto.label for d in app.get("download_button")] == ["Unduh CSV"]
    # owner names and phones leave only with a stated purpose (issue 15 item 2)
    from dashboard.components.purpose_gate import PURPOSE_KEY
    del app.session_state[PURPOSE_KEY]
    app.run()
    assert app.get("download_button") == []
    assert any("nyatakan tujuan di tab Ekspor" in c.value for c in app.caption)


def test_no_consent_to_renew_says_so(app_env, session_factory):
    _upload(_run(), "kamera.csv", GOOD_CSV)
    app = _run("commander")
    assert any("No consent ends within 30 days." in c.value for c in app.caption)
