"""Typed coordinates for an incident: both orders, WKT, and clear refusals."""
import pytest

from db.incidents import IncidentError, check_in_region, clean_text, parse_coordinates

BBOX = (106.64, -6.26, 106.86, -6.08)


@pytest.mark.parametrize("text", ["-6.1683, 106.7589", "-6.1683,106.7589", "-6.1683; 106.7589",
                                  "106.7589 -6.1683", "  106.7589   -6.1683 ", "POINT(106.7589 -6.1683)",
                                  "106.7589, -6.1683", "-6.1683 106.7589"])
def test_both_orders_give_lon_lat(text):
    assert parse_coordinates(text) == pytest.approx((106.7589, -6.1683))


@pytest.mark.parametrize("text", ["", "Jl. Daan Mogot", "106.7", "1 2 3", "abc, def", "=1+1, 2"])
def test_unreadable_text_explains_the_format(text):
    with pytest.raises(IncidentError, match="lat, lon"):
        parse_coordinates(text)


def test_off_the_globe_refused():
    with pytest.raises(IncidentError, match="not a position on Earth"):
        parse_coordinates("200 100")


def test_region_check_and_swap_hint():
    check_in_region(106.7589, -6.1683, BBOX)
    with pytest.raises(IncidentError, match="outside the region"):
        check_in_region(110.0, -7.0, BBOX)
    with pytest.raises(IncidentError, match="swapped"):
        check_in_region(35.0, 15.0, (10.0, 20.0, 30.0, 40.0))


def test_clean_text_strips_controls_keeps_markup_for_escaping_later():
    assert clean_text("a\x00b <b>x</b>\n", 100, "description") == "ab <b>x</b>"
    with pytest.raises(IncidentError, match="at most 5"):
        clean_text("toolong", 5, "note")
