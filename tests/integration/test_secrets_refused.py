"""The real relay command refuses missing, published or short secrets, and never prints them.

(The dashboard's refusal is in tests/app/test_app_secrets.py.)
"""
from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = "dev-operator-token-change-me"
GOOD = secrets.token_urlsafe(32)


def _relay(tmp_path, extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOBLINDSPOT_")}
    env.update(NOBLINDSPOT_DATA_DIR=str(tmp_path / "data"), **extra_env)
    # port 1: a relay that got past the checks fails to bind (not root) or at the database, quickly
    return subprocess.run([str(REPO / ".venv/bin/noblindspot"), "relay", "--port", "1", *args], env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)


@pytest.mark.parametrize("token", ["", PUBLISHED, GOOD[:31], "k" * 40])
def test_relay_refuses_a_bad_operator_token_and_never_prints_it(tmp_path, token):
    result = _relay(tmp_path, {"NOBLINDSPOT_RELAY_OPERATOR_TOKEN": token, "NOBLINDSPOT_RELAY_HLS_SECRET": GOOD})
    assert result.returncode == 1
    assert "refusing to start: NOBLINDSPOT_RELAY_OPERATOR_TOKEN" in result.stderr
    assert "noblindspot up" in result.stderr and "token_urlsafe(32)" in result.stderr
    assert "Traceback" not in result.stderr
    if token:
        assert token not in result.stderr + result.stdout
    assert GOOD not in result.stderr + result.stdout


@pytest.mark.parametrize("hls", ["", "dev-hls-secret-change-me", "0123456789abcdef"])
def test_relay_refuses_a_bad_hls_secret(tmp_path, hls):
    result = _relay(tmp_path, {"NOBLINDSPOT_RELAY_OPERATOR_TOKEN": GOOD, "NOBLINDSPOT_RELAY_HLS_SECRET": hls})
    assert result.returncode == 1
    assert "refusing to start: NOBLINDSPOT_RELAY_HLS_SECRET" in result.stderr
    assert "Traceback" not in result.stderr and (not hls or hls not in result.stderr)


@pytest.mark.parametrize("how", [("--insecure-dev",), ()])
def test_relay_with_insecure_dev_warns_and_goes_on(tmp_path, how):
    env = {"NOBLINDSPOT_RELAY_OPERATOR_TOKEN": PUBLISHED, "NOBLINDSPOT_RELAY_HLS_SECRET": "dev-hls-secret-change-me"}
    if not how:
        env["NOBLINDSPOT_INSECURE_DEV"] = "1"
    result = _relay(tmp_path, env, *how)
    assert "WARNING: INSECURE DEVELOPMENT MODE: NOBLINDSPOT_RELAY_OPERATOR_TOKEN is a published default" \
        in result.stderr
    assert "WARNING: INSECURE DEVELOPMENT MODE: NOBLINDSPOT_RELAY_HLS_SECRET" in result.stderr
    assert "refusing to start" not in result.stderr
    assert "schema" in result.stderr       # it went on to the (empty) database
    assert PUBLISHED not in result.stderr + result.stdout


@pytest.mark.parametrize(("token", "hls"), [("", GOOD), (GOOD, ""), (GOOD, "fifteen-bytes!!")])
def test_insecure_dev_never_starts_an_open_api_or_one_that_cannot_sign(tmp_path, token, hls):
    result = _relay(tmp_path, {"NOBLINDSPOT_RELAY_OPERATOR_TOKEN": token, "NOBLINDSPOT_RELAY_HLS_SECRET": hls},
                    "--insecure-dev")
    assert result.returncode == 1
    assert "refusing to start" in result.stderr and "Insecure development mode allows weak secrets, not these" \
        in result.stderr
    assert "schema" not in result.stderr and "Traceback" not in result.stderr


def test_relay_starts_with_the_secrets_up_draws_into_the_data_dir(tmp_path):
    from settings.secrets_file import ensure_secrets_file

    assert _relay(tmp_path, {}).returncode == 1           # no environment secrets, no file: refused
    ensure_secrets_file(tmp_path / "data")
    result = _relay(tmp_path, {})
    assert "refusing to start" not in result.stderr and "schema" in result.stderr
    assert "WARNING" not in result.stderr


def test_a_mistyped_secrets_file_is_named_not_shown(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secrets.toml").write_text(f'relay_operator_tokn = "{GOOD}"\n')
    result = _relay(tmp_path, {})
    assert result.returncode == 2
    assert "relay_operator_tokn: Extra inputs are not permitted" in result.stderr
    assert GOOD not in result.stderr + result.stdout and "Traceback" not in result.stderr
