"""`noblindspot up`'s children (real processes): a failing simulator or relay is said loudly and recorded."""
from __future__ import annotations

import sys
import time

from noblindspot.stack import Child, Stack, failure_reason
from relay.local_stack import ChildState, read_status

MISSING = ("Error: the camera simulator cannot start: GStreamer is missing clockoverlay, timeoverlay; "
           "install the Debian package(s): apt-get install gstreamer1.0-x")


def _py(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _poll_until(stack: Stack, predicate, timeout_s: float = 10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        code = stack.poll()
        if predicate(code):
            return code
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def test_an_optional_child_that_fails_is_said_and_recorded_with_its_fix(tmp_path):
    said: list[str] = []
    sim = Child("simulator", _py(f"import sys; sys.stderr.write({MISSING!r} + '\\n'); sys.exit(3)"), required=False,
                purpose="no camera plays")
    dashboard = Child("dashboard", _py("import time; time.sleep(30)"), required=True)
    stack = Stack([sim, dashboard], tmp_path, echo=said.append)
    stack.start({}, tmp_path)
    try:
        _poll_until(stack, lambda _code: sim.state is ChildState.FAILED)
        assert stack.poll() is None                      # the dashboard goes on
        status = read_status(tmp_path)
        assert status["simulator"].state is ChildState.FAILED and status["simulator"].exit_code == 3
        assert status["simulator"].reason.startswith("the camera simulator cannot start: GStreamer is missing")
        assert status["simulator"].hint == "apt-get install gstreamer1.0-x"
        assert status["dashboard"].state is ChildState.STARTING
        assert len(said) == 1 and "SIMULATOR COULD NOT RUN (exit code 3)" in said[0]
        assert "fix: apt-get install gstreamer1.0-x" in said[0]
    finally:
        stack.stop()
    assert read_status(tmp_path)["dashboard"].state is ChildState.STOPPED
    assert dashboard.process.poll() is not None


def test_a_required_child_ending_returns_its_code_and_ready_checks_mark_running(tmp_path):
    flag = tmp_path / "ready"
    relay = Child("relay", _py("import time; time.sleep(30)"), required=False, ready=flag.exists)
    dashboard = Child("dashboard", _py("import time; time.sleep(0.5); raise SystemExit(7)"), required=True)
    stack = Stack([relay, dashboard], tmp_path, echo=lambda _t: None)
    stack.start({}, tmp_path)
    try:
        assert stack.poll() is None and relay.state is ChildState.STARTING
        flag.touch()
        code = _poll_until(stack, lambda c: c is not None)
        assert code == 7
        assert relay.state is ChildState.RUNNING
    finally:
        stack.stop()
    assert relay.process.poll() is not None


def test_credentials_in_a_child_error_never_reach_the_record(tmp_path):
    line = "Error: cannot open rtsp://demo:s3cret-pass@127.0.0.1:8554/JB-1"
    relay = Child("relay", _py(f"import sys; sys.stderr.write({line!r}); sys.exit(1)"), required=False)
    stack = Stack([relay], tmp_path, echo=lambda _t: None)
    stack.start({}, tmp_path)
    _poll_until(stack, lambda _c: relay.state is ChildState.FAILED)
    stack.stop()
    assert "s3cret" not in (tmp_path / "up-status.json").read_text()
    assert read_status(tmp_path)["relay"].reason == "cannot open rtsp://***@127.0.0.1:8554/JB-1"


def test_failure_reason_prefers_the_error_line():
    assert failure_reason(["starting", "Error: port 8554 is taken", "bye"]) == "port 8554 is taken"
    assert failure_reason(["a", "last words", ""]) == "last words"
    assert failure_reason([]) == ""


def test_a_damaged_status_file_reads_as_nothing(tmp_path):
    (tmp_path / "up-status.json").write_text("{not json")
    assert read_status(tmp_path) == {}
