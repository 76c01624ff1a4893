from __future__ import annotations

import pytest

from tutor.transliteration import close, found_in, skeleton, skeletons


@pytest.mark.parametrize(
    ("latin", "devanagari"),
    [
        ("Bahraich", "बहराइच"),
        ("Cuttack", "कटक"),
        ("Jamtara", "जामताड़ा"),
        ("ambulance", "एम्बुलेंस"),
        ("Mysuru", "मैसूरु"),
        ("police", "पुलिस"),
        ("Nandurbar", "नंदुरबार"),
        ("fund", "फ़ंड"),
    ],
)
def test_a_name_and_its_devanagari_spelling_meet(latin: str, devanagari: str) -> None:
    assert close(skeleton(latin), skeleton(devanagari))


@pytest.mark.parametrize(("a", "b"), [("Cuttack", "Bhubaneswar"), ("Harda", "Sehore"), ("कटक", "भुवनेश्वर")])
def test_different_places_stay_apart(a: str, b: str) -> None:
    assert not close(skeleton(a), skeleton(b))


def test_one_edit_is_tolerated_only_for_long_skeletons() -> None:
    assert close("BNSVR", "BVNSVR")
    assert not close("KTK", "KTR")


def test_skeletons_of_mixed_text() -> None:
    pool = skeletons("Bahraich में 3,108 zero-dose बच्चे")
    assert found_in(skeleton("बहराइच"), pool)
    assert not found_in(skeleton("Cuttack"), pool)
