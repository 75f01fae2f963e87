"""Errors raised by the relay's media side (probe, command, process, supervisor).

Every message is safe to show: stream URLs appear only redacted.
"""
from __future__ import annotations


class RelayMediaError(Exception):
    """Base class for the relay's media errors."""


class InvalidCameraCode(RelayMediaError, ValueError):
    """A camera code cannot name a runtime directory (letters, digits, '-', '_', '.'; 1-64 chars)."""


class FeedConfigError(RelayMediaError, ValueError):
    """A feed cannot run as configured (forbidden URL scheme, unknown profile ...): state `failed`."""


class SourceUnreachable(RelayMediaError):
    """The camera did not answer the probe (refused, timeout, 401, 404 ...); worth retrying."""


class UnsupportedSource(RelayMediaError):
    """The camera answered but sends no video stream the relay can use."""
