"""Signed, expiring HLS tokens: the relay mints them (POST /api/feeds/{code}/token) and verifies them.

A token is ``<expiry>.<user>.<signature>``: the expiry in Unix seconds, the user name in URL-safe
base64, and an HMAC-SHA256 over a version tag, the camera code, the user and the expiry. The
camera code is not in the token but in the signed message, so a token minted for one camera is
refused for any other. Everything in a token is URL-safe, so it travels as ``?token=...``.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

TOKEN_VERSION = b"noblindspot-hls-v1"
MAX_TOKEN_LENGTH = 512
# The floor for an HMAC key, enforced here even in insecure development mode. The entry points ask
# for more (32 random bytes, no published value: settings/secrets_file.py check_secrets).
MIN_SECRET_BYTES = 16


class SecretTooShort(ValueError):
    """The HLS signing secret is empty or shorter than MIN_SECRET_BYTES."""


class TokenError(ValueError):
    """An HLS token cannot be accepted."""


class TokenMissing(TokenError):
    """No token was given."""


class TokenInvalid(TokenError):
    """The token is malformed, forged, or minted for another camera."""


class TokenExpired(TokenError):
    """The token was valid but its time is up."""


class _HasSecret(Protocol):
    def get_secret_value(self) -> str: ...


Secret = str | bytes | _HasSecret


@dataclass(frozen=True)
class HlsGrant:
    """What a valid token allows: this user may watch this camera until expires_at (Unix seconds)."""

    camera_code: str
    user: str
    expires_at: int


def secret_bytes(secret: Secret | None) -> bytes:
    """The key bytes of ``secret``; raises SecretTooShort (without the value) below the HMAC floor.

    Called when a relay API is built (relay/api.py ApiSettings), so a bad secret stops the start
    instead of failing every HLS request.
    """
    if secret is not None and hasattr(secret, "get_secret_value"):
        secret = secret.get_secret_value()
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    if not secret or len(secret) < MIN_SECRET_BYTES:
        raise SecretTooShort(f"the HLS secret must be at least {MIN_SECRET_BYTES} bytes (32 random bytes "
                             "outside insecure development mode); set a longer NOBLINDSPOT_RELAY_HLS_SECRET")
    return secret


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def _signature(key: bytes, camera_code: str, user: str, expires_at: int) -> bytes:
    message = b"\n".join([TOKEN_VERSION, camera_code.encode("utf-8"), user.encode("utf-8"),
                          str(expires_at).encode("ascii")])
    return hmac.new(key, message, hashlib.sha256).digest()


def _ttl_seconds(ttl: float | timedelta) -> float:
    seconds = ttl.total_seconds() if isinstance(ttl, timedelta) else float(ttl)
    if seconds <= 0:
        raise ValueError("the token lifetime (ttl) must be positive")
    return seconds


def mint_token(secret: Secret, camera_code: str, user: str, ttl: float | timedelta = 300,
               now: float | None = None) -> str:
    """A token letting ``user`` watch ``camera_code`` for ``ttl`` seconds from ``now``."""
    if not camera_code or not user:
        raise ValueError("a token needs a camera code and a user")
    issued = time.time() if now is None else now
    expires_at = int(issued + _ttl_seconds(ttl))
    signature = _signature(secret_bytes(secret), camera_code, user, expires_at)
    return f"{expires_at}.{_b64(user.encode('utf-8'))}.{_b64(signature)}"


def mint_windowed(secret: Secret, camera_code: str, user: str, ttl: float | timedelta,
                  now: float | None = None) -> str:
    """``mint_token`` issued at the start of the current window of ``ttl / 2`` seconds.

    Every request for the same camera and user inside one window gets the same token, so a page that
    draws the player again (a Streamlit rerun) produces the same HTML and the browser keeps its video;
    a token handed out stays valid for at least ``ttl / 2``.
    """
    seconds = _ttl_seconds(ttl)
    window = seconds / 2
    current = time.time() if now is None else now
    return mint_token(secret, camera_code, user, ttl=seconds, now=current - current % window)


def _split(token: str) -> tuple[int, str, bytes]:
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise TokenInvalid("malformed token")
    expiry_text, user_text, signature_text = token.split(".")
    if not (expiry_text.isascii() and expiry_text.isdigit()):   # "²".isdigit() is True, int("²") fails
        raise TokenInvalid("malformed token")
    try:
        user = _unb64(user_text).decode("utf-8")
        signature = _unb64(signature_text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise TokenInvalid("malformed token") from None
    return int(expiry_text), user, signature


def verify_token(secret: Secret, token: str | None, camera_code: str, now: float | None = None) -> HlsGrant:
    """The grant a token carries for ``camera_code``; raises a TokenError subclass otherwise."""
    if not token:
        raise TokenMissing("an HLS token is required (?token=...)")
    expires_at, user, signature = _split(token)
    expected = _signature(secret_bytes(secret), camera_code, user, expires_at)
    if not hmac.compare_digest(signature, expected):
        raise TokenInvalid("token signature does not match this camera")
    current = time.time() if now is None else now
    if current >= expires_at:
        raise TokenExpired("token expired; reload the player for a new one")
    return HlsGrant(camera_code=camera_code, user=user, expires_at=expires_at)
