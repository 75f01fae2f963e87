"""What the pages say when a relay call fails: the relay client's own errors, in the user's words.

The relay client itself comes from dashboard/deps.py, like every shared object.
"""
from __future__ import annotations

from dashboard.i18n import _
from relay.client import RelayRefused, RelayUnavailable

RELAY_ERRORS: tuple[type[Exception], ...] = (RelayUnavailable, RelayRefused)


def relay_errors() -> tuple[type[Exception], ...]:
    """The relay client's own exception types: the only errors pages catch around relay calls."""
    return RELAY_ERRORS


def describe_for_viewer(exc: Exception) -> str:
    """What a commander reads when a live view cannot open: what happened and whom to tell, no detail."""
    if isinstance(exc, RelayRefused) and exc.status_code == 404:
        return _("This camera has no live feed on the video relay yet. An operator can add it on the Feeds "
                 "page.")
    if isinstance(exc, RelayRefused):
        return _("The video relay refused to open this camera. Tell the relay operator; the Feeds page shows "
                 "the reason.")
    return _("Live video is not available: the video relay does not answer. Tell the relay operator; the "
             "map and the registry keep working.")


def describe_relay_error(exc: Exception) -> str:
    """A translated sentence saying what went wrong with the relay and what to do next."""
    if isinstance(exc, RelayRefused):
        return _("The relay refused the request: {reason}. Check the feed's state and the relay's limits, "
                 "then try again.", reason=str(exc))
    return _("The relay cannot be reached: {reason}. Check that the relay is running (noblindspot relay) "
             "and that the dashboard's relay URL is right, then try again.", reason=str(exc))
