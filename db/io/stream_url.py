"""The one rule for camera stream URLs, shared by the importer and the relay.

A stream URL is a secret (it usually carries the DVR's user name and password), so this module also
says how to show one without its credentials.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("rtsp", "rtsps")
REDACTED = "***"
MAX_URL_LENGTH = 2048
# Query parameters that carry credentials on common DVRs and NVRs (Dahua's ?user=&password=, tokens,
# signatures); their values are masked wherever a URL is shown.
CREDENTIAL_QUERY = re.compile(r"(?i)([?&;](?:user(?:name)?|usr|login|pass(?:word|wd)?|pwd|psw|token|auth"
                              r"|key|secret|sig(?:nature)?)=)[^&;#\s'\"<>]*")


class StreamURLError(ValueError):
    """A stream URL cannot be used; the message never contains the URL's credentials."""


def validate_stream_url(url: str) -> str:
    """Return the URL stripped of surrounding blanks, or raise StreamURLError saying what is wrong."""
    text = str(url).strip()
    if len(text) > MAX_URL_LENGTH:
        raise StreamURLError(f"stream URL is longer than {MAX_URL_LENGTH} characters; check that the cell holds "
                             "one URL")
    if any(ch.isspace() for ch in text):
        raise StreamURLError("stream URL contains spaces or line breaks")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise StreamURLError("stream URL contains control characters (a NUL byte, for example); retype it")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise StreamURLError("stream URL is malformed (check the host and port)") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = scheme or "none"
        raise StreamURLError(f"stream URL scheme '{shown}' is not allowed; use rtsp:// or rtsps://")
    if not parts.hostname:
        raise StreamURLError("stream URL has no host; write it as rtsp://host:554/path")
    if port == 0:
        raise StreamURLError("stream URL port must be between 1 and 65535")
    return text


def redact_query(text: str) -> str:
    """``text`` with the values of credential-like query parameters (password=, token= ...) masked."""
    return CREDENTIAL_QUERY.sub(lambda m: m.group(1) + REDACTED, text)


def query_secrets(url: str) -> list[str]:
    """The values of the credential-like query parameters of ``url`` (for masking echoes of them)."""
    return [m.group(0)[len(m.group(1)):] for m in CREDENTIAL_QUERY.finditer(url) if m.group(0)[len(m.group(1)):]]


def redact_stream_url(url: str | None) -> str | None:
    """The URL with any user:password and credential query values replaced by ***, safe for logs, reports
    and screens."""
    if url is None:
        return None
    text = redact_query(str(url))
    scheme_end = text.find("://")
    if scheme_end < 0:
        return text if "@" not in text else REDACTED + text[text.rfind("@"):]
    start = scheme_end + 3
    # The last "@" ends the credentials even when an unencoded password holds "/" or "@"; a path that
    # contains "@" is over-redacted, which is the safe direction.
    at = text.rfind("@", start)
    if at < 0:
        return text
    return text[:start] + REDACTED + text[at:]
