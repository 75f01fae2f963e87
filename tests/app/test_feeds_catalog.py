"""Every UI string of the feeds, wall, player, coverage and registry pages has an Indonesian translation."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[2]
SOURCES = ["dashboard/components/player.py", "dashboard/components/wall.py", "dashboard/components/feed_table.py",
           "dashboard/components/relay_access.py", "dashboard/views/feeds.py", "dashboard/views/wall.py",
           "dashboard/views/coverage.py", "dashboard/views/registry.py", "dashboard/components/coverage_view.py",
           "dashboard/components/registry_form.py", "dashboard/components/planner_view.py", "dashboard/components/registry_upload.py"]
CATALOGUE = REPO / "dashboard/locales/{lang}/LC_MESSAGES/dashboard.po"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _msgids() -> list[str]:
    found: list[str] = []
    for source in SOURCES:
        path = REPO / source
        if not path.exists():
            continue
        for _line, message, _comments, _context in extract_from_file("python", str(path), keywords={"_": None}):
            message = message[0] if isinstance(message, tuple) else message
            if message and message not in found:
                found.append(message)
    return found


def _catalogue(lang: str) -> dict[str, str]:
    with Path(str(CATALOGUE).format(lang=lang)).open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale=lang) if m.id and not m.fuzzy}


def test_the_pages_use_many_messages():
    assert len(_msgids()) > 40


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_message_is_in_the_catalogue(lang):
    catalogue = _catalogue(lang)
    missing = [m for m in _msgids() if m not in catalogue]
    assert missing == []


def test_indonesian_translations_exist_and_keep_placeholders():
    catalogue = _catalogue("id")
    for msgid in _msgids():
        translated = catalogue[msgid]
        assert translated, f"no Indonesian text for {msgid!r}"
        assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(msgid)), msgid
