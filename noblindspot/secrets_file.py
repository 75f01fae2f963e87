"""The running system's secrets: generated once into the data directory, checked at every start.

No secret has a default value. `noblindspot up` calls `ensure_secrets_file` on first run: the relay
operator token and the HLS signing secret are drawn at random (32 bytes, URL-safe text) and
written to ``<data_dir>/secrets.toml`` (0600, atomically, never overwritten). Settings read that
file below the environment (settings.py), so the relay and the dashboard that `up` starts, and any
later command of the same user, use them.

The relay, the dashboard and `up` refuse to start with an empty, published or short secret
(`check_secrets`), unless insecure development mode is asked for, which they then say on every start.
"""
from __future__ import annotations

import os
import secrets
import stat
import tempfile
from pathlib import Path

SECRETS_FILE = "secrets.toml"
MIN_SECRET_BYTES = 32
GENERATED = ("relay_operator_token", "relay_hls_secret")
ENV_NAMES = {"relay_operator_token": "NOBLINDSPOT_RELAY_OPERATOR_TOKEN",
             "relay_hls_secret": "NOBLINDSPOT_RELAY_HLS_SECRET"}
# Values that were published (earlier releases' defaults) or that people type as placeholders.
KNOWN_WEAK = frozenset({"dev-operator-token-change-me", "dev-hls-secret-change-me", "change-me", "changeme",
                        "secret", "password", "token", "test", "admin"})


class InsecureSecret(ValueError):
    """A secret is missing, published or too short; the message says which one and what to do."""


def secrets_path(data_dir: Path) -> Path:
    return Path(data_dir) / SECRETS_FILE


def ensure_private_dir(path: Path) -> Path:
    """Create `path` 0700, or tighten an existing one that others could enter."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o700)
    return path


def ensure_secrets_file(data_dir: Path) -> Path | None:
    """Write freshly drawn secrets to ``<data_dir>/secrets.toml`` unless it exists; its path when written."""
    path = secrets_path(ensure_private_dir(data_dir))
    if path.exists():
        return None
    lines = ["# No Blindspot secrets, drawn at random on first run. Keep this file private (0600)."]
    lines += [f'{name} = "{secrets.token_urlsafe(MIN_SECRET_BYTES)}"' for name in GENERATED]
    fd, tmp = tempfile.mkstemp(prefix=".secrets-", dir=path.parent)          # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.link(tmp, path)        # fails if another process wrote it meanwhile: never overwrite
    except FileExistsError:
        return None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def weakness(value: str | None) -> str | None:
    """Why this secret must not be used, or None when it is fine."""
    if not value:
        return "is not set"
    if value.strip().lower() in KNOWN_WEAK:
        return "is a published default"
    if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
        return f"is shorter than {MIN_SECRET_BYTES} bytes"
    return None


def check_secrets(settings, insecure_dev: bool = False) -> list[str]:
    """Raise InsecureSecret for the first bad secret; with insecure_dev, return warnings instead."""
    problems = []
    for name in GENERATED:
        secret = getattr(settings, name)
        reason = weakness(secret.get_secret_value() if secret is not None else None)
        if reason:
            problems.append(f"{ENV_NAMES[name]} {reason}")
    if problems and not insecure_dev:
        raise InsecureSecret(
            f"refusing to start: {'; '.join(problems)}. Run `noblindspot up` once (it draws the secrets into "
            f"{secrets_path(settings.data_dir)}), or set each to {MIN_SECRET_BYTES}+ random bytes, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'. For a throw-away development "
            "setup only: --insecure-dev")
    return [f"INSECURE DEVELOPMENT MODE: {p}; never run a real command centre like this" for p in problems]
