r"""The camera-code rule: what a code may be (the relay names a directory and a URL path after it), and
when two codes are the same to a person reading them.

    is_camera_code("JB-00123")        -> True
    is_camera_code("CAM 01")          -> False (space), "cam/02" (slash), ".." , "\uff2a\uff22-1" (full-width)
    look_alike_key("JB\u200b-01")      == look_alike_key("jb-01")   # zero-width, case, width folded away
"""
from __future__ import annotations

import re
import unicodedata

CAMERA_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CODE_RULE_TEXT = "1-64 ASCII letters, digits, '-', '_' or '.', starting with a letter or digit"
# Format characters that print as nothing (zero-width space/joiners, word joiner, BOM, soft hyphen).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def is_camera_code(text: str) -> bool:
    return bool(CAMERA_CODE.match(text)) and ".." not in text


def look_alike_key(text: str) -> str:
    """The code as a reader tells it apart: NFKC (full-width -> ASCII), case-folded, invisibles removed."""
    return unicodedata.normalize("NFKC", str(text).translate(_INVISIBLE)).casefold()


def code_problem(text: str) -> str | None:
    """Why ``text`` cannot be a camera code, with the fix where there is an obvious one; None if it can."""
    if is_camera_code(text):
        return None
    folded = unicodedata.normalize("NFKC", text.translate(_INVISIBLE))
    if folded != text and is_camera_code(folded):
        return f"holds invisible or full-width characters; write it as '{folded}'"
    return f"is not a camera code the relay can serve; use {CODE_RULE_TEXT}"
