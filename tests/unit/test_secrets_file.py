"""Secrets are never defaults: drawn once into the data directory, refused when empty, published or short."""
from __future__ import annotations

import stat

import pytest
from pydantic import SecretStr

from noblindspot.secrets_file import (
    MIN_SECRET_BYTES,
    InsecureSecret,
    check_secrets,
    ensure_private_dir,
    ensure_secrets_file,
    weakness,
)
from noblindspot.settings import Settings

GOOD = "k" * MIN_SECRET_BYTES


@pytest.fixture
def no_env_secrets(monkeypatch):
    for name in ("NOBLINDSPOT_RELAY_OPERATOR_TOKEN", "NOBLINDSPOT_RELAY_HLS_SECRET", "NOBLINDSPOT_DATA_DIR",
                 "NOBLINDSPOT_CONFIG", "NOBLINDSPOT_INSECURE_DEV"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(("value", "reason"), [(None, "is not set"), ("", "is not set"),
                                               ("dev-hls-secret-change-me", "is a published default"),
                                               ("Change-Me", "is a published default"),
                                               ("k" * (MIN_SECRET_BYTES - 1), "is shorter than 32 bytes"),
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


def test_a_weak_secret_is_refused_without_printing_it(no_env_secrets, tmp_path):
    settings = Settings(data_dir=tmp_path, relay_operator_token=SecretStr("dev-operator-token-change-me"),
                        relay_hls_secret=SecretStr("short-but-secret-value"))
    with pytest.raises(InsecureSecret) as caught:
        check_secrets(settings)
    message = str(caught.value)
    assert "published default" in message and "shorter than 32 bytes" in message
    assert "short-but-secret-value" not in message and "dev-operator-token-change-me" not in message


def test_insecure_dev_warns_instead_of_refusing(no_env_secrets, tmp_path):
    warnings = check_secrets(Settings(data_dir=tmp_path), insecure_dev=True)
    assert len(warnings) == 2 and all(w.startswith("INSECURE DEVELOPMENT MODE") for w in warnings)
    good = Settings(data_dir=tmp_path, relay_operator_token=SecretStr(GOOD), relay_hls_secret=SecretStr(GOOD + "x"))
    assert check_secrets(good) == [] and check_secrets(good, insecure_dev=True) == []


def test_first_run_draws_private_random_secrets_that_settings_then_use(no_env_secrets, tmp_path):
    data = tmp_path / "data"
    path = ensure_secrets_file(data)
    assert path == data / "secrets.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(data.stat().st_mode) == 0o700
    settings = Settings(data_dir=data)
    token, secret = settings.relay_operator_token.get_secret_value(), settings.relay_hls_secret.get_secret_value()
    assert token != secret and len(token) >= MIN_SECRET_BYTES and len(secret) >= MIN_SECRET_BYTES
    assert check_secrets(settings) == []
    before = path.read_text()
    assert ensure_secrets_file(data) is None and path.read_text() == before       # never overwritten
    assert [p.name for p in data.iterdir()] == ["secrets.toml"]                  # no temporary file left


def test_the_environment_wins_over_the_file_and_the_file_is_found_through_the_env_data_dir(no_env_secrets, tmp_path,
                                                                                         monkeypatch):
    ensure_secrets_file(tmp_path)
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NOBLINDSPOT_RELAY_HLS_SECRET", GOOD)
    settings = Settings()
    assert settings.relay_hls_secret.get_secret_value() == GOOD
    assert settings.relay_operator_token is not None                              # from the file


def test_an_unknown_key_in_the_secrets_file_is_an_error(no_env_secrets, tmp_path):
    (tmp_path / "secrets.toml").write_text('relay_hls_secrett = "typo"\n')
    with pytest.raises(ValueError, match="relay_hls_secrett"):
        Settings(data_dir=tmp_path)


def test_two_runs_drawing_at_once_keep_one_file(no_env_secrets, tmp_path):
    first = ensure_secrets_file(tmp_path)
    text = first.read_text()
    assert ensure_secrets_file(tmp_path) is None and first.read_text() == text


def test_an_open_data_dir_is_tightened(tmp_path):
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    ensure_private_dir(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700
