"""The Danish wording issue #15 quoted as wrong reads as a Danish physiotherapist would write it."""

import json
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

import exercises

CATALOGUE = Path(exercises.__file__).resolve().parent / "data" / "catalogue.json"


@pytest.mark.parametrize(
    "english, must_have, must_not_have",
    [
        ("Invitation not yet accepted", "taget i brug", "modtaget"),
        ("Adherence", "træningspas", "Træningsflid"),
        ("Low adherence", "adhærens", "træningsflid"),
        (
            "Contact your physiotherapist, %(physio)s, today. If it is urgent, or you cannot put "
            "weight on the leg, call your doctor or emergency services (112).",
            "lægevagten",
            "ring til din læge eller 112",
        ),
    ],
)
def test_the_quoted_danish_is_mended(english, must_have, must_not_have):
    with translation.override("da"):
        danish = gettext(english)
    assert danish != english, "not translated"
    assert must_have in danish and must_not_have not in danish


def test_knee_fall_out_says_what_falls():
    exercises_by_name = {e["name_en"]: e for e in json.loads(CATALOGUE.read_text())["exercises"]}
    danish = [
        e["name_da"] for e in exercises_by_name.values() if e["name_da"].startswith("Knæfald")
    ]
    assert danish == ["Knæfald (lad knæet falde ud til siden)"]
