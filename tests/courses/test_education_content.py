"""The shipped education texts (courses/data/education.json): every condition has a text for each
of the first six weeks and one to keep going, in both languages, short, with a numbered source;
loading is idempotent and keeps admins' edits; the checklist offers them one at a time."""

import io
import re
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command

from courses import outcomes
from courses.content import EDUCATION_FILE, load_education, read
from courses.models import EducationRead, EducationText
from exercises.catalogue import read_catalogue
from tests.factories import ConditionFactory, PatientFactory, PlanFactory

pytestmark = pytest.mark.django_db

MAX_WORDS = 120  # a text a 70-year-old reads on a phone
REFERENCE = re.compile(r"\[\d+\]")  # a numbered source of clinical-facts.md


def _paragraphs(body):
    return [line for line in body.splitlines() if line.strip()]


def test_the_file_names_only_catalogue_conditions_and_each_slug_once():
    data = read(EDUCATION_FILE)
    catalogue = {c["code"] for c in read_catalogue()["conditions"]}
    assert {spec["condition"] for spec in data} == catalogue
    keys = Counter((spec["condition"], spec["slug"]) for spec in data)
    assert [key for key, n in keys.items() if n > 1] == []


def test_each_condition_has_weeks_1_to_6_and_a_text_to_keep_going(education_texts):
    weeks = defaultdict(list)
    for text in education_texts:
        weeks[text.condition.code].append(text.week)
    assert set(weeks) == {"osteoarthritis", "bursitis", "fai"}
    for code, numbers in weeks.items():
        assert len(numbers) >= 7, code
        assert set(range(1, 7)) <= set(numbers), code
        assert max(numbers) >= 8, code  # keep going after the course


def test_every_text_is_in_both_languages_with_a_numbered_source(education_texts):
    problems = []
    for text in education_texts:
        for field in ("title_en", "title_da", "body_en", "body_da"):
            if not getattr(text, field).strip():
                problems.append(f"{text.condition.code}/{text.slug}: {field} is empty")
        if not REFERENCE.search(text.source):
            problems.append(f"{text.condition.code}/{text.slug}: source cites no [n]")
        if text.title_en == text.title_da or text.body_en == text.body_da:
            problems.append(f"{text.condition.code}/{text.slug}: Danish is not translated")
    assert problems == []


def test_every_body_is_two_to_four_short_paragraphs(education_texts):
    problems = []
    for text in education_texts:
        for field in ("body_en", "body_da"):
            body = getattr(text, field)
            paragraphs = _paragraphs(body)
            if not 2 <= len(paragraphs) <= 4:
                problems.append(f"{text.slug} {field}: {len(paragraphs)} paragraphs")
            if len(paragraphs) != len(body.splitlines()):
                problems.append(f"{text.slug} {field}: blank lines")
            words = len(body.split())
            if words > MAX_WORDS:
                problems.append(f"{text.slug} {field}: {words} words")
    assert problems == []


def test_texts_speak_to_the_patient_and_keep_the_red_flag_qualifier(education_texts):
    for text in education_texts:
        assert re.search(r"\byour?\b", text.body_en, re.IGNORECASE), text.slug
        assert re.search(r"\b(du|dig|din|dit|dine)\b", text.body_da, re.IGNORECASE), text.slug
    for text in (t for t in education_texts if t.slug == "when-to-stop"):
        # Night pain alone is common in OA and GTPS; a red flag only with weight loss or cancer.
        night = next(p for p in _paragraphs(text.body_en) if p.startswith("Pain at night"))
        assert "weight loss" in night and "cancer" in night


def test_loading_twice_creates_nothing_new_and_keeps_an_admins_edit(education_texts):
    count = EducationText.objects.count()
    edited = EducationText.objects.get(condition__code="fai", slug="stay-out-of-the-pinch")
    edited.title_en = "Our clinic's own title"
    edited.save()

    assert load_education(read(EDUCATION_FILE)) == 0
    assert EducationText.objects.count() == count
    edited.refresh_from_db()
    assert edited.title_en == "Our clinic's own title"

    assert load_education(read(EDUCATION_FILE), update=True) == 0
    assert EducationText.objects.count() == count
    edited.refresh_from_db()
    assert edited.title_en == "Stay out of the pinch"


def test_the_management_command_loads_the_file_once():
    for code in ("osteoarthritis", "bursitis", "fai"):
        ConditionFactory(code=code)
    shipped = len(read(EDUCATION_FILE))
    out = io.StringIO()
    call_command("load_education", stdout=out)
    assert f"{shipped} new" in out.getvalue()
    assert EducationText.objects.count() == shipped

    out = io.StringIO()
    call_command("load_education", "--update", "--file", str(EDUCATION_FILE), stdout=out)
    assert "0 new" in out.getvalue()
    assert EducationText.objects.count() == shipped


def test_without_the_catalogue_the_command_says_so_and_loads_nothing():
    ConditionFactory(code="osteoarthritis")  # bursitis and fai are missing
    with pytest.raises(CommandError, match="load_catalogue"):
        call_command("load_education", stdout=io.StringIO())
    assert EducationText.objects.count() == 0


# The checklist's text: one at a time, in week and order, up to this week, unread first.


def _text(condition, slug, week, order, **extra):
    return EducationText.objects.create(
        condition=condition,
        slug=slug,
        week=week,
        order=order,
        title_en=slug,
        title_da=slug,
        body_en="One.\nTwo.",
        body_da="En.\nTo.",
        source="Test [1]",
        **extra,
    )


@pytest.fixture
def texts():
    oa = ConditionFactory(code="osteoarthritis")
    fai = ConditionFactory(code="fai")
    made = {
        "w1-second": _text(oa, "w1-second", 1, 2),
        "w1-first": _text(oa, "w1-first", 1, 1),
        "w2": _text(oa, "w2", 2, 1),
        "w3": _text(oa, "w3", 3, 0),
    }
    _text(oa, "hidden", 1, 0, is_active=False)
    _text(fai, "other-condition", 1, 0)
    return oa, made


def _slug(text):
    return text.slug if text else None


def test_education_next_gives_one_text_at_a_time_in_week_and_order(texts):
    oa, made = texts
    plan = PlanFactory(condition=oa)
    patient = plan.patient

    assert _slug(outcomes.education_next(patient, plan, 1)) == "w1-first"
    EducationRead.objects.create(patient=patient, text=made["w1-first"])
    assert _slug(outcomes.education_next(patient, plan, 1)) == "w1-second"
    EducationRead.objects.create(patient=patient, text=made["w1-second"])
    # Week 1 is read; week 2's text waits for week 2.
    assert outcomes.education_next(patient, plan, 1) is None
    assert _slug(outcomes.education_next(patient, plan, 2)) == "w2"
    # In week 3 an unread week-2 text still comes before week 3's.
    assert _slug(outcomes.education_next(patient, plan, 3)) == "w2"
    EducationRead.objects.create(patient=patient, text=made["w2"])
    assert _slug(outcomes.education_next(patient, plan, 3)) == "w3"
    EducationRead.objects.create(patient=patient, text=made["w3"])
    assert outcomes.education_next(patient, plan, 9) is None
    # No program week (not started): no text.
    assert outcomes.education_next(patient, plan, None) is None


def test_education_next_counts_only_this_patients_reads(texts):
    oa, made = texts
    plan = PlanFactory(condition=oa)
    other = PatientFactory(physio=plan.physio)
    EducationRead.objects.create(patient=other, text=made["w1-first"])
    assert _slug(outcomes.education_next(plan.patient, plan, 1)) == "w1-first"


def test_education_next_is_one_query(texts, django_assert_num_queries):
    oa, made = texts
    plan = PlanFactory(condition=oa)
    EducationRead.objects.create(patient=plan.patient, text=made["w1-first"])
    with django_assert_num_queries(1):
        outcomes.education_next(plan.patient, plan, 3)


def test_the_shipped_texts_come_one_a_week_over_the_first_six_weeks(education_texts):
    bursitis = next(t.condition for t in education_texts if t.condition.code == "bursitis")
    plan = PlanFactory(condition=bursitis)
    shown = []
    while (text := outcomes.education_next(plan.patient, plan, 6)) is not None:
        shown.append(text.week)
        EducationRead.objects.create(patient=plan.patient, text=text)
    assert shown == [1, 2, 3, 4, 5, 6]
    assert outcomes.education_next(plan.patient, plan, 8).slug == "keep-going"
