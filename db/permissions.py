"""What each role may do, and who is acting: the one table pages and services check.

Pure: no Session, no I/O. db/users.py (accounts, sign-in) and db/audit.py (who did what) build on it.
"""
from __future__ import annotations

from dataclasses import dataclass

from geo.vocabulary import Role

_ALL = frozenset(Role)
_COMMANDER_UP = frozenset({Role.COMMANDER, Role.OPERATOR, Role.ADMIN})
_OPERATOR_UP = frozenset({Role.OPERATOR, Role.ADMIN})
_ADMIN = frozenset({Role.ADMIN})

# action -> roles allowed. Pages and services check the same table.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "briefing": _ALL,
    "live_view": _ALL,  # the briefing screen shows a strip of low-bitrate live tiles
    "map": _COMMANDER_UP,
    "coverage": _COMMANDER_UP,
    "incidents": _COMMANDER_UP,
    "incidents.edit": _COMMANDER_UP,
    "footage": _COMMANDER_UP,
    "footage.edit": _COMMANDER_UP,
    "owner_contacts": _COMMANDER_UP,
    "feeds": _OPERATOR_UP,
    "wall": _OPERATOR_UP,
    "relay_control": _OPERATOR_UP,
    "registry_edit": _ADMIN,
    "roster_edit": _ADMIN,
    "users": _ADMIN,
    "audit": _ADMIN,
}


class PermissionDenied(PermissionError):
    """The signed-in role may not do this."""


def can(role: Role | str | None, action: str) -> bool:
    if role is None:
        return False
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    try:
        return Role(role) in PERMISSIONS[action]
    except ValueError:
        return False


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user (or the command line) and the role it acts in."""

    username: str
    role: Role
    display_name: str | None = None

    def can(self, action: str) -> bool:
        return can(self.role, action)

    def require(self, action: str) -> None:
        if not self.can(action):
            raise PermissionDenied(f"the {self.role.value} role may not do '{action}'")
