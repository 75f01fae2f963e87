"""The one rule for camera stream URLs, shared by the importer and the relay.

A stream URL is a secret (it usually carries the DVR's user name and password), so this module also
says how to show one without its credentials.
"""
from __future__ import annotations

from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("rtsp", "rtsps")
REDACTED = "***"


class StreamURLError(ValueError):
    """A stream URL cannot be used; the message never contains the URL's credentials."""


def validate_stream_url(url: str) -> str:
    """Return the URL stripped of surrounding blanks, or raise StreamURLError saying what is wrong."""
    text = str(url).strip()
    if any(ch.isspace() for ch in text):
        raise StreamURLError("stream URL contains spaces or line breaks")
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


def redact_stream_url(url: str | None) -> str | None:
    """The URL with any user:password replaced by ***, safe for logs, reports and screens."""
    if url is None:
        return None
    text = str(url)
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
