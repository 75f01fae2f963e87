"""geo/codes.py: the camera-code rule the relay and the importer share, and look-alike folding."""
from __future__ import annotations

import pytest

from geo.codes import code_problem, is_camera_code, look_alike_key


@pytest.mark.parametrize("code", ["JB-00123", "a", "cam_01.main", "X" * 64])
def test_codes_the_relay_serves(code):
    assert is_camera_code(code) and code_problem(code) is None


@pytest.mark.parametrize("code", ["", "CAM 01", "cam/02", "..", "a..b", "-x", ".hidden", "X" * 65, "kamera\u00e9",
                                  "\u0410B-1"])                     # the last starts with a Cyrillic A
def test_codes_it_cannot(code):
    assert not is_camera_code(code) and code_problem(code)


def test_look_alikes_fold_to_one_key_and_the_fix_is_suggested():
    assert look_alike_key("JB\u200b-01") == look_alike_key("jb-01") == look_alike_key("\uff2a\uff22-01")
    assert look_alike_key("JB-01") != look_alike_key("JB-02")
    assert "write it as 'JB-01'" in code_problem("\uff2a\uff22-01")
    assert "write it as 'JB-01'" in code_problem("JB-01\ufeff")
