import pytest

from courses.content import EDUCATION_FILE, load_education, read
from courses.models import EducationText
from tests.factories import ConditionFactory

EDUCATION_CONDITIONS = ("osteoarthritis", "bursitis", "fai")


@pytest.fixture
def education_texts(db):
    """The shipped education texts (courses/data/education.json), loaded as `make run` does,
    on the three conditions of the catalogue."""
    for code in EDUCATION_CONDITIONS:
        ConditionFactory(code=code)
    load_education(read(EDUCATION_FILE))
    return list(EducationText.objects.select_related("condition"))
