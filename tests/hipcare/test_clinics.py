"""Clinics: colleagues share a caseload, take a patient over or cover for each other, and nobody
sees another clinic's patients (issue #14). Every look is in the access log."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from hipcare import audit, clinics
from hipcare.models import AccessEvent, Cover, Handover, Membership, User
from plans.models import Plan
from tests.factories import (
    ClinicAdminFactory,
    ClinicFactory,
    PatientFactory,
    PhysioFactory,
    PlanFactory,
    clinic_of,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def clinic():
    return ClinicFactory(name="Aarhus Hip Clinic")


@pytest.fixture
def anna(clinic):
    return PhysioFactory(first_name="Anna", last_name="Berg", clinic=clinic)


@pytest.fixture
def bo(clinic):
    return PhysioFactory(first_name="Bo", last_name="Dahl", clinic=clinic)


@pytest.fixture
def bos_patient(bo):
    patient = PatientFactory(physio=bo, first_name="Karen", last_name="Holm")
    PlanFactory(patient=patient)
    return patient


# --- Who may open whom ------------------------------------------------------------------------


def test_a_colleague_opens_the_clinics_patient_marked_not_yours(client, anna, bos_patient):
    client.force_login(anna)
    response = client.get(reverse("plans:patient-detail", args=[bos_patient.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not your patient." in html and "Bo Dahl treats this patient." in html
    event = AccessEvent.objects.get(patient=bos_patient, what="patient")
    assert (event.actor_id, event.relation, event.clinic_id) == (
        anna.pk,
        "colleague",
        bos_patient.clinic_id,
    )


def test_the_treating_physio_sees_no_marking(client, bo, bos_patient):
    client.force_login(bo)
    response = client.get(reverse("plans:patient-detail", args=[bos_patient.pk]))
    assert "Not your patient." not in response.content.decode()
    assert AccessEvent.objects.get(patient=bos_patient).relation == "treating"


def test_another_clinics_physio_gets_404_and_their_caseload_never_lists_the_patient(
    client, bos_patient
):
    stranger = PhysioFactory()  # a clinic of their own
    client.force_login(stranger)
    assert client.get(reverse("plans:patient-detail", args=[bos_patient.pk])).status_code == 404
    listing = client.get(reverse("plans:caseload") + "?scope=clinic").content.decode()
    assert "Holm" not in listing
    assert not AccessEvent.objects.filter(patient=bos_patient).exists()


def test_a_physio_who_left_the_clinic_sees_none_of_its_patients(client, anna, bos_patient):
    Membership.objects.filter(user=anna).update(is_active=False)
    client.force_login(anna)
    assert client.get(reverse("plans:patient-detail", args=[bos_patient.pk])).status_code == 404
    assert not Plan.objects.for_user(anna).exists()


def test_a_clinic_admin_who_is_not_a_physio_reads_no_health_data(client, clinic, bos_patient):
    admin = ClinicAdminFactory(clinic=clinic)
    client.force_login(admin)
    for name in ("plans:patient-detail", "plans:plan-assign"):
        assert client.get(reverse(name, args=[bos_patient.pk])).status_code == 403
    assert not Plan.objects.for_user(admin).exists()


def test_a_physio_at_two_clinics_sees_both(client, anna, bos_patient):
    elsewhere = PatientFactory(first_name="Jens", last_name="Lund")  # another clinic
    Membership.objects.create(clinic=elsewhere.clinic, user=anna, role="physio")
    assert set(User.objects.patients_for(anna)) == {bos_patient, elsewhere}


# --- The caseload: mine, or the whole clinic --------------------------------------------------


def test_caseload_lists_own_patients_and_the_clinic_on_request_own_first(client, anna, bos_patient):
    own = PatientFactory(physio=anna, first_name="Ole", last_name="Zeuthen")
    client.force_login(anna)
    mine = client.get(reverse("plans:caseload")).content.decode()
    assert "Zeuthen" in mine and "Holm" not in mine
    everyone = client.get(reverse("plans:caseload") + "?scope=clinic").content.decode()
    assert everyone.index("Zeuthen") < everyone.index("Holm")  # own first, whatever the name
    assert "treated by Bo Dahl" in everyone
    assert set(AccessEvent.objects.filter(what="caseload").values_list("patient", flat=True)) == {
        own.pk,
        bos_patient.pk,
    }


def test_covering_puts_the_colleagues_patients_in_my_caseload_until_the_end_date(
    client, anna, bo, bos_patient
):
    client.force_login(anna)
    response = client.post(
        reverse("plans:covers"),
        {"absent": bo.pk, "starts_on": TODAY().isoformat(), "ends_on": TODAY().isoformat()},
    )
    assert response.status_code == 302
    cover = Cover.objects.get(covering=anna, absent=bo)
    caseload = client.get(reverse("plans:caseload")).content.decode()
    assert "Holm" in caseload and "You are covering for Bo Dahl" in caseload
    # Yesterday's cover no longer counts.
    Cover.objects.filter(pk=cover.pk).update(
        starts_on=TODAY() - datetime.timedelta(days=3), ends_on=TODAY() - datetime.timedelta(days=1)
    )
    assert "Holm" not in client.get(reverse("plans:caseload")).content.decode()


def test_ending_a_cover_takes_the_patients_out_again(client, anna, bo, bos_patient):
    cover = clinics.cover_start(
        covering=anna, absent=bo, starts_on=TODAY() - datetime.timedelta(days=2), ends_on=TODAY()
    )
    client.force_login(anna)
    assert client.post(reverse("plans:cover-end", args=[cover.pk])).status_code == 302
    assert "Holm" not in client.get(reverse("plans:caseload")).content.decode()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"ends_on": -1}, "cannot end before it starts"),
        ({"ends_on": 200}, "at most"),
        ({"absent": "self"}, "Select a valid choice"),  # only colleagues are offered
        ({"absent": "stranger"}, "Select a valid choice"),
    ],
)
def test_a_bad_cover_is_refused_on_the_form(client, anna, bo, change, message):
    data = {"absent": bo.pk, "starts_on": TODAY().isoformat(), "ends_on": TODAY().isoformat()}
    if "ends_on" in change:
        data["ends_on"] = (TODAY() + datetime.timedelta(days=change["ends_on"])).isoformat()
    if change.get("absent") == "self":
        data["absent"] = anna.pk
    if change.get("absent") == "stranger":
        data["absent"] = PhysioFactory().pk
    client.force_login(anna)
    response = client.post(reverse("plans:covers"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Cover.objects.exists()


def test_cover_service_refuses_a_physio_of_another_clinic(anna):
    with pytest.raises(ValidationError):
        clinics.cover_start(
            covering=anna, absent=PhysioFactory(), starts_on=TODAY(), ends_on=TODAY()
        )


# --- Taking a patient over --------------------------------------------------------------------


def test_taking_over_makes_me_the_treating_physio_and_records_it(client, anna, bo, bos_patient):
    client.force_login(anna)
    response = client.post(reverse("plans:patient-take-over", args=[bos_patient.pk]))
    assert response.status_code == 302
    bos_patient.refresh_from_db()
    assert bos_patient.physio == anna
    handover = Handover.objects.get(patient=bos_patient)
    assert (handover.from_physio, handover.to_physio, handover.by, handover.kind) == (
        bo,
        anna,
        anna,
        "takeover",
    )
    assert AccessEvent.objects.filter(patient=bos_patient, what="care", action="change").exists()
    assert "Holm" in client.get(reverse("plans:caseload")).content.decode()


def test_taking_over_another_clinics_patient_is_404(client, bos_patient):
    client.force_login(PhysioFactory())
    response = client.post(reverse("plans:patient-take-over", args=[bos_patient.pk]))
    assert response.status_code == 404
    assert not Handover.objects.exists()


def test_taking_over_my_own_patient_changes_nothing(bo, bos_patient):
    with pytest.raises(ValidationError):
        clinics.take_over(patient=bos_patient, physio=bo)
    assert not Handover.objects.exists()


def test_deactivating_a_physio_hands_their_patients_to_a_colleague(clinic, anna, bo, bos_patient):
    admin = ClinicAdminFactory(clinic=clinic)
    assert clinics.physio_deactivate(clinic=clinic, physio=bo, hand_to=anna, by=admin) == 1
    bos_patient.refresh_from_db()
    bo.refresh_from_db()
    assert bos_patient.physio == anna and not bo.is_active
    assert Handover.objects.get(patient=bos_patient).kind == "handover"


def test_deactivating_without_a_colleague_for_the_patients_is_refused(clinic, bo, bos_patient):
    admin = ClinicAdminFactory(clinic=clinic)
    with pytest.raises(ValidationError):
        clinics.physio_deactivate(clinic=clinic, physio=bo, hand_to=None, by=admin)
    assert Membership.objects.get(user=bo).is_active


# --- The access log is append-only in the database ---------------------------------------------


@pytest.fixture
def event(anna, bos_patient):
    audit.record(anna, bos_patient, audit.What.PATIENT)
    return AccessEvent.objects.get()


def test_the_database_refuses_to_change_a_log_entry(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(what="history")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE hipcare_accessevent SET actor_id = NULL")
    event.refresh_from_db()
    assert event.what == "patient" and event.actor_id is not None


def test_the_database_refuses_to_delete_a_young_log_entry(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_purge_deletes_only_entries_past_the_retention_period(settings, anna, bos_patient):
    settings.ACCESS_LOG_RETENTION_DAYS = 200
    now = timezone.now()
    for days in (201, 900, 199, 0):
        AccessEvent.objects.create(
            at=now - datetime.timedelta(days=days),
            actor=anna,
            relation="colleague",
            patient=bos_patient,
            clinic_id=bos_patient.clinic_id,
            action="view",
            what="patient",
        )
    assert audit.purge() == 2
    ages = sorted((now - e.at).days for e in AccessEvent.objects.all())
    assert ages == [0, 199]
    # Even inside the purge's transaction, a young row cannot go; nor can a row younger than
    # the floor when the transaction names a shorter period, a negative one or nonsense.
    for days in ("200", "30", "-1", "0 or true"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "SELECT set_config('hipcare.access_log_retention_days', %s, true)", [days]
            )
            AccessEvent.objects.all().delete()
    assert AccessEvent.objects.count() == 2


def test_the_log_holds_no_free_text():
    text_fields = [
        f.name
        for f in AccessEvent._meta.get_fields()
        if f.get_internal_type() in ("CharField", "TextField") and not f.choices
    ]
    assert text_fields == []


def test_a_patient_factory_patient_belongs_to_the_physios_clinic(anna):
    assert PatientFactory(physio=anna).clinic == clinic_of(anna)


def test_a_physio_who_runs_the_clinic_reaches_its_pages_from_the_caseload(client, clinic, anna):
    client.force_login(anna)
    assert reverse("clinic-home") not in client.get(reverse("plans:caseload")).content.decode()
    Membership.objects.create(clinic=clinic, user=anna, role="admin")
    assert reverse("clinic-home") in client.get(reverse("plans:caseload")).content.decode()
    assert client.get(reverse("clinic-home")).status_code == 200


def test_no_care_change_once_the_account_is_closed(anna, bos_patient):
    from plans import services

    plan = bos_patient.plans.get()
    User.objects.filter(pk=bos_patient.pk).update(is_active=False)
    bos_patient.refresh_from_db()
    plan.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        services.plan_set_pain_mode(plan=plan, by=anna, pain_mode="pain_free")
    with pytest.raises(ValidationError, match="closed"):
        services.contact_record(
            plan=plan, by=anna, reason="review", note="Phoned.", covers_through=None
        )


def test_a_colleague_may_change_the_care_and_it_is_logged(client, anna, bos_patient):
    plan = bos_patient.plans.get()
    client.force_login(anna)
    response = client.post(
        reverse("plans:plan-pain-mode", args=[plan.pk]), {"pain_mode": "pain_free"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.pain_mode == "pain_free"
    event = AccessEvent.objects.get(patient=bos_patient, action="change")
    assert (event.actor_id, event.relation) == (anna.pk, "colleague")


def test_the_databases_floor_is_the_retention_modules():
    """The trigger cannot import Python: the migration writes the floor, and must say the same."""
    from importlib import import_module

    from hipcare import retention

    migration = import_module("hipcare.migrations.0007_access_log_append_only")
    floor = retention.ACCESS_LOG_RETENTION_MIN_DAYS
    assert f"greatest(days::int, {floor})" in migration.PG_FORWARD
    assert all(f"-{floor} days" in sql for sql in migration.SQLITE_FORWARD if "DELETE" in sql)
