"""The real relay command and the dashboard refuse missing, published or short secrets."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = "dev-operator-token-change-me"


def _relay(tmp_path, extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOBLINDSPOT_")}
    env.update(NOBLINDSPOT_DATA_DIR=str(tmp_path / "data"), **extra_env)
    return subprocess.run([str(REPO / ".venv/bin/noblindspot"), "relay", "--port", "1", *args], env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)


@pytest.mark.parametrize("token", ["", PUBLISHED, "x" * 31])
def test_relay_refuses_a_bad_operator_token_and_never_prints_it(tmp_path, token):
    result = _relay(tmp_path, {"NOBLINDSPOT_RELAY_OPERATOR_TOKEN": token,
                               "NOBLINDSPOT_RELAY_HLS_SECRET": "h" * 40})
    assert result.returncode == 1
    assert "refusing to start: NOBLINDSPOT_RELAY_OPERATOR_TOKEN" in result.stderr
    assert "noblindspot up" in result.stderr and "Traceback" not in result.stderr
    if token:
        assert token not in result.stderr + result.stdout


def test_relay_with_insecure_dev_says_so_before_starting(tmp_path):
    # port 1 is privileged-or-taken for the server, so the relay stops right after the check; the
    # warning must come first either way
    result = _relay(tmp_path, {}, "--insecure-dev")
    assert "WARNING: INSECURE DEVELOPMENT MODE: NOBLINDSPOT_RELAY_OPERATOR_TOKEN is not set" in result.stderr
    assert "refusing to start" not in result.stderr


def test_the_dashboard_stops_before_sign_in_with_a_published_secret(monkeypatch, tmp_path):
    import streamlit as st

    monkeypatch.setenv("NOBLINDSPOT_RELAY_HLS_SECRET", "dev-hls-secret-change-me")
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path))
    st.cache_resource.clear()
    app = AppTest.from_file(str(REPO / "dashboard/app.py"), default_timeout=60)
    app.session_state["lang"] = "id"
    app.run()
    st.cache_resource.clear()
    assert not app.exception
    assert app.error[0].value.startswith("No Blindspot tidak akan berjalan")
    assert not app.text_input                      # no sign-in form
    assert "dev-hls-secret-change-me" not in str([e.value for e in app.error])


def test_relay_starts_with_the_secrets_up_draws_into_the_data_dir(tmp_path):
    from noblindspot.secrets_file import ensure_secrets_file

    assert _relay(tmp_path, {}).returncode == 1           # no environment secrets, no file: refused
    ensure_secrets_file(tmp_path / "data")
    assert "refusing to start" not in _relay(tmp_path, {}).stderr
