"""Secrets are never defaults: drawn once into the data directory, refused when empty, published or short."""
from __future__ import annotations

import logging
import os
import secrets
import stat

import click
import pytest
from pydantic import SecretStr, ValidationError

from noblindspot.context import AppContext
from relay.api import ApiSettings
from relay.config import RelayConfigError
from settings import Settings, describe_invalid, secrets_file
from settings.secrets_file import (
    MIN_SECRET_BYTES,
    InsecureSecret,
    check_secrets,
    ensure_private_dir,
    ensure_secrets_file,
    weakness,
)

GOOD = secrets.token_urlsafe(32)
OTHER_GOOD = secrets.token_urlsafe(32)


@pytest.fixture
def no_env_secrets(monkeypatch):
    for name in ("NOBLINDSPOT_RELAY_OPERATOR_TOKEN", "NOBLINDSPOT_RELAY_HLS_SECRET", "NOBLINDSPOT_DATA_DIR",
                 "NOBLINDSPOT_CONFIG", "NOBLINDSPOT_INSECURE_DEV"):
        monkeypatch.delenv(name, raising=False)


def settings_with(tmp_path, token: str | None, hls: str | None) -> Settings:
    return Settings(data_dir=tmp_path, relay_operator_token=SecretStr(token) if token is not None else None,
                    relay_hls_secret=SecretStr(hls) if hls is not None else None)


@pytest.mark.parametrize(("value", "reason"), [
    (None, "is not set"), ("", "is not set"),
    ("dev-hls-secret-change-me", "is a published default or a placeholder"),
    ("Change-Me", "is a published default or a placeholder"),
    ("password", "is a published default or a placeholder"),
    ("prod-operator-token-CHANGEME-0123456789abcdef", "is a published default or a placeholder"),
    (GOOD[:MIN_SECRET_BYTES - 1], "is shorter than 32 bytes"),
    ("k" * 40, "is not random (too few different characters)"),
    ("abab" * 10, "is not random (too few different characters)"),
    (GOOD, None)])
def test_weakness_names_the_reason(value, reason):
    assert weakness(value) == reason


def test_settings_have_no_secret_default(no_env_secrets, tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert settings.relay_operator_token is None and settings.relay_hls_secret is None
    with pytest.raises(InsecureSecret) as caught:
        check_secrets(settings)
    assert "NOBLINDSPOT_RELAY_OPERATOR_TOKEN is not set" in str(caught.value)
    assert "NOBLINDSPOT_RELAY_HLS_SECRET is not set" in str(caught.value)
    assert "noblindspot up" in str(caught.value) and "token_urlsafe(32)" in str(caught.value)


def test_a_weak_secret_is_refused_without_printing_it(no_env_secrets, tmp_path):
    settings = settings_with(tmp_path, "dev-operator-token-change-me", "short-but-secret-value")
    with pytest.raises(InsecureSecret) as caught:
        check_secrets(settings)
    message = str(caught.value)
    assert "published default" in message and "shorter than 32 bytes" in message
    assert "short-but-secret-value" not in message and "dev-operator-token-change-me" not in message


def test_good_secrets_pass_in_both_modes(no_env_secrets, tmp_path):
    good = settings_with(tmp_path, GOOD, OTHER_GOOD)
    assert check_secrets(good) == [] and check_secrets(good, insecure_dev=True) == []


def test_insecure_dev_turns_published_and_short_secrets_into_warnings(no_env_secrets, tmp_path):
    warnings = check_secrets(settings_with(tmp_path, "dev-operator-token-change-me", "dev-hls-secret-change-me"),
                             insecure_dev=True)
    assert len(warnings) == 2 and all(w.startswith("INSECURE DEVELOPMENT MODE") for w in warnings)
    assert "NOBLINDSPOT_RELAY_OPERATOR_TOKEN is a published default" in warnings[0]
    assert not any("change-me" in w for w in warnings)


@pytest.mark.parametrize(("token", "hls", "named"), [
    (None, GOOD, "NOBLINDSPOT_RELAY_OPERATOR_TOKEN"),
    ("", GOOD, "NOBLINDSPOT_RELAY_OPERATOR_TOKEN"),
    (GOOD, None, "NOBLINDSPOT_RELAY_HLS_SECRET"),
    (GOOD, "fifteen-bytes!!", "NOBLINDSPOT_RELAY_HLS_SECRET")])
def test_insecure_dev_still_refuses_a_missing_token_or_an_hls_secret_under_the_hmac_floor(
        no_env_secrets, tmp_path, token, hls, named):
    with pytest.raises(InsecureSecret) as caught:
        check_secrets(settings_with(tmp_path, token, hls), insecure_dev=True)
    assert named in str(caught.value)
    assert "Insecure development mode allows weak secrets, not these" in str(caught.value)
    assert GOOD not in str(caught.value) and "fifteen-bytes!!" not in str(caught.value)


@pytest.mark.parametrize(("token", "hls"), [("", GOOD), (GOOD, ""), (GOOD, "x" * 15)])
def test_the_relay_api_cannot_be_built_with_secrets_that_would_fail_requests(token, hls):
    with pytest.raises(RelayConfigError) as caught:
        ApiSettings(operator_token=SecretStr(token), hls_secret=SecretStr(hls))
    assert "NOBLINDSPOT_RELAY_" in str(caught.value)
    assert ApiSettings(operator_token=SecretStr(GOOD), hls_secret=SecretStr("x" * 16)).hls_secret  # the HMAC floor


def test_first_run_draws_private_random_secrets_that_settings_then_use(no_env_secrets, tmp_path):
    data = tmp_path / "data"
    path = ensure_secrets_file(data)
    assert path == data / "secrets.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(data.stat().st_mode) == 0o700
    settings = Settings(data_dir=data)
    token, secret = settings.relay_operator_token.get_secret_value(), settings.relay_hls_secret.get_secret_value()
    assert token != secret and len(token) >= MIN_SECRET_BYTES and len(secret) >= MIN_SECRET_BYTES
    assert token not in (GOOD, OTHER_GOOD)
    assert check_secrets(settings) == []
    before = path.read_text()
    assert ensure_secrets_file(data) is None and path.read_text() == before       # never overwritten
    assert [p.name for p in data.iterdir()] == ["secrets.toml"]                  # no temporary file left


def test_a_second_data_dir_gets_other_secrets(no_env_secrets, tmp_path):
    first = Settings(data_dir=ensure_secrets_file(tmp_path / "a").parent)
    second = Settings(data_dir=ensure_secrets_file(tmp_path / "b").parent)
    assert first.relay_hls_secret.get_secret_value() != second.relay_hls_secret.get_secret_value()


def test_a_write_that_fails_midway_leaves_no_secrets_file(no_env_secrets, tmp_path, monkeypatch):
    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(secrets_file.os, "fsync", disk_full)
    with pytest.raises(OSError):
        ensure_secrets_file(tmp_path)
    assert list(tmp_path.iterdir()) == []                                        # neither half a file nor a temp
    monkeypatch.undo()
    assert ensure_secrets_file(tmp_path) is not None                             # the next run draws them


def test_a_file_written_by_another_run_meanwhile_is_kept(no_env_secrets, tmp_path, monkeypatch):
    theirs = 'relay_operator_token = "theirs"\n'
    real_mkstemp = secrets_file.tempfile.mkstemp

    def mkstemp_then_the_other_run_finishes(**kwargs):
        made = real_mkstemp(**kwargs)
        (tmp_path / "secrets.toml").write_text(theirs)
        return made

    monkeypatch.setattr(secrets_file.tempfile, "mkstemp", mkstemp_then_the_other_run_finishes)
    assert ensure_secrets_file(tmp_path) is None
    assert (tmp_path / "secrets.toml").read_text() == theirs
    assert [p.name for p in tmp_path.iterdir()] == ["secrets.toml"]


def test_the_environment_wins_over_the_file_and_the_file_is_found_through_the_env_data_dir(no_env_secrets, tmp_path,
                                                                                         monkeypatch):
    ensure_secrets_file(tmp_path)
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NOBLINDSPOT_RELAY_HLS_SECRET", GOOD)
    settings = Settings()
    assert settings.relay_hls_secret.get_secret_value() == GOOD
    assert settings.relay_operator_token is not None                              # from the file
    assert settings.relay_operator_token.get_secret_value() != GOOD


def test_the_file_is_found_through_the_config_files_data_dir(no_env_secrets, tmp_path, monkeypatch):
    data = tmp_path / "elsewhere"
    ensure_secrets_file(data)
    config = tmp_path / "noblindspot.toml"
    config.write_text(f'data_dir = "{data}"\n')
    monkeypatch.setenv("NOBLINDSPOT_CONFIG", str(config))
    settings = Settings()
    assert settings.data_dir == data and check_secrets(settings) == []


def test_an_unknown_key_in_the_secrets_file_is_an_error_that_never_shows_its_value(no_env_secrets, tmp_path,
                                                                                  monkeypatch):
    (tmp_path / "secrets.toml").write_text(f'relay_hls_secrett = "{GOOD}"\n')
    with pytest.raises(ValidationError) as caught:
        Settings(data_dir=tmp_path)
    assert describe_invalid(caught.value) == "relay_hls_secrett: Extra inputs are not permitted"
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path))
    with pytest.raises(click.UsageError) as usage:                               # what the CLI prints
        AppContext.from_environment()
    assert "relay_hls_secrett" in usage.value.message and GOOD not in usage.value.message


def test_an_open_data_dir_is_tightened_and_said(tmp_path, caplog):
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    with caplog.at_level(logging.WARNING, logger="settings.secrets_file"):
        ensure_private_dir(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700
    assert "tightened to 0700" in caplog.text and "755" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="settings.secrets_file"):
        ensure_private_dir(loose)                                                # already private: quiet
    assert caplog.text == ""


def test_a_new_data_dir_is_0700_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        made = ensure_private_dir(tmp_path / "new" / "data")
    finally:
        os.umask(old)
    assert stat.S_IMODE(made.stat().st_mode) == 0o700


def test_the_hmac_floor_is_the_one_relay_tokens_enforces():
    # settings may import nothing of ours, so the figure is repeated there; the two must agree
    from relay.tokens import MIN_SECRET_BYTES

    assert secrets_file.HMAC_MIN_BYTES == MIN_SECRET_BYTES
