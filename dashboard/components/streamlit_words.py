"""Streamlit's own English words on an Indonesian screen, replaced by CSS (Streamlit 1.67 cannot
translate its widgets): the file uploader's "Upload" button and its "200MB per file • CSV" /
"Drag and drop" line. The original text is hidden (``display: none``) and the Indonesian words are
drawn as generated content, so neither a reader nor a screen reader meets the English; each uploader
states its limit and file types in a translated caption of its own. docs/dashboard.md lists the
English that remains."""
from __future__ import annotations

import streamlit as st

UPLOADER_ID = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "Unggah"; }
[data-testid="stFileUploaderDropzoneInstructions"] > div > span { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "Tekan Unggah, atau seret berkas ke kotak ini"; font-size: 0.875rem; opacity: 0.7; }
</style>"""


def render(lang: str) -> None:
    """Put the replacements on the page for ``lang`` (nothing for English)."""
    if lang == "id":
        st.html(UPLOADER_ID)
