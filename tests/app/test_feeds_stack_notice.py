"""Feeds page (AppTest): a simulator or relay that `noblindspot up` could not start is said, translated."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from relay.local_stack import ChildState, ChildStatus, write_status
from tests.app.test_feeds_page import PAGE, _client, app_db, make_settings, sign_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("app_db")
REASON = ("the camera simulator cannot start: GStreamer is missing clockoverlay, timeoverlay; "
          "install the Debian package(s): apt-get install gstreamer1.0-x")


def _app(data_dir, lang: str) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.session_state["relay_client_override"] = _client()
    app.session_state["settings_override"] = make_settings().model_copy(update={"data_dir": data_dir})
    app.session_state["lang"] = lang
    sign_in(app, "operator", "operator.rina")
    return app.run()


def _failed_simulator(data_dir) -> None:
    write_status(data_dir, [ChildStatus("simulator", ChildState.FAILED, 3, REASON, "apt-get install gstreamer1.0-x"),
                            ChildStatus("relay", ChildState.RUNNING), ChildStatus("dashboard", ChildState.RUNNING)])


def test_failed_simulator_is_said_in_indonesian_with_what_to_do(tmp_path):
    _failed_simulator(tmp_path)
    app = _app(tmp_path, "id")
    assert not app.exception, app.exception
    errors = [e.value for e in app.error]
    assert len(errors) == 1
    assert "Simulator kamera tidak dapat berjalan" in errors[0]
    assert "apt-get install gstreamer1.0-x" in errors[0]
    assert "GStreamer is missing" not in errors[0]           # the raw line stays in the operator's detail
    assert any(REASON in c.value for c in app.code)
    assert len(app.dataframe) == 1                            # the feed table is still there


def test_failed_relay_is_said_in_english(tmp_path):
    write_status(tmp_path, [ChildStatus("relay", ChildState.FAILED, 1, "address already in use")])
    app = _app(tmp_path, "en")
    errors = [e.value for e in app.error]
    assert errors and errors[0].startswith("The relay could not start")
    assert "read the detail below" in errors[0]


def test_nothing_is_said_when_every_child_runs_or_up_was_not_used(tmp_path):
    assert not _app(tmp_path, "id").error
    write_status(tmp_path, [ChildStatus("simulator", ChildState.RUNNING), ChildStatus("relay", ChildState.STOPPED)])
    assert not _app(tmp_path, "id").error
