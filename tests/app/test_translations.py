"""Every message the dashboard shows has an Indonesian translation, found by reading the code itself.

No list of files or pages: every ``_()`` call under dashboard/ is read with ``ast`` (Babel's extractor
silently skips a call whose first argument is not a literal, and such a string can never be looked up).
English needs no entries: message ids are English and ``i18n.translate`` falls back to the id.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from dashboard import i18n
from geo.vocabulary import Role

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Calls whose message id is a variable, each with the finite set of ids it can take (checked below).
DYNAMIC_CALLS = {
    ("app.py", "_(title)"): "page titles",
    ("auth.py", "_(user.role.value)"): "roles",
    ("views/users.py", "_(r.value)"): "roles",
    ("views/users.py", "_(u.role.value)"): "roles",
}


def _page_titles() -> list[str]:
    """The title msgids of dashboard/app.py's PAGES (read, not imported: importing app.py runs the app)."""
    tree = ast.parse((DASHBOARD / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets):
            return [title for title, _icon, _permission in ast.literal_eval(node.value).values()]
    raise AssertionError("dashboard/app.py has no PAGES table")


DYNAMIC_IDS = {"page titles": _page_titles, "roles": lambda: [role.value for role in Role]}


def _calls() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(literal msgid -> first place it is used, [(file, call) with a non-literal first argument])."""
    literal: dict[str, str] = {}
    dynamic: list[tuple[str, str]] = []
    for path in sorted(DASHBOARD.rglob("*.py")):
        relative = path.relative_to(DASHBOARD).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"):
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                literal.setdefault(first.value, f"{relative}:{node.lineno}")
            else:
                dynamic.append((relative, ast.unparse(node)))
    return literal, dynamic


def _all_msgids() -> dict[str, str]:
    literal, dynamic = _calls()
    ids = dict(literal)
    for place in dynamic:
        if place in DYNAMIC_CALLS:
            for msgid in DYNAMIC_IDS[DYNAMIC_CALLS[place]]():
                ids.setdefault(msgid, f"{place[0]} ({DYNAMIC_CALLS[place]})")
    return ids


def test_the_extractor_finds_the_dashboard_messages():
    literal, _dynamic = _calls()
    assert len(literal) > 300
    assert "Camera map" in literal and "Feeds" in literal


def test_every_non_literal_message_id_is_a_known_finite_set():
    _literal, dynamic = _calls()
    unknown = [f"{file}: {call}" for file, call in dynamic if (file, call) not in DYNAMIC_CALLS]
    assert unknown == [], "a computed message id cannot be extracted or translated; pass a literal"


def test_every_message_has_an_indonesian_translation():
    catalogue = i18n.load_catalogue("id")
    missing = [f"{where}: {msgid!r}" for msgid, where in _all_msgids().items() if msgid not in catalogue]
    assert missing == []


def test_translations_keep_the_placeholders_of_their_message_id():
    wrong = [(lang, msgid) for lang in i18n.LANGUAGES for msgid, text in i18n.load_catalogue(lang).items()
             if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(msgid))]
    assert wrong == []
