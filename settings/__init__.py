"""One typed settings object, built at each entry point and passed down (of ours it imports only the
pure geo.purpose rule, to check the purpose lists).

Values come from environment variables prefixed ``NOBLINDSPOT_`` and, when ``NOBLINDSPOT_CONFIG``
names a TOML file, from that file, and last from ``<data_dir>/secrets.toml``, the secrets
`noblindspot up` draws on first run (settings/secrets_file.py). Unknown keys are errors, in every
file. Secrets are ``SecretStr`` so they never print, have no default, and are checked at each entry
point (secrets_file.check_secrets); error texts come from ``describe_invalid``, without values.
The relay's own knobs are the nested ``relay`` section (settings/relay.py): a ``[relay]`` table in
the TOML file, or ``NOBLINDSPOT_RELAY__FFMPEG_PATH`` and the like in the environment.
"""
from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from geo.purpose import DEFAULT_PROHIBITED, DEFAULT_REASONS, PurposeError, PurposePolicy
from settings.relay import RelaySettings
from settings.secrets_file import SECRETS_FILE

# West Jakarta, with a margin: the region a registry accepts points in unless told otherwise.
WEST_JAKARTA_BBOX = (106.64, -6.26, 106.86, -6.08)


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "noblindspot"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOBLINDSPOT_", extra="forbid", env_nested_delimiter="__")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: SecretStr | None = None
    region_name: str = "Jakarta Barat"
    region_bbox: tuple[float, float, float, float] = WEST_JAKARTA_BBOX
    locale: str = "id"
    timezone: str = "Asia/Jakarta"
    relay_url: str = "http://127.0.0.1:8787"
    relay_public_url: str | None = None
    # where owners open their footage upload links (relay/intake.py); the relay's public address if unset
    intake_public_url: str | None = None
    # No defaults: `noblindspot up` draws them into <data_dir>/secrets.toml (settings/secrets_file.py),
    # and every entry point refuses to start without good ones (check_secrets).
    relay_operator_token: SecretStr | None = None
    relay_hls_secret: SecretStr | None = None
    insecure_dev: bool = False
    basemap_url: str | None = None              # a self-hosted raster XYZ tile URL, when there is no vector basemap
    basemap_file: Path | None = None            # the vector basemap (PMTiles); <data_dir>/basemap/basemap.pmtiles
    audit_retention_days: int = Field(default=730, ge=30)
    # footage handed over by owners (db/evidence_store.py): where it is kept, the largest file, how long
    # an upload link lasts
    evidence_dir: Path | None = None            # <data_dir>/evidence when unset
    max_upload_bytes: int = Field(default=4 * 1024**3, ge=1024**2, le=64 * 1024**3)
    upload_link_hours: int = Field(default=72, ge=1, le=24 * 14)
    # why someone may look (geo/purpose.py): the closed list, and purposes refused even if listed
    purposes: tuple[str, ...] = DEFAULT_REASONS
    prohibited_purposes: tuple[str, ...] = DEFAULT_PROHIBITED
    # [relay] in TOML, NOBLINDSPOT_RELAY__<KNOB> in the environment (settings/relay.py)
    relay: RelaySettings = Field(default_factory=RelaySettings)

    @field_validator("prohibited_purposes")
    @classmethod
    def _purposes_usable(cls, prohibited: tuple[str, ...], info) -> tuple[str, ...]:
        try:
            PurposePolicy.from_settings(info.data.get("purposes", DEFAULT_REASONS), prohibited)
        except PurposeError as exc:
            raise ValueError(str(exc)) from None
        return prohibited

    def purpose_policy(self) -> PurposePolicy:
        return PurposePolicy.from_settings(self.purposes, self.prohibited_purposes)

    @field_validator("region_bbox")
    @classmethod
    def _bbox_ordered(cls, v: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        minx, miny, maxx, maxy = v
        if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
            raise ValueError("region_bbox must be (min_lon, min_lat, max_lon, max_lat) in WGS 84")
        return v

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings, file_secret_settings]
        config_file = os.environ.get("NOBLINDSPOT_CONFIG")
        config = TomlConfigSettingsSource(settings_cls, toml_file=config_file) if config_file else None
        if config is not None:
            sources.append(config)
        # lowest: the secrets `up` drew into the data directory (a missing file is no source); the
        # data directory is looked up in the same order as every other setting
        data_dir = (init_settings.init_kwargs.get("data_dir") or os.environ.get("NOBLINDSPOT_DATA_DIR")
                    or (config().get("data_dir") if config is not None else None) or default_data_dir())
        secrets_toml = Path(data_dir).expanduser() / SECRETS_FILE
        if secrets_toml.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=secrets_toml))
        return tuple(sources)

    def resolved_basemap_file(self) -> Path:
        return (self.basemap_file or self.data_dir / "basemap" / "basemap.pmtiles").expanduser()

    def resolved_evidence_dir(self) -> Path:
        return (self.evidence_dir or self.data_dir / "evidence").expanduser()

    def resolved_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.data_dir / 'noblindspot.db'}"


def describe_invalid(exc: ValidationError) -> str:
    """What is wrong with the configuration, without the values: a mistyped key may hold a secret."""
    problems = exc.errors(include_input=False, include_url=False)
    return "; ".join(f"{'.'.join(str(part) for part in e['loc']) or 'settings'}: {e['msg']}" for e in problems)


def load_settings(**overrides) -> Settings:
    return Settings(**overrides)
