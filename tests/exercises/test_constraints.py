import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from exercises.models import Exercise
from tests.factories import ConditionFactory, ExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

# (field overrides, field the admin form reports the error on)
BAD_DOSES = [
    ({"dose_min": 16, "dose_max": 15}, "dose_max"),
    ({"sets": 0}, "sets"),
    ({"sets": 11}, "sets"),
    ({"dose_min": 0}, "dose_min"),
    ({"dose_max": 101}, "dose_max"),
    ({"dose_unit": "seconds", "dose_min": 30, "dose_max": 301}, "dose_max"),
    ({"dose_unit": "minutes", "dose_min": 10, "dose_max": 61}, "dose_max"),
]


@pytest.mark.parametrize("overrides,field", BAD_DOSES)
def test_database_rejects_bad_doses(overrides, field):
    exercise = ExerciseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(pk=exercise.pk).update(**overrides)


def test_database_rejects_a_duplicate_slug():
    ExerciseFactory(slug="bridge")
    with pytest.raises(IntegrityError):
        ExerciseFactory(slug="bridge")


def test_database_rejects_an_unknown_unit():
    exercise = ExerciseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(pk=exercise.pk).update(dose_unit="laps")


def admin_post_data(exercise, **overrides):
    data = {
        "slug": exercise.slug,
        "name_en": exercise.name_en,
        "name_da": exercise.name_da,
        "category": exercise.category,
        "difficulty": 1,
        "is_active": "on",
        "instructions_en": exercise.instructions_en,
        "instructions_da": exercise.instructions_da,
        "sets": exercise.sets,
        "dose_unit": exercise.dose_unit,
        "dose_min": exercise.dose_min,
        "dose_max": exercise.dose_max,
        "target_muscles_en": "glutes",
        "target_muscles_da": "balder",
        "equipment_en": "",
        "equipment_da": "",
        "easier_en": "",
        "easier_da": "",
        "harder_en": "",
        "harder_da": "",
        "source": "Test",
        "condition_notes-TOTAL_FORMS": 0,
        "condition_notes-INITIAL_FORMS": 0,
        "condition_notes-MIN_NUM_FORMS": 0,
        "condition_notes-MAX_NUM_FORMS": 1000,
        "pictures-TOTAL_FORMS": 0,
        "pictures-INITIAL_FORMS": 0,
        "pictures-MIN_NUM_FORMS": 0,
        "pictures-MAX_NUM_FORMS": 2,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("overrides,field", BAD_DOSES)
def test_admin_form_shows_each_dose_error_on_its_field(admin_client, overrides, field):
    exercise = ExerciseFactory()
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    response = admin_client.post(url, admin_post_data(exercise, **overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    exercise.refresh_from_db()
    assert exercise.dose_max <= 100 and exercise.sets >= 1


def test_admin_form_rejects_a_duplicate_slug(admin_client):
    ExerciseFactory(slug="bridge")
    exercise = ExerciseFactory()
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    response = admin_client.post(url, admin_post_data(exercise, slug="bridge"))
    assert "slug" in response.context["adminform"].form.errors


def test_admin_saves_a_valid_hold(admin_client):
    exercise = ExerciseFactory()
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    data = admin_post_data(exercise, dose_unit="seconds", dose_min=30, dose_max=45)
    assert admin_client.post(url, data).status_code == 302
    exercise.refresh_from_db()
    assert (exercise.dose_unit, exercise.dose_min, exercise.dose_max) == ("seconds", 30, 45)


def test_an_exercise_in_a_program_cannot_be_deleted_and_can_be_deactivated(admin_client):
    exercise = PrescriptionFactory().exercise
    url = reverse("admin:exercises_exercise_delete", args=[exercise.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert "1 program" in response.content.decode()
    response = admin_client.post(url, {"post": "yes"})  # the stock confirm does not delete it
    assert Exercise.objects.filter(pk=exercise.pk).exists()
    response = admin_client.post(url, {"deactivate": "1"})
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.is_active is False


def test_an_unused_exercise_can_be_deleted(admin_client):
    exercise = ExerciseFactory()
    url = reverse("admin:exercises_exercise_delete", args=[exercise.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Exercise.objects.filter(pk=exercise.pk).exists()


def test_database_protects_used_exercises():
    exercise = PrescriptionFactory().exercise
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        exercise.delete()


def test_admin_changelist_filters_and_search(admin_client):
    fai = ConditionFactory(code="fai")
    ExerciseFactory(name_en="Clam shell", suits=[fai])
    ExerciseFactory(name_en="Knee lift", category="mobility")
    url = reverse("admin:exercises_exercise_changelist")
    response = admin_client.get(url, {"q": "clam"})
    assert [e.name_en for e in response.context["cl"].result_list] == ["Clam shell"]
    response = admin_client.get(url, {"suits__id__exact": fai.pk})
    assert [e.name_en for e in response.context["cl"].result_list] == ["Clam shell"]
    response = admin_client.get(url, {"category__exact": "mobility"})
    assert [e.name_en for e in response.context["cl"].result_list] == ["Knee lift"]


def test_condition_admin_lists_conditions(admin_client):
    ConditionFactory(code="fai")
    response = admin_client.get(reverse("admin:exercises_condition_changelist"))
    assert response.status_code == 200
    assert "Fai" in response.content.decode()
