"""HLS tokens: bound to camera, user and expiry; forged, foreign and expired tokens are refused."""
from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr

from relay.tokens import TokenExpired, TokenInvalid, TokenMissing, mint_token, verify_token

SECRET = "a-test-secret-of-enough-length"
NOW = 1_800_000_000.0


def test_round_trip_carries_user_camera_and_expiry():
    token = mint_token(SECRET, "JB-0001", "officer.ani", ttl=120, now=NOW)
    grant = verify_token(SECRET, token, "JB-0001", now=NOW + 60)
    assert grant.user == "officer.ani"
    assert grant.camera_code == "JB-0001"
    assert grant.expires_at == int(NOW + 120)


def test_token_is_url_safe():
    token = mint_token(SECRET, "JB-0001", "user with spaces/and?odd&chars=ü", ttl=60, now=NOW)
    assert all(c.isalnum() or c in "-_." for c in token)
    assert verify_token(SECRET, token, "JB-0001", now=NOW).user == "user with spaces/and?odd&chars=ü"


def test_secret_str_and_timedelta_accepted():
    token = mint_token(SecretStr(SECRET), "JB-0002", "u", ttl=timedelta(minutes=5), now=NOW)
    assert verify_token(SecretStr(SECRET), token, "JB-0002", now=NOW + 299).expires_at == int(NOW + 300)


def test_other_camera_refused():
    token = mint_token(SECRET, "JB-0001", "u", ttl=60, now=NOW)
    with pytest.raises(TokenInvalid):
        verify_token(SECRET, token, "JB-0002", now=NOW)


def test_other_secret_refused():
    token = mint_token("another-secret-of-enough-length", "JB-0001", "u", ttl=60, now=NOW)
    with pytest.raises(TokenInvalid):
        verify_token(SECRET, token, "JB-0001", now=NOW)


def test_expired_refused():
    token = mint_token(SECRET, "JB-0001", "u", ttl=60, now=NOW)
    with pytest.raises(TokenExpired):
        verify_token(SECRET, token, "JB-0001", now=NOW + 60)


@pytest.mark.parametrize("tamper", ["expiry", "user", "signature"])
def test_tampered_parts_refused(tamper):
    token = mint_token(SECRET, "JB-0001", "u", ttl=60, now=NOW)
    expiry, user, signature = token.split(".")
    if tamper == "expiry":
        expiry = str(int(expiry) + 3600)
    elif tamper == "user":
        user = mint_token(SECRET, "JB-0001", "admin", ttl=60, now=NOW).split(".")[1]
    else:
        signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    with pytest.raises(TokenInvalid):
        verify_token(SECRET, f"{expiry}.{user}.{signature}", "JB-0001", now=NOW)


@pytest.mark.parametrize("token", ["garbage", "1.2", "a.b.c", "1.!!.x", "9" * 600, "1.dQ.." + "x"])
def test_malformed_refused(token):
    with pytest.raises(TokenInvalid):
        verify_token(SECRET, token, "JB-0001", now=NOW)


@pytest.mark.parametrize("token", [None, ""])
def test_missing_refused(token):
    with pytest.raises(TokenMissing):
        verify_token(SECRET, token, "JB-0001", now=NOW)


def test_short_secret_refused_with_advice():
    with pytest.raises(ValueError, match="NOBLINDSPOT_RELAY_HLS_SECRET"):
        mint_token("short", "JB-0001", "u", ttl=60)


def test_non_positive_ttl_refused():
    with pytest.raises(ValueError, match="ttl"):
        mint_token(SECRET, "JB-0001", "u", ttl=0)


@pytest.mark.parametrize("expiry", ["\u00b2", "1\u0663", "\uff11\uff12"])
def test_a_non_ascii_digit_in_the_expiry_is_refused_not_a_crash(expiry):
    """Issue 12: "²".isdigit() is True but int("²") raises, which gave an unauthenticated 500."""
    token = mint_token(SECRET, "JB-0001", "u", ttl=60, now=NOW)
    forged = expiry + token[token.index("."):]
    with pytest.raises(TokenInvalid):
        verify_token(SECRET, forged, "JB-0001", now=NOW)
