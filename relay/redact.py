"""Mask camera credentials in free text (ffmpeg stderr, error messages) before anyone sees it.

Stream URLs themselves are redacted with db.io.stream_url.redact_stream_url; this module handles
text that merely *contains* URLs or secrets, such as an ffmpeg error line that echoes its input.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

from db.io.stream_url import query_secrets, redact_query

MASK = "***"

# scheme://user:password@ or scheme://user@: the credentials end at the LAST "@" of the URL, since a
# password may hold an unencoded "@" or "/" (a path with "@" is over-masked, the safe direction)
_CREDENTIALS = re.compile(r"(?i)\b((?:rtsps?|rtmps?|https?|srt|tcp|udp)://)[^\s'\"<>]*@")


def redact(text: str | None, secrets: Iterable[str | None] = ()) -> str:
    """`text` with user:password in any URL and every given secret (also URL-decoded) replaced."""
    if not text:
        return text or ""
    cleaned = redact_query(_CREDENTIALS.sub(lambda m: m.group(1) + MASK + "@", text))
    for secret in _expand(secrets):
        cleaned = cleaned.replace(secret, MASK)
    return cleaned


def url_secrets(url: str) -> list[str]:
    """The user name, password and credential query values of a stream URL, for redact()."""
    found = query_secrets(url)
    scheme_end = url.find("://")
    at = url.rfind("@")
    if scheme_end < 0 or at < scheme_end:
        return found
    userinfo = url[scheme_end + 3:at]
    user, _, password = userinfo.partition(":")
    return [s for s in (userinfo, user, password) if s] + found


def _expand(secrets: Iterable[str | None]) -> list[str]:
    found: set[str] = set()
    for secret in secrets:
        if not secret or len(secret) < 3:    # a 1-2 char "secret" would mask half the log
            continue
        found.add(secret)
        found.add(unquote(secret))
    return sorted(found, key=len, reverse=True)
