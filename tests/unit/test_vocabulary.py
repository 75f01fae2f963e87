import pytest

from geo.vocabulary import CameraKind, ConsentLevel, OwnerClass, PostKind, VocabularyError


@pytest.mark.parametrize("label,expected", [
    ("government", OwnerClass.GOVERNMENT), ("Pemerintah", OwnerClass.GOVERNMENT), ("PEMDA", OwnerClass.GOVERNMENT),
    ("perusahaan", OwnerClass.COMPANY), ("Swasta", OwnerClass.COMPANY), ("perumahan", OwnerClass.HOUSING),
    ("pribadi", OwnerClass.PRIVATE), ("warga", OwnerClass.PRIVATE), (" private ", OwnerClass.PRIVATE),
])
def test_owner_class_accepts_english_and_indonesian(label, expected):
    assert OwnerClass.parse(label) is expected


def test_unknown_label_says_what_is_accepted():
    with pytest.raises(VocabularyError, match="government, company, housing, private"):
        OwnerClass.parse("alien")


def test_other_enums_parse_aliases():
    assert CameraKind.parse("PTZ") is CameraKind.PTZ
    assert ConsentLevel.parse("on-request") is ConsentLevel.ON_REQUEST
    assert PostKind.parse("security post") is PostKind.SECURITY_POST
