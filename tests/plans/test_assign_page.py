"""Issue #15: the assign page as one screen of decisions. One condition picker (a GET form that
reloads the template's rows), rows whose labels name their unit, no blank rows waiting ticked
(an "Add an exercise" control adds one at the catalogue's dose, saving nothing), and a way
straight from adding a patient to assigning their program."""

import re

import pytest
from django.urls import reverse

from plans.forms import DoseChangeForm
from plans.models import Plan
from tests.factories import (
    ConditionFactory,
    ExerciseFactory,
    PatientFactory,
    PlanFactory,
    PrescriptionFactory,
    make_template,
)
from tests.plans.test_views_assign import assign_data

pytestmark = pytest.mark.django_db


def page_of(client, patient, **params):
    return client.get(reverse("plans:plan-assign", args=[patient.pk]), params)


def labels(html):
    """Each <label>'s text, visually hidden words included (what a screen reader says)."""
    found = re.findall(r"<label[^>]*>(.*?)</label>", html, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip() for text in found]


@pytest.fixture
def patient(physio, fai):
    return PatientFactory(physio=physio, condition=fai, affected_side="right")


def test_one_condition_picker(client, patient, fai_template):
    client.force_login(patient.physio)
    html = page_of(client, patient).content.decode()
    assert len(re.findall(r"<select[^>]*name=\"condition\"", html)) == 1
    # The plan form posts the condition shown, hidden; the picker belongs to the GET form.
    hidden = f'<input type="hidden" name="condition" value="{patient.condition.pk}"'
    assert hidden in html
    assert 'form="condition-pick"' in html and 'id="condition-pick" method="get"' in html


def test_choosing_another_condition_loads_its_template(client, patient, fai_template):
    bursitis = ConditionFactory(code="bursitis", name_en="Bursitis")
    clam = ExerciseFactory(name_en="Clam shell", suits=[bursitis])
    make_template(bursitis, [clam])
    client.force_login(patient.physio)
    response = page_of(client, patient, condition="bursitis")
    rows = [f.selected_exercise() for f in response.context["formset"].forms]
    assert rows == [clam]
    assert response.context["form"]["condition"].value() == bursitis.pk


def test_no_blank_rows_and_none_ticked(client, patient, fai_template):
    client.force_login(patient.physio)
    response = page_of(client, patient)
    rows = response.context["formset"].forms
    assert [f.selected_exercise().slug for f in rows] == [
        "side-step-band",
        "adductor-squeeze",
        "bridge",
    ]
    assert all(f["keep"].value() for f in rows)  # the template's rows are in
    html = response.content.decode()
    assert "Add an exercise (row" not in html
    assert 'name="add-exercise"' in html  # an empty "Add an exercise" control, not a row


def test_the_labels_name_the_unit(client, patient, fai_template):
    client.force_login(patient.physio)
    found = labels(page_of(client, patient).content.decode())
    assert found.count("Reps from") == 2 and found.count("Reps to") == 2  # side-step, bridge
    assert found.count("Seconds from") == 1 and found.count("Seconds to") == 1  # squeeze
    assert "From" not in found and "To" not in found


def test_the_dose_change_page_names_the_unit_too(patient):
    rx = PrescriptionFactory(plan=PlanFactory(patient=patient))
    form = DoseChangeForm(prescription=rx)
    assert (form["dose_min"].label, form["dose_max"].label) == ("Reps from", "Reps to")


def test_add_an_exercise_saves_nothing_and_keeps_what_was_typed(client, patient, fai_template):
    extra = ExerciseFactory(name_en="Extra", sets=3, dose_unit="seconds", dose_min=20, dose_max=30)
    data = assign_data(fai_template, patient, weeks=10)
    data["rx-0-dose_max"] = 10
    data["add-exercise"] = extra.pk
    data["add_row"] = "1"
    client.force_login(patient.physio)
    response = client.post(reverse("plans:plan-assign", args=[patient.pk]), data)
    assert response.status_code == 200 and not Plan.objects.exists()
    rows = response.context["formset"].forms
    assert [f.selected_exercise() for f in rows][-1] == extra
    assert rows[0]["dose_max"].value() == "10" and response.context["form"]["weeks"].value() == "10"
    added = rows[-1]
    assert (added["sets"].value(), added["dose_min"].value(), added["dose_max"].value()) == (
        "3",
        "20",
        "30",
    )
    assert added["keep"].value() and added["side"].value() == "right"
    html = response.content.decode()
    assert re.search(r'name="rx-3-sets"[^>]*autofocus|autofocus[^>]*name="rx-3-sets"', html)
    assert "Seconds from" in labels(html)
    assert response.context["add_form"]["exercise"].value() in (None, "")

    # Then saving keeps the added row with its dose.
    data = {k: v for k, v in data.items() if k not in ("add-exercise", "add_row")}
    data.update({"rx-TOTAL_FORMS": 4, "rx-3-keep": "on", "rx-3-exercise": extra.pk,
                 "rx-3-sets": 3, "rx-3-dose_min": 20, "rx-3-dose_max": 25, "rx-3-side": "right"})  # fmt: skip
    response = client.post(reverse("plans:plan-assign", args=[patient.pk]), data)
    assert response.status_code == 302
    assert Plan.objects.get().prescriptions.get(exercise=extra).dose_max == 25


def test_save_with_an_exercise_chosen_to_add_shows_it_first(client, patient, fai_template):
    extra = ExerciseFactory(name_en="Extra")
    data = assign_data(fai_template, patient)
    data["add-exercise"] = extra.pk
    client.force_login(patient.physio)
    response = client.post(reverse("plans:plan-assign", args=[patient.pk]), data)
    assert response.status_code == 200 and not Plan.objects.exists()
    assert response.context["formset"].forms[-1].selected_exercise() == extra


@pytest.mark.parametrize("problem", ["twice", "unknown", "nothing"])
def test_an_exercise_that_cannot_be_added(client, patient, fai_template, problem):
    data = assign_data(fai_template, patient)
    data["add_row"] = "1"
    data["add-exercise"] = {
        "twice": fai_template.items.first().exercise_id,
        "unknown": "999999",
        "nothing": "",
    }[problem]
    client.force_login(patient.physio)
    response = client.post(reverse("plans:plan-assign", args=[patient.pk]), data)
    assert response.status_code == 200 and not Plan.objects.exists()
    assert len(response.context["formset"].forms) == 3
    assert response.context["add_form"].errors["exercise"]


def test_an_added_cautioned_exercise_shows_its_caution(client, patient, fai_template, cautioned):
    data = assign_data(fai_template, patient)
    data["add-exercise"] = cautioned.pk
    client.force_login(patient.physio)
    response = client.post(reverse("plans:plan-assign", args=[patient.pk]), data)
    assert "Deep flexion pinches." in response.content.decode()
    assert 'name="rx-3-confirm_caution"' in response.content.decode()


def test_the_page_works_for_a_condition_without_a_template(client, physio):
    lonely = ConditionFactory(code="lonely", name_en="Lonely")
    ExerciseFactory(name_en="Walk")
    patient = PatientFactory(physio=physio, condition=lonely)
    client.force_login(physio)
    response = page_of(client, patient)
    assert response.status_code == 200 and response.context["formset"].forms == []
    assert "Walk" in response.content.decode()  # offered in "Add an exercise"


# --- Adding a patient, then straight to their program ----------------------------------------------


def test_add_patient_then_assign(client, physio, fai):
    client.force_login(physio)
    response = client.post(
        reverse("plans:patient-add"),
        {"first_name": "Ida", "last_name": "Holm", "email": "ida@example.org",
         "condition": fai.pk, "affected_side": "left", "then": "assign"},
    )  # fmt: skip
    patient = Plan._meta.get_field("patient").related_model.objects.get(email="ida@example.org")
    assert response.url == reverse("plans:plan-assign", args=[patient.pk])


def test_the_settings_are_summed_up_and_unfold_on_an_error(client, patient, fai_template):
    client.force_login(patient.physio)
    html = re.sub(r"\s+", " ", page_of(client, patient).content.decode())
    assert "Side: Right · starts " in html and " · 12 weeks · 3 a week · Pain monitoring" in html
    assert '<details class="mb-2 assign-settings">' in html  # folded
    data = assign_data(fai_template, patient, weeks=0)
    response = client.post(reverse("plans:plan-assign", args=[patient.pk]), data)
    assert '<details class="mb-2 assign-settings" open>' in response.content.decode()
