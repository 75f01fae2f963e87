"""How a consent change is classified for the transparency report (geo/consent.consent_change)."""
from datetime import date

import pytest

from geo.consent import ConsentChange, consent_change

JAN, JUN = date(2027, 1, 31), date(2027, 6, 30)


@pytest.mark.parametrize("old,old_exp,new,new_exp,expected", [
    ("live", JUN, "live", JUN, None),
    ("on_request", None, "live", JUN, ConsentChange.RAISED),
    ("registry_only", None, "on_request", None, ConsentChange.RAISED),
    ("live", JUN, "on_request", JUN, ConsentChange.LOWERED),
    ("live", None, "registry_only", None, ConsentChange.LOWERED),     # withdrawn
    (None, None, "live", None, ConsentChange.RAISED),                 # no level stored: listed only
    ("live", JAN, "live", JUN, ConsentChange.EXTENDED),
    ("live", JAN, "live", None, ConsentChange.EXTENDED),              # the end date dropped
    ("live", JUN, "live", JAN, ConsentChange.SHORTENED),
    ("live", None, "live", JAN, ConsentChange.SHORTENED),             # an end date where there was none
])
def test_consent_change_kinds(old, old_exp, new, new_exp, expected):
    assert consent_change(old, old_exp, new, new_exp) == expected
