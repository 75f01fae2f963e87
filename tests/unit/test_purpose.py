"""geo/purpose.py: the rule for why someone may look."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from geo.purpose import (
    PURPOSE_HOURS,
    Purpose,
    PurposeError,
    PurposeKind,
    PurposePolicy,
    PurposeProhibited,
)

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
POLICY = PurposePolicy.from_settings(["patrol_monitoring", "investigation", "lawful_assembly"],
                                     ["lawful_assembly", "personal_interest"])


def test_a_listed_reason_is_accepted_whatever_its_case_and_blanks():
    purpose = POLICY.check("reason", "  Patrol_Monitoring ", NOW)
    assert purpose == Purpose(PurposeKind.REASON, "patrol_monitoring", NOW)
    assert purpose.audit_value == "reason:patrol_monitoring"


def test_a_prohibited_purpose_is_refused_even_when_someone_listed_it():
    assert "lawful_assembly" in POLICY.reasons and "lawful_assembly" not in POLICY.choices
    with pytest.raises(PurposeProhibited, match="prohibited"):
        POLICY.check(PurposeKind.REASON, "lawful_assembly", NOW)
    with pytest.raises(PurposeProhibited):
        POLICY.check(PurposeKind.REASON, "PERSONAL_INTEREST", NOW)   # prohibited and not even listed


@pytest.mark.parametrize("value", ["", "   ", "curiosity", "patrol monitoring", "patrol_monitoring!"])
def test_anything_off_the_list_is_refused_and_the_list_is_named(value):
    with pytest.raises(PurposeError) as refused:
        POLICY.check(PurposeKind.REASON, value, NOW)
    assert not isinstance(refused.value, PurposeProhibited)


def test_a_case_must_be_an_open_incident():
    open_cases = {"INC-2026-0012"}
    assert POLICY.check("case", "INC-2026-0012", NOW, open_cases).audit_value == "case:INC-2026-0012"
    for code in ("INC-2026-0011", "inc-2026-0012", "patrol_monitoring"):
        with pytest.raises(PurposeError, match="not open"):
            POLICY.check("case", code, NOW, open_cases)
    with pytest.raises(ValueError):
        POLICY.check("hunch", "x", NOW, open_cases)


def test_a_purpose_holds_for_one_shift():
    purpose = POLICY.check("reason", "investigation", NOW)
    assert purpose.is_current(NOW + timedelta(hours=PURPOSE_HOURS) - timedelta(seconds=1))
    assert not purpose.is_current(NOW + timedelta(hours=PURPOSE_HOURS))
    assert not purpose.is_current(NOW - timedelta(minutes=1))      # a clock set back does not extend it


@pytest.mark.parametrize("reasons,prohibited,message", [
    ([], [], "no purpose is allowed"),
    (["lawful_assembly"], ["lawful_assembly"], "no purpose is allowed"),
    (["patrol monitoring"], [], "not usable"),
    (["x" * 41], [], "not usable"),
    (["patrol_monitoring"], ["demo;drop"], "not usable"),
])
def test_configuration_that_cannot_work_is_refused(reasons, prohibited, message):
    with pytest.raises(PurposeError, match=message):
        PurposePolicy.from_settings(reasons, prohibited)


def test_the_settings_carry_the_policy_and_refuse_a_list_with_nothing_allowed():
    from settings import Settings

    assert "patrol_monitoring" in Settings().purpose_policy().choices
    assert "lawful_assembly" not in Settings().purpose_policy().choices
    with pytest.raises(ValueError, match="no purpose is allowed"):
        Settings(purposes=("personal_interest",))
