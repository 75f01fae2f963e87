"""An error in the user's words, with the raw detail folded away for the operators who fix it.

The exceptions of geo/, db/ and the relay client carry English text written for operators and logs.
Pages show a translated sentence that says what happened and what to do; operators and admins (who
can act on the cause) also get the exception's own text in an expander, as the feeds page does for
the video stack. Commanders never see it.
"""
from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.i18n import _


def show_error(message: str, detail: object = None) -> None:
    """``message`` (already translated) in an error box; ``detail`` only for operators, folded."""
    st.error(message)
    if detail is None or not str(detail).strip() or not state.allowed("relay_control"):
        return
    with st.expander(_("Detail for the operator")):
        st.code(str(detail), language=None, wrap_lines=True)
