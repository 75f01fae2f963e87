"""What commanders and operators read in tables and choosers is in their language: headers, stored values
(connection, consent, footage status) and empty cells (a dash, never None or nan), and no English
"Choose options" / "Select all" from Streamlit itself on an Indonesian page."""
# ruff: noqa: F811 - tests take the shared app_env fixture imported from test_roles
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from dashboard.i18n import DISPLAY_TZ
from db.models import Post
from geo.vocabulary import PostKind, Role
from tests.app.test_feeds_page import FakeRelayClient, app_db, feed, feeds_app  # noqa: F401 - fixture by name
from tests.app.test_roles import app_env, signed_in  # noqa: F401 - the fixture is used by name
from tests.app.test_roles_flow import _keyed
from tests.support.dashboard import app_test, seed_database

RAW = {"None", "nan", "NaN", "NaT", "connected", "registered", "live", "on_request", "registry_only", "requested",
       "owner_contacted"}
WORDS = {
    "id": {"cameras": ["Kamera", "Nama", "Jarak (m)", "Koneksi", "Persetujuan", "Pemilik", "Retensi DVR (hari)",
                       "Telepon pemilik"],
           "connected": "Terhubung", "registered": "Hanya terdaftar", "live": "Boleh dilihat langsung",
           "on_request": "Rekaman atas permintaan", "requested": "Diminta", "choose": "Pilih kamera"},
    "en": {"cameras": ["Camera", "Name", "Distance (m)", "Connection", "Consent", "Owner", "DVR retention (days)",
                       "Owner phone"],
           "connected": "Connected", "registered": "Registered only", "live": "Live viewing allowed",
           "on_request": "Footage on request", "requested": "Requested", "choose": "Choose the cameras"},
}


def raw_cells(frame: pd.DataFrame) -> set[str]:
    return {str(v) for column in frame for v in frame[column]} & RAW


def _create_incident(app):
    """An incident at the seeded cameras' point (a form button's key holds its label, so found by prefix)."""
    event = datetime.now(DISPLAY_TZ) - timedelta(hours=1)
    app.date_input(key="incident_day").set_value(event.date())
    app.time_input(key="incident_time").set_value(event.time().replace(second=0, microsecond=0))
    app.radio(key="incident_where").set_value("coordinates")
    app.text_input(key="incident_coordinates").input("-6.1700, 106.7500")
    return _keyed(app.button, "FormSubmitter:new_incident-").click().run()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_incident_tables_show_words_not_stored_values(app_env, lang):
    app = signed_in(Role.COMMANDER, "incidents", lang=lang).run()
    app = _create_incident(app)
    assert not app.exception, app.exception
    words = WORDS[lang]
    seeing = app.dataframe[0].value
    assert list(seeing.columns) == words["cameras"]
    assert not raw_cells(seeing), raw_cells(seeing)
    by_camera = seeing.set_index(words["cameras"][0])
    assert by_camera.loc["CAM-LIVE"].iloc[2:4].tolist() == [words["connected"], words["live"]]
    assert by_camera.loc["CAM-WEEK"].iloc[2:4].tolist() == [words["registered"], words["on_request"]]
    posts = app.dataframe[1].value
    assert not raw_cells(posts), raw_cells(posts)

    chooser = _keyed(app.multiselect, "footage_cameras_")
    assert chooser.proto.placeholder == words["choose"]
    assert (chooser.proto.select_all == 0) == (lang == "id")    # Streamlit's "Select all" is English only
    app = _keyed(app.button, "FormSubmitter:footage_request_form-").click().run()
    assert not app.exception, app.exception
    requests = app.dataframe[-1].value
    assert set(requests.iloc[:, 2]) == {words["requested"]}
    assert not raw_cells(requests), raw_cells(requests)


def test_the_posts_tables_show_dashes_not_none_in_indonesian(app_env):
    with app_env.begin() as session:   # a security post outside every district
        session.add(Post(code="POS-LUAR", kind=PostKind.SECURITY_POST, name="Pos luar", lon=106.9, lat=-6.3,
                         personnel=2))
    app = signed_in(Role.COMMANDER, "posts", lang="id").run()
    assert not app.exception, app.exception
    assert app.dataframe
    for table in app.dataframe:
        assert not raw_cells(table.value), raw_cells(table.value)
    posts = app.dataframe[0].value.set_index("Kode")
    assert posts.loc["POS-LUAR", "Wilayah"] == "–"
    assert posts.loc["PS-KJ", "Personel"] == "60"


@pytest.mark.parametrize(("lang", "caption"), [("id", "Berkas CSV atau TXT, paling besar 5 MB."),
                                               ("en", "A CSV or TXT file of at most 5 MB.")])
def test_the_roster_upload_states_its_limit_in_the_users_language(app_env, lang, caption):
    app = signed_in(Role.ADMIN, "posts", lang=lang).run()
    assert not app.exception, app.exception
    assert [u.proto.max_upload_size_mb for u in app.file_uploader] == [5, 5]   # Streamlit's own "5MB per file"
    assert [c.value for c in app.caption].count(caption) == 2
    assert all(u.proto.help for u in app.file_uploader)


def test_the_map_filters_offer_no_english_select_all(database_url):
    seed_database(database_url)
    at = app_test(database_url, "commander", lang="id").run()
    assert not at.exception, at.exception
    keys = ("f_district", "f_owner", "f_connection", "f_consent", "f_health")
    filters = [at.sidebar.multiselect(key=k) for k in keys]
    assert [f.proto.select_all for f in filters] == [0] * 5
    assert all(f.proto.placeholder for f in filters)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_feeds_choosers_offer_select_all_only_in_english(app_db, lang):
    app = feeds_app(FakeRelayClient([feed("JB-001"), feed("JB-002")]), lang=lang)
    assert not app.exception, app.exception
    assert [app.multiselect(key=k).proto.select_all for k in ("feeds_states", "feeds_modes")] == [0, 0]
    assert (app.multiselect(key="feeds_selected").proto.select_all == 0) == (lang == "id")


@pytest.mark.parametrize(("role", "lang", "sentence", "detail"), [
    (Role.COMMANDER, "id", "Insiden tidak disimpan. Periksa waktunya", False),
    (Role.COMMANDER, "en", "The incident was not saved. Check the time", False),
    (Role.OPERATOR, "id", "Insiden tidak disimpan. Periksa waktunya", True),
])
def test_a_refused_incident_is_explained_in_the_users_language(app_env, role, lang, sentence, detail):
    app = signed_in(role, "incidents", lang=lang).run()
    app.radio(key="incident_where").set_value("coordinates")
    app.text_input(key="incident_coordinates").input("Jl. Panjang 5")
    app = _keyed(app.button, "FormSubmitter:new_incident-").click().run()
    assert not app.exception, app.exception
    [error] = [e.value for e in app.error]
    assert sentence in error and "type the coordinates" not in error     # db/'s English reason stays out
    assert [e.label for e in app.expander if e.label == "Rincian untuk operator"] == (
        ["Rincian untuk operator"] if detail else [])
    assert any("type the coordinates" in c.value for c in app.code) == detail
