"""Issue 12, "Programs": what the patient reads under an exercise.

⚠ caution reasons are for the physio only; the template's note and an approved "next step" are
shown in the reader's language; a side label only under exercises done per side.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from exercises.dose import Dose
from exercises.models import Condition, ProgramTemplate
from plans import rules, services
from plans.forms import DoseChangeForm, assign_formset
from plans.models import NextStep, Plan, Prescription
from tests.factories import (
    ConditionNoteFactory,
    ExerciseFactory,
    PatientFactory,
    PlanFactory,
    PrescriptionFactory,
    make_template,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate

REASON_EN = "Deep hip bending can provoke impingement."
REASON_DA = "Dyb bøjning i hoften kan fremprovokere impingement."
ADVICE_EN = "Bring the knee up only as far as it is comfortable."
ADVICE_DA = "Før kun knæet så langt op, som det er behageligt."


def days_ago(n):
    return TODAY() - datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _english_unless_told():
    # A request with the Danish cookie leaves Danish active in the thread; start each test in
    # English so direct renders and form labels do not depend on the order tests run in.
    with translation.override("en"):
        yield


def html(response):
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def chest(fai):
    exercise = ExerciseFactory(
        slug="knee-to-chest", name_en="Knee to chest", name_da="Knæ til mave", alternating=True
    )
    ConditionNoteFactory(
        exercise=exercise, condition=fai, kind="caution", reason_en=REASON_EN,
        reason_da=REASON_DA, advice_en=ADVICE_EN, advice_da=ADVICE_DA,
    )  # fmt: skip
    return exercise


@pytest.fixture
def cautioned_plan(patient, fai, chest):
    """A plan holding an exercise cautioned for its condition, confirmed by the physio."""
    plan = PlanFactory(patient=patient, condition=fai, start_date=days_ago(3))
    PrescriptionFactory(plan=plan, exercise=chest, caution_confirmed=True)
    return plan


# --- ⚠ caution reasons are for the physio -------------------------------------------------------

PATIENT_PAGES = ["plans:today", "plans:my-program", "plans:my-program-print"]


@pytest.mark.parametrize("url_name", PATIENT_PAGES)
@pytest.mark.parametrize("language", ["en", "da"])
def test_patient_sees_the_advice_never_the_caution_reason(
    client, patient, cautioned_plan, url_name, language
):
    client.force_login(patient)
    client.cookies["django_language"] = language
    page = html(client.get(reverse(url_name)))
    advice, reason = (ADVICE_DA, REASON_DA) if language == "da" else (ADVICE_EN, REASON_EN)
    assert advice in page
    assert reason not in page and REASON_EN not in page


def test_the_handout_the_physio_prints_has_no_caution_reason(client, physio, cautioned_plan):
    client.force_login(physio)
    page = html(client.get(reverse("plans:plan-handout", args=[cautioned_plan.pk])))
    assert ADVICE_EN in page
    assert REASON_EN not in page


def test_the_physio_sees_the_caution_reason_on_the_patient_page(
    client, physio, patient, cautioned_plan
):
    client.force_login(physio)
    page = html(client.get(reverse("plans:patient-detail", args=[patient.pk])))
    assert f"⚠ {REASON_EN}" in page
    assert ADVICE_EN in page  # and what the patient reads


def test_an_adaptation_is_still_shown_to_the_patient(client, patient, fai):
    cycling = ExerciseFactory(name_en="Stationary cycling", dose_unit="minutes", dose_max=20)
    ConditionNoteFactory(
        exercise=cycling, condition=fai, kind="adapt", reason_en="Raise the saddle."
    )
    plan = PlanFactory(patient=patient, condition=fai, start_date=days_ago(3))
    PrescriptionFactory(plan=plan, exercise=cycling, dose=Dose(1, "minutes", 10, 20))
    client.force_login(patient)
    assert "✎ Raise the saddle." in html(client.get(reverse("plans:my-program")))


# --- The template's note and the next step, in the reader's language --------------------------


@pytest.fixture
def bridge(fai):
    return ExerciseFactory(
        slug="bridge", name_en="Bridge", name_da="Bækkenløft", harder_en="Single-leg bridge",
        harder_da="Bækkenløft på ét ben", easier_en="Small range", easier_da="Lille bevægeudslag",
        suits=[fai],
    )  # fmt: skip


@pytest.fixture
def noted_template(fai, bridge):
    template = make_template(fai, [bridge])
    template.items.update(
        note_en="Do this one first.", note_da="Tag denne øvelse først."
    )  # fmt: skip
    return template


def assign(patient, template, **kwargs):
    return services.plan_assign(
        physio=patient.physio, patient=patient, condition=template.condition, side="left",
        start_date=days_ago(7), weeks=12, sessions_per_week=3,
        items=kwargs.pop("items", None) or services.template_items(template), template=template,
        **kwargs,
    )  # fmt: skip


def my_program(client, patient, language):
    client.force_login(patient)
    client.cookies["django_language"] = language
    return html(client.get(reverse("plans:my-program")))


def test_the_template_note_is_stored_in_both_languages(patient, noted_template):
    rx = assign(patient, noted_template).prescriptions.get()
    assert (rx.guide_en, rx.guide_da, rx.note) == (
        "Do this one first.",
        "Tag denne øvelse først.",
        "",
    )
    assert rx.guide == "Do this one first."
    with translation.override("da"):
        assert rx.guide == "Tag denne øvelse først."


@pytest.mark.parametrize(
    "language,shown,hidden",
    [
        ("en", "Do this one first.", "Tag denne øvelse først."),
        ("da", "Tag denne øvelse først.", "Do this one first."),
    ],
)
def test_the_patient_reads_the_template_note_in_their_language(
    client, patient, noted_template, language, shown, hidden
):
    assign(patient, noted_template)
    for page in (
        my_program(client, patient, language),
        html(client.get(reverse("plans:my-program-print"))),
    ):
        assert shown in page and hidden not in page


def test_the_physios_own_note_stays_as_typed(patient, noted_template, bridge):
    items = [
        services.ItemSpec(exercise=bridge, dose=Dose(2, "reps", 10, 15), note="Slowly, please.")
    ]
    rx = assign(patient, noted_template, items=items).prescriptions.get()
    assert rx.note == "Slowly, please."
    assert (rx.guide_en, rx.guide_da) == ("Do this one first.", "Tag denne øvelse først.")


def test_the_assign_form_shows_the_template_note_and_leaves_the_physios_note_empty(
    noted_template,
):
    formset = assign_formset(noted_template.condition, clinic_id=None, template=noted_template)
    row = formset.forms[0]
    assert row["note"].value() in (None, "")
    with translation.override("en"):
        assert row.guide() == "Do this one first."


def test_assigning_through_the_form_keeps_both_languages(client, physio, noted_template):
    patient = PatientFactory(physio=physio, condition=noted_template.condition)
    client.force_login(physio)
    item = noted_template.items.get()
    data = {
        "condition_code": "fai", "condition": noted_template.condition.pk, "side": "left",
        "start_date": TODAY().isoformat(), "weeks": 13, "sessions_per_week": 3,
        "submission_key": "6d1f0b8e-2f7c-4c59-9a4e-1f6b8f0a6c11", "rx-TOTAL_FORMS": 1,
        "rx-INITIAL_FORMS": 0, "rx-MIN_NUM_FORMS": 0, "rx-MAX_NUM_FORMS": 40,
        "rx-0-keep": "on", "rx-0-exercise": item.exercise_id, "rx-0-sets": 2,
        "rx-0-dose_min": 10, "rx-0-dose_max": 15, "rx-0-side": "both",
    }  # fmt: skip
    response = client.post(reverse("plans:plan-assign", args=[patient.pk]), data)
    assert response.status_code == 302
    rx = Plan.objects.get(patient=patient).prescriptions.get()
    assert (rx.guide_en, rx.guide_da, rx.note) == (
        "Do this one first.",
        "Tag denne øvelse først.",
        "",
    )


def _approve(plan, kind, rx):
    services.suggestion_decide(
        plan=plan, by=plan.physio, kind=kind, reason="test", latest_session_date=days_ago(1),
        approve=True, prescription_ids=[rx.pk],
    )  # fmt: skip
    return Prescription.objects.current().get(plan=plan, exercise=rx.exercise)


@pytest.mark.parametrize(
    "kind,dose,code,english,danish",
    [
        # The top of the ladder: the harder variant (rules.progress_step).
        (rules.PROGRESS, Dose(rules.PROGRESSION_MAX_SETS, "reps", 15, 15), NextStep.HARDER,
         "Next step: Single-leg bridge.", "Næste trin: Bækkenløft på ét ben."),
        # The bottom of the ladder: the easier variant (rules.ease_off_step).
        (rules.EASE_OFF, Dose(1, "reps", rules.EASE_OFF_MIN_REPS, rules.EASE_OFF_MIN_REPS),
         NextStep.EASIER, "Make it easier: Small range.", "Gør det lettere: Lille bevægeudslag."),
    ],
)  # fmt: skip
def test_an_approved_variant_is_a_code_worded_in_the_readers_language(
    client, patient, noted_template, kind, dose, code, english, danish
):
    plan = assign(patient, noted_template)
    rx = plan.prescriptions.get()
    rx.dose, rx.note = dose, "Keep your back flat."
    rx.save()
    with translation.override("en"):  # the physio approves in English
        new = _approve(plan, kind, rx)
    assert new.next_step == code
    assert new.note == "Keep your back flat."  # the physio's note is not overwritten
    assert (new.guide_en, new.guide_da) == ("Do this one first.", "Tag denne øvelse først.")
    with translation.override("da"):
        assert new.next_step_text == danish
    page = my_program(client, patient, "da")
    assert danish in page and english not in page
    page = my_program(client, patient, "en")
    assert english in page and danish not in page


def test_a_step_that_is_not_a_variant_keeps_the_variant(patient, noted_template):
    plan = assign(patient, noted_template)
    rx = plan.prescriptions.get()
    rx.dose, rx.next_step = Dose(2, "reps", 10, 15), NextStep.HARDER
    rx.save()
    new = _approve(plan, rules.PROGRESS, rx)
    assert new.dose == Dose(2, "reps", 12, 15) and new.next_step == NextStep.HARDER


def test_a_dose_change_carries_the_note_and_the_variant(patient, noted_template):
    rx = assign(patient, noted_template).prescriptions.get()
    rx.next_step = NextStep.EASIER
    rx.save()
    new = services.prescription_change_dose(
        prescription=rx, by=patient.physio, dose=Dose(3, "reps", 10, 15)
    )
    assert (new.guide_en, new.guide_da, new.next_step) == (
        "Do this one first.", "Tag denne øvelse først.", NextStep.EASIER,
    )  # fmt: skip
    newer = services.prescription_change_dose(
        prescription=new, by=patient.physio, dose=Dose(3, "reps", 10, 15), next_step=""
    )
    assert newer.next_step == NextStep.NONE


def test_the_physio_chooses_the_variant_on_the_dose_change_form(client, physio, noted_template):
    patient = PatientFactory(physio=physio)
    rx = assign(patient, noted_template).prescriptions.get()
    choices = dict(DoseChangeForm(prescription=rx).fields["next_step"].choices)
    assert choices[NextStep.HARDER] == "Next step: Single-leg bridge."
    client.force_login(physio)
    response = client.post(
        reverse("plans:prescription-change", args=[rx.pk]),
        {"sets": 2, "dose_min": 10, "dose_max": 15, "next_step": "harder", "reason": "Easy"},
    )
    assert response.status_code == 302
    assert Prescription.objects.current().get(plan=rx.plan).next_step == NextStep.HARDER


# --- Side labels only under exercises done per side --------------------------------------------


def _item(rx):
    return render_to_string(
        "plans/_prescription_item.html", {"rx": rx, "condition": rx.plan.condition}
    )


@pytest.mark.parametrize(
    "per_side,alternating,shown",
    [(False, False, False), (True, False, True), (False, True, True)],
)
def test_side_label_only_for_exercises_done_per_side(patient, fai, per_side, alternating, shown):
    plan = PlanFactory(patient=patient, condition=fai, side="left")
    exercise = ExerciseFactory(per_side=per_side, alternating=alternating)
    rx = PrescriptionFactory(plan=plan, exercise=exercise, side="left")
    assert ("Side: Left" in _item(rx)) is shown


def test_no_side_under_cycling_on_the_patients_pages(client, patient, fai):
    cycling = ExerciseFactory(name_en="Stationary cycling", dose_unit="minutes", dose_max=20)
    clam = ExerciseFactory(name_en="Clam shell", per_side=True)
    plan = PlanFactory(patient=patient, condition=fai, side="left", start_date=days_ago(3))
    PrescriptionFactory(plan=plan, exercise=cycling, side="left", dose=Dose(1, "minutes", 10, 20))
    client.force_login(patient)
    for name in PATIENT_PAGES:
        assert "Side: Left" not in html(client.get(reverse(name))), name
    PrescriptionFactory(plan=plan, exercise=clam, side="left", order=1)
    for name in PATIENT_PAGES:
        assert html(client.get(reverse(name))).count("Side: Left") == 1, name


# --- The assign page, with the real catalogue ---------------------------------------------------


def test_the_assign_page_says_two_sets_is_a_product_rule(client, physio):
    call_command("load_catalogue")
    bursitis = Condition.objects.get(code="bursitis")
    patient = PatientFactory(physio=physio, condition=bursitis)
    client.force_login(physio)
    page = html(client.get(reverse("plans:plan-assign", args=[patient.pk])))
    rows = page.split('<fieldset class="card mb-2')[1:]
    notes = {row.split("</legend>")[0].rsplit(">", 1)[-1]: row for row in rows}
    assert "2 sets is hipcare&#x27;s starting dose" in notes["Bridge"]
    assert "2 sets is hipcare&#x27;s starting dose" in notes["Clam shell"]
    assert "data-dose-note" not in notes["Sit to stand"]
    template = ProgramTemplate.objects.get(condition=bursitis)
    first = template.items.get(exercise__slug="isometric-abduction")
    assert first.note_en in page
    assert f'value="{first.note_en}"' not in page  # not copied into the physio's note field


# --- Existing rows: the data migration -----------------------------------------------------------


def test_the_migration_moves_template_notes_and_variant_notes(patient, noted_template, bridge):
    migration = importlib.import_module("plans.migrations.0005_prescription_guide_next_step")
    plan = PlanFactory(patient=patient, condition=noted_template.condition, template=noted_template)
    other = ExerciseFactory(easier_en="", easier_da="")
    rows = {
        "guide": PrescriptionFactory(plan=plan, exercise=bridge, note="Tag denne øvelse først."),
        "harder": PrescriptionFactory(plan=plan, exercise=bridge, note="Next step: Single-leg bridge.",
                                      valid_until=plan.start_date),
        "easier": PrescriptionFactory(plan=plan, exercise=other, note="Gør det lettere: en mindre bevægelse.",
                                      valid_until=plan.start_date),
        "own": PrescriptionFactory(plan=plan, exercise=other, note="Slowly."),
    }  # fmt: skip
    migration.notes_to_codes(apps, None)
    for row in rows.values():
        row.refresh_from_db()
    assert (rows["guide"].guide_en, rows["guide"].guide_da, rows["guide"].note) == (
        "Do this one first.", "Tag denne øvelse først.", "",
    )  # fmt: skip
    assert (rows["harder"].next_step, rows["harder"].note) == ("harder", "")
    assert (rows["easier"].next_step, rows["easier"].note) == ("easier", "")
    assert (rows["own"].next_step, rows["own"].guide_en, rows["own"].note) == ("", "", "Slowly.")
    migration.codes_to_notes(apps, None)
    notes = {key: Prescription.objects.get(pk=row.pk).note for key, row in rows.items()}
    assert notes == {
        "guide": "Do this one first.", "harder": "Next step: Single-leg bridge.",
        "easier": "Make it easier: a smaller range of movement.", "own": "Slowly.",
    }  # fmt: skip
