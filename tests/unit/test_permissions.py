"""The role table: each role can do exactly what the issue lists."""
import pytest

from db.users import PERMISSIONS, Actor, PermissionDenied, can
from geo.vocabulary import Role

EXPECTED = {
    Role.BRIEFING: {"briefing", "live_view"},
    Role.COMMANDER: {"briefing", "live_view", "map", "coverage", "incidents", "incidents.edit", "footage",
                     "footage.edit", "owner_contacts"},
}
EXPECTED[Role.OPERATOR] = EXPECTED[Role.COMMANDER] | {"feeds", "wall", "relay_control"}
EXPECTED[Role.ADMIN] = EXPECTED[Role.OPERATOR] | {"registry_edit", "roster_edit", "users", "audit"}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_its_permissions(role):
    assert {action for action in PERMISSIONS if can(role, action)} == EXPECTED[role]


def test_roles_are_nested():
    assert EXPECTED[Role.COMMANDER] < EXPECTED[Role.OPERATOR] < EXPECTED[Role.ADMIN]


def test_unknown_action_is_a_bug_not_a_denial():
    with pytest.raises(KeyError):
        can(Role.ADMIN, "launch_missiles")


def test_no_role_or_bad_role_can_do_nothing():
    assert not can(None, "briefing")
    assert not can("superuser", "briefing")


def test_actor_require_raises_for_forbidden_action():
    Actor("a", Role.OPERATOR).require("relay_control")
    with pytest.raises(PermissionDenied, match="commander role may not do 'relay_control'"):
        Actor("c", Role.COMMANDER).require("relay_control")
