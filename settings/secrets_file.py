"""The running system's secrets: generated once into the data directory, checked at every start.

No secret has a default value. `noblindspot up` calls `ensure_secrets_file` on first run: the relay
operator token and the HLS signing secret are drawn at random (32 bytes, URL-safe text) and
written to ``<data_dir>/secrets.toml`` (0600, atomically, never overwritten). Settings read that
file below the environment (settings.py), so the relay and the dashboard that `up` starts, and any
later command of the same user, use them.

The relay, the dashboard and `up` refuse to start with an empty, published, placeholder-looking or
short secret (`check_secrets`: the one check all three use). Insecure development mode
(`--insecure-dev`, NOBLINDSPOT_INSECURE_DEV=1) lets published and short secrets through with a
warning on every start, but never a missing one, nor an HLS secret under the HMAC floor of
relay/tokens.py (the relay could not sign a single token with it).

`ensure_private_dir` creates the data directory 0700, and tightens (with a logged warning) one
that group or others could enter; up, the relay and the dashboard call it at start.
"""
from __future__ import annotations

import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
SECRETS_FILE = "secrets.toml"
# The HMAC floor relay/tokens.py enforces (MIN_SECRET_BYTES); settings import nothing of ours, so the
# figure is repeated here and tests/unit/test_secrets_file.py checks that the two agree.
HMAC_MIN_BYTES = 16
MIN_SECRET_BYTES = 32
MIN_DISTINCT_CHARACTERS = 8     # token_urlsafe(32) has ~30 of 64; "aaaa..." or "1234..." repeated is typed
GENERATED = ("relay_operator_token", "relay_hls_secret")
ENV_NAMES = {"relay_operator_token": "NOBLINDSPOT_RELAY_OPERATOR_TOKEN",
             "relay_hls_secret": "NOBLINDSPOT_RELAY_HLS_SECRET"}
# below these not even insecure development mode starts: an open API, an HMAC that cannot sign
HARD_FLOOR_BYTES = {"relay_operator_token": 1, "relay_hls_secret": HMAC_MIN_BYTES}
# Values that were published (earlier releases' defaults) or that people type as placeholders.
KNOWN_WEAK = frozenset({"dev-operator-token-change-me", "dev-hls-secret-change-me", "change-me", "changeme",
                        "secret", "password", "token", "test", "admin"})
PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "replace-me", "replaceme", "example")


class InsecureSecret(ValueError):
    """A secret is missing, published or too short; the message says which one and what to do."""


def secrets_path(data_dir: Path) -> Path:
    return Path(data_dir) / SECRETS_FILE


def ensure_private_dir(path: Path) -> Path:
    """Create `path` 0700, or tighten (and say so) an existing one that group or others could enter."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        path.chmod(0o700)
        log.warning("data directory %s was open to other users (mode %03o); tightened to 0700: it holds "
                    "camera credentials, secrets and video", path, mode)
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
            handle.flush()
            os.fsync(handle.fileno())     # whole on disk before it gets its name: never half-written
        os.link(tmp, path)        # atomic like os.replace, but fails if another process wrote it: never overwrite
    except FileExistsError:
        return None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def weakness(value: str | None) -> str | None:
    """Why this secret must not be used, or None when it is fine (never the value itself)."""
    if not value:
        return "is not set"
    folded = value.strip().lower()
    if folded in KNOWN_WEAK or any(word in folded for word in PLACEHOLDER_WORDS):
        return "is a published default or a placeholder"
    if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
        return f"is shorter than {MIN_SECRET_BYTES} bytes"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return "is not random (too few different characters)"
    return None


def check_secrets(settings, insecure_dev: bool = False) -> list[str]:
    """Raise InsecureSecret naming every bad secret; with insecure_dev, weak ones become warnings.

    Even with insecure_dev a secret under its hard floor (missing operator token, HLS secret under
    the HMAC floor) is refused: the relay would be open, or fail every HLS request.
    """
    fatal: list[tuple[str, str, int]] = []
    weak: list[tuple[str, str, int]] = []
    for name in GENERATED:
        secret = getattr(settings, name)
        value = secret.get_secret_value() if secret is not None else ""
        reason = weakness(value)
        if reason is not None:
            floor = HARD_FLOOR_BYTES[name]
            (fatal if len(value.encode("utf-8")) < floor else weak).append((name, reason, floor))
    if fatal or (weak and not insecure_dev):
        raise InsecureSecret(_refusal(fatal if insecure_dev else fatal + weak, settings.data_dir, insecure_dev))
    return [f"INSECURE DEVELOPMENT MODE: {ENV_NAMES[name]} {reason}; never run a real command centre like this"
            for name, reason, _floor in weak]


def _refusal(problems: list[tuple[str, str, int]], data_dir: Path, insecure_dev: bool) -> str:
    listed = "; ".join(f"{ENV_NAMES[name]} {reason}" for name, reason, _floor in problems)
    text = (f"refusing to start: {listed}. Run `noblindspot up` once (it draws the secrets into "
            f"{secrets_path(data_dir)}), or set each to {MIN_SECRET_BYTES}+ random bytes, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'.")
    if insecure_dev:
        floors = ", ".join(f"{ENV_NAMES[name]} at least {floor} byte(s)" for name, _r, floor in problems)
        return f"{text} Insecure development mode allows weak secrets, not these: {floors}."
    return f"{text} For a throw-away development setup only: --insecure-dev"
