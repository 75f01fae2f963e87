"""Tell operators when `noblindspot up` could not start the camera simulator or the relay.

`up` records each child's state in the data directory (relay/local_stack.py). When one of the
video children failed, the feeds page says so in the user's language, says what to do, and keeps
the child's own (redacted) error line in an expander for the operator who fixes it.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.i18n import _
from relay.local_stack import ChildStatus, read_status


def _headline(status: ChildStatus) -> str:
    if status.name == "simulator":
        return _("The camera simulator could not start, so no demo camera can play.")
    if status.name == "relay":
        return _("The relay could not start, so no live video reaches the dashboard.")
    return _("A part of No Blindspot ({name}) stopped.", name=status.name)


def failed_children(data_dir: Path) -> list[ChildStatus]:
    return [s for s in read_status(data_dir).values() if s.failed and s.name in ("simulator", "relay")]


def render(data_dir: Path) -> None:
    """One error box per failed video child; nothing when all is well or `up` was not used."""
    for status in failed_children(data_dir):
        todo = (_("Ask the administrator of this server to run: {command}, then restart ./run.sh.",
                  command=status.hint) if status.hint
                else _("Ask the administrator of this server to read the detail below and restart ./run.sh."))
        st.error(f"{_headline(status)} {todo}")
        with st.expander(_("Detail for the operator ({name}, exit code {code})", name=status.name,
                           code=status.exit_code if status.exit_code is not None else "–")):
            st.code(status.reason or _("(no error line was printed)"), language=None, wrap_lines=True)
