"""The evidence settings: where footage is kept, the largest upload, how long a link lasts."""
from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import Settings


def test_defaults_keep_evidence_in_the_data_directory(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_evidence_dir() == tmp_path / "evidence"
    assert settings.max_upload_bytes == 4 * 1024**3 and settings.upload_link_hours == 72
    assert Settings(data_dir=tmp_path, evidence_dir=Path("/srv/ev")).resolved_evidence_dir() == Path("/srv/ev")


@pytest.mark.parametrize("field, value", [("max_upload_bytes", 1000), ("max_upload_bytes", 65 * 1024**3),
                                          ("upload_link_hours", 0), ("upload_link_hours", 24 * 15)])
def test_out_of_range_values_are_refused(tmp_path, field, value):
    with pytest.raises(ValidationError, match=field):
        Settings(data_dir=tmp_path, **{field: value})
