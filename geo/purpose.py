"""Why someone looks: the purpose every live view, wall, export and footage request must state.

Indonesia's personal data law (UU PDP, Law 27/2022) asks for purpose limitation and accountability
in large-scale monitoring; the programme's owners agreed that police may use their cameras for
policing, not for anything. So a look at a camera states its purpose, and the audit log keeps it:

* a **case**: the code of an open incident (``INC-...``), checked against the incidents that exist
  and are not closed; or
* a **reason** from a closed list (``PurposePolicy.reasons``: patrol monitoring, event security,
  investigation, ...), which is configuration (``purposes`` in the settings).

Some purposes are prohibited (``prohibited_purposes``; by default watching a lawful assembly or
demonstration and watching a person for reasons unrelated to a case): they are refused in code here
even if someone also put them in the list, and the refusal says why. Nothing else is accepted: no
free text, no unknown reason, no closed or unknown case.

A purpose holds for ``PURPOSE_HOURS`` (one duty shift) and can be changed at any time; after that
the next look asks again (``is_current``). Pure functions, no I/O; the dashboard holds the choice.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

PURPOSE_HOURS = 8
DEFAULT_REASONS = ("patrol_monitoring", "incident_response", "investigation", "event_security",
                   "traffic_management", "missing_person", "briefing_screen")
DEFAULT_PROHIBITED = ("lawful_assembly", "personal_interest")
MAX_KEY = 40


class PurposeError(ValueError):
    """A purpose that cannot be used; the message says why and what to choose instead."""


class PurposeProhibited(PurposeError):
    """A purpose the programme forbids (configuration ``prohibited_purposes``)."""


class PurposeKind(StrEnum):
    CASE = "case"
    REASON = "reason"


@dataclass(frozen=True)
class Purpose:
    kind: PurposeKind
    value: str             # an incident code, or a reason key
    chosen_at: datetime    # aware; a purpose is current for PURPOSE_HOURS

    @property
    def audit_value(self) -> str:
        """What the audit log keeps: ``case:INC-2026-0012`` or ``reason:patrol_monitoring``."""
        return f"{self.kind.value}:{self.value}"

    def is_current(self, now: datetime) -> bool:
        return timedelta(0) <= now - self.chosen_at < timedelta(hours=PURPOSE_HOURS)


def _key(text: str) -> str:
    return str(text).strip().lower()


@dataclass(frozen=True)
class PurposePolicy:
    reasons: tuple[str, ...] = DEFAULT_REASONS
    prohibited: tuple[str, ...] = DEFAULT_PROHIBITED

    @classmethod
    def from_settings(cls, reasons: Iterable[str], prohibited: Iterable[str]) -> PurposePolicy:
        """The policy from configuration; refuses an empty list and malformed keys."""
        allowed = tuple(dict.fromkeys(_key(r) for r in reasons))
        banned = tuple(dict.fromkeys(_key(p) for p in prohibited))
        for key in (*allowed, *banned):
            if not key or len(key) > MAX_KEY or not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in key):
                raise PurposeError(f"purpose key {key!r} is not usable: use lower-case letters, digits and _ "
                                   f"(at most {MAX_KEY} characters)")
        if not [key for key in allowed if key not in banned]:
            raise PurposeError("no purpose is allowed: list at least one in `purposes` that is not prohibited")
        return cls(reasons=allowed, prohibited=banned)

    @property
    def choices(self) -> tuple[str, ...]:
        """The reasons a user may choose (the list without the prohibited ones)."""
        return tuple(r for r in self.reasons if r not in self.prohibited)

    def check(self, kind: PurposeKind | str, value: str, now: datetime,
              open_case_codes: Collection[str] = ()) -> Purpose:
        """The purpose, or PurposeError/PurposeProhibited saying why it is refused."""
        kind = PurposeKind(kind)
        text = str(value or "").strip()
        if not text:
            raise PurposeError("state the purpose: an open incident's code or a reason from the list")
        if kind is PurposeKind.CASE:
            if text not in open_case_codes:
                raise PurposeError(f"incident {text} is not open (closed or unknown): choose an open incident "
                                   "or a reason from the list")
            return Purpose(kind, text, now)
        key = _key(text)
        if key in self.prohibited:
            raise PurposeProhibited(f"'{key}' is a prohibited purpose: cameras of this programme may not be "
                                    "watched for it")
        if key not in self.reasons:
            raise PurposeError(f"'{key}' is not on the list of purposes; choose one of: {', '.join(self.choices)}")
        return Purpose(kind, key, now)
