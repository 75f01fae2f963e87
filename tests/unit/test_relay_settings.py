"""The [relay] settings section: every knob docs/relay.md documents reaches the relay's own config objects."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from db.feeds import LeasePolicy
from relay.config import RelayConfig, RelayConfigError, manager_config_from, media_config_from
from relay.manager import ManagerConfig
from settings import Settings, describe_invalid
from settings.relay import MANAGER_KNOBS, MEDIA_KNOBS, RelaySettings

# One value per knob, each different from its default, as TOML text, env text and the expected value.
MEDIA_VALUES = {
    "segment_seconds": ("2.5", "2.5", 2.5),
    "playlist_size": ("9", "9", 9),
    "stall_factor": ("4.0", "4.0", 4.0),
    "backoff_steps": ("[1, 4, 20]", "[1, 4, 20]", (1.0, 4.0, 20.0)),
    "rtsp_transport": ('"udp"', "udp", "udp"),
    "io_timeout_s": ("7.5", "7.5", 7.5),
    "hls_format": ('"fmp4"', "fmp4", "fmp4"),
    "max_runtime_bytes": ("67108864", "67108864", 64 * 1024**2),
    "ffmpeg_path": ('"/opt/ffmpeg/bin/ffmpeg"', "/opt/ffmpeg/bin/ffmpeg", "/opt/ffmpeg/bin/ffmpeg"),
    "ffprobe_path": ('"/opt/ffmpeg/bin/ffprobe"', "/opt/ffmpeg/bin/ffprobe", "/opt/ffmpeg/bin/ffprobe"),
    "stderr_lines": ("250", "250", 250),
    "start_timeout_s": ("45.0", "45", 45.0),
}
MANAGER_VALUES = {
    "max_feeds": ("40", "40", 40),
    "max_transcodes": ("2", "2", 2),
    "idle_timeout_s": ("15.0", "15", 15.0),
    "sync_interval_s": ("0.5", "0.5", 0.5),
}


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("NOBLINDSPOT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NOBLINDSPOT_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


def built(settings: Settings, tmp_path: Path) -> tuple[RelayConfig, ManagerConfig]:
    media = media_config_from(settings.relay, tmp_path / "rt")
    manager = manager_config_from(settings.relay, node_id="n1", public_url="http://relay", runtime_dir=tmp_path,
                                  lease=LeasePolicy())
    return media, manager


def test_the_section_sets_every_relay_config_field_but_the_per_node_directory_and_the_per_feed_audio():
    fields = {f.name for f in dataclasses.fields(RelayConfig)}
    assert fields - set(MEDIA_KNOBS) == {"runtime_dir", "audio"}
    assert set(MEDIA_KNOBS) == set(MEDIA_VALUES)
    manager_fields = {f.name for f in dataclasses.fields(ManagerConfig)}
    # the node's identity, and the programme's time zone (the application's own `timezone` setting)
    assert manager_fields - set(MANAGER_KNOBS) == {"node_id", "public_url", "runtime_dir", "lease", "timezone"}
    assert set(MANAGER_KNOBS) == set(MANAGER_VALUES)


def test_defaults_are_the_relay_configs_own(clean_env, tmp_path):
    media, manager = built(Settings(), tmp_path)
    assert media == RelayConfig(runtime_dir=tmp_path / "rt")
    assert manager == ManagerConfig(node_id="n1", public_url="http://relay", runtime_dir=tmp_path)


@pytest.mark.parametrize("knob", [*MEDIA_VALUES, *MANAGER_VALUES])
def test_each_knob_set_in_the_environment_reaches_the_built_config(clean_env, tmp_path, knob):
    _toml, env, expected = {**MEDIA_VALUES, **MANAGER_VALUES}[knob]
    clean_env.setenv(f"NOBLINDSPOT_RELAY__{knob.upper()}", env)
    media, manager = built(Settings(), tmp_path)
    target = media if knob in MEDIA_VALUES else manager
    assert getattr(target, knob) == expected


@pytest.mark.parametrize("knob", [*MEDIA_VALUES, *MANAGER_VALUES])
def test_each_knob_set_in_the_toml_relay_table_reaches_the_built_config(clean_env, tmp_path, knob):
    toml, _env, expected = {**MEDIA_VALUES, **MANAGER_VALUES}[knob]
    config = tmp_path / "noblindspot.toml"
    config.write_text(f'region_name = "Jakarta Barat"\n\n[relay]\n{knob} = {toml}\n')
    clean_env.setenv("NOBLINDSPOT_CONFIG", str(config))
    media, manager = built(Settings(), tmp_path)
    target = media if knob in MEDIA_VALUES else manager
    assert getattr(target, knob) == expected


def test_the_environment_wins_over_the_toml_table(clean_env, tmp_path):
    config = tmp_path / "noblindspot.toml"
    config.write_text('[relay]\nffmpeg_path = "/from/toml"\nmax_feeds = 7\n')
    clean_env.setenv("NOBLINDSPOT_CONFIG", str(config))
    clean_env.setenv("NOBLINDSPOT_RELAY__FFMPEG_PATH", "/from/env")
    settings = Settings()
    assert (settings.relay.ffmpeg_path, settings.relay.max_feeds) == ("/from/env", 7)


def test_an_unknown_key_in_the_relay_table_is_an_error_naming_it(clean_env, tmp_path):
    config = tmp_path / "noblindspot.toml"
    config.write_text('[relay]\nffmpeg_pth = "/opt/ffmpeg"\n')
    clean_env.setenv("NOBLINDSPOT_CONFIG", str(config))
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert describe_invalid(caught.value) == "relay.ffmpeg_pth: Extra inputs are not permitted"


def test_an_unknown_relay_environment_variable_is_an_error_naming_it(clean_env):
    clean_env.setenv("NOBLINDSPOT_RELAY__SEGMENT_SECS", "2")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert describe_invalid(caught.value) == "relay.segment_secs: Extra inputs are not permitted"


def test_a_choice_outside_the_list_is_refused_when_settings_are_read(clean_env):
    clean_env.setenv("NOBLINDSPOT_RELAY__HLS_FORMAT", "webm")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert describe_invalid(caught.value).startswith("relay.hls_format: Input should be 'mpegts' or 'fmp4'")


def test_a_value_out_of_range_is_refused_when_the_relay_builds_its_config(clean_env, tmp_path):
    clean_env.setenv("NOBLINDSPOT_RELAY__PLAYLIST_SIZE", "1")
    with pytest.raises(RelayConfigError, match="playlist_size"):
        built(Settings(), tmp_path)


def test_command_line_options_override_the_section_and_none_keeps_it():
    section = RelaySettings(ffmpeg_path="/from/settings", max_feeds=7)
    changed = section.with_overrides(ffmpeg_path="/from/cli", max_feeds=None, hls_format="fmp4")
    assert (changed.ffmpeg_path, changed.max_feeds, changed.hls_format) == ("/from/cli", 7, "fmp4")


def test_node_id_and_runtime_dir_follow_the_port_unless_set(tmp_path):
    assert RelaySettings(port=9000).resolved_node_id("host") == "host-9000"
    assert RelaySettings(port=9000).resolved_runtime_dir(tmp_path, "host") == tmp_path / "relay-runtime" / "host-9000"
    chosen = RelaySettings(node_id="a", runtime_dir=tmp_path / "rt")
    assert chosen.resolved_runtime_dir(tmp_path, "h") == tmp_path / "rt"


def test_the_relay_command_puts_its_options_into_the_settings_it_serves(clean_env, monkeypatch):
    import relay.__main__ as relay_main

    served = []
    monkeypatch.setattr(relay_main, "enforce_secrets", lambda settings, insecure_dev: None)
    monkeypatch.setattr(relay_main, "serve", served.append)
    clean_env.setenv("NOBLINDSPOT_RELAY__MAX_FEEDS", "7")
    result = CliRunner().invoke(relay_main.relay_command,
                                ["--ffmpeg", "/opt/ff", "--hls-format", "fmp4", "--segment-seconds", "2",
                                 "--rtsp-transport", "udp", "--port", "9001", "--public-url", "http://pub"])
    assert result.exit_code == 0, result.output
    (settings,) = served
    relay = settings.relay
    assert (relay.ffmpeg_path, relay.hls_format, relay.segment_seconds, relay.rtsp_transport, relay.port,
            relay.max_feeds) == ("/opt/ff", "fmp4", 2.0, "udp", 9001, 7)
    assert settings.relay_public_url == "http://pub"


def test_the_readme_configuration_table_lists_every_setting_and_relay_knob():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`") for line in readme.splitlines() if line.startswith("| `NOBLINDSPOT_")}
    expected = {f"NOBLINDSPOT_{name.upper()}" for name in Settings.model_fields if name != "relay"}
    expected |= {f"NOBLINDSPOT_RELAY__{name.upper()}" for name in RelaySettings.model_fields}
    assert expected - rows == set()
