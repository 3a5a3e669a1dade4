"""The patient's right to erasure (hipcare/erasure.py): the account closes at once, the clinic
admin erases now or keeps the record for the clinic's retention period, the worker erases it
then, and an erased patient leaves no name or e-mail anywhere in the database."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session as DjangoSession
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from courses import services as course_services
from courses.models import Course, EducationRead, EducationText, Result
from exercises.models import Exercise
from hipcare import accounts, audit, erasure
from hipcare.backends import EmailOrUsernameBackend
from hipcare.models import (
    AccessEvent,
    ErasureRequest,
    Handover,
    Invitation,
    StartCode,
    User,
)
from hipcare.tasks import erase_due_task, invitation_deliver_task
from plans.models import (
    Contact,
    Plan,
    Prescription,
    Review,
    Session,
    SessionAnswer,
    SessionEntry,
)
from tests.factories import (
    TEST_PASSWORD,
    ClinicAdminFactory,
    ConditionFactory,
    PatientFactory,
    PhysioFactory,
    PlanFactory,
    PrescriptionFactory,
    SessionFactory,
    StaffFactory,
    clinic_of,
)
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db
BASE = "https://clinic.example/"
TODAY = timezone.localdate


@pytest.fixture
def clinic(physio):
    return clinic_of(physio)


@pytest.fixture
def clinic_admin(clinic):
    return ClinicAdminFactory(clinic=clinic)


def invite(physio, **names):
    names = {"first_name": "Ida", "last_name": "Holm", "email": "ida@example.org", **names}
    return accounts.patient_invite(
        physio=physio, condition=ConditionFactory(), affected_side="left", base_url=BASE, **names
    )


def log_in(client, username, password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


# The request closes the account at once ----------------------------------------------------------


def test_the_request_closes_the_account_at_once(client, patient):
    other_device = type(client)()
    other_device.force_login(patient)
    assert log_in(client, patient.username).status_code == 302

    request = erasure.erasure_request(patient=patient)

    patient.refresh_from_db()
    assert request.state == ErasureRequest.State.REQUESTED
    assert request.patient == patient and request.patient_number == patient.pk
    assert request.clinic_id == patient.clinic_id
    assert not patient.is_active and not patient.has_usable_password()
    # Every device is logged out, and no log-in works any more.
    for device in (client, other_device):
        response = device.get(reverse("plans:today"))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    backend = EmailOrUsernameBackend()
    assert backend.authenticate(None, username=patient.username, password=TEST_PASSWORD) is None
    assert "_auth_user_id" not in log_in(client, patient.username).wsgi_request.session
    # The access log records it (ids only).
    event = AccessEvent.objects.get(patient_id=patient.pk)
    assert (event.actor_id, event.what, event.action) == (patient.pk, "account", "change")


def test_asking_twice_changes_nothing(patient):
    first = erasure.erasure_request(patient=patient)
    second = erasure.erasure_request(patient=patient)
    assert first.pk == second.pk
    assert ErasureRequest.objects.count() == 1
    assert AccessEvent.objects.filter(patient_id=patient.pk).count() == 1


def test_a_pending_invitation_is_cancelled_and_the_worker_sends_nothing(physio):
    patient = invite(physio)
    assert DBTaskResult.objects.ready().count() == 1

    erasure.erasure_request(patient=patient)

    assert not Invitation.objects.filter(patient=patient).exists()
    run_queued_tasks()
    assert mail.outbox == []
    assert not DBTaskResult.objects.filter(task_path=invitation_deliver_task.module_path).exists()
    # Nor can the physio send it again, or hand out a start code.
    with pytest.raises(ValidationError):
        accounts.invitation_queue(patient=patient, base_url=BASE)


def test_the_worker_sends_nothing_to_a_closed_account(physio):
    """Even with its invitation still queued (closed some other way), a closed account gets no
    e-mail."""
    patient = invite(physio)
    User.objects.filter(pk=patient.pk).update(is_active=False)
    run_queued_tasks()
    assert mail.outbox == []
    assert DBTaskResult.objects.get().return_value == "closed"


def test_a_start_code_dies_with_the_request(client, physio):
    patient = PatientFactory(physio=physio, email="", password=None)
    patient.set_unusable_password()
    patient.save()
    row, code = accounts.start_code_create(physio=physio, patient=patient)
    erasure.erasure_request(patient=patient)
    assert not StartCode.objects.filter(patient=patient).exists()
    assert accounts.start_code_check(code=code, date_of_birth=patient.date_of_birth) is None
    with pytest.raises(ValidationError):
        accounts.start_code_create(physio=physio, patient=patient)


# The patient's page -----------------------------------------------------------------------------


def test_the_patient_page_explains_and_asks_for_the_password_and_a_tick(client, patient, clinic):
    clinic.retention_years, clinic.retention_reason = 7, "Our region keeps records for 7 years."
    clinic.save()
    client.force_login(patient)
    url = reverse("account-erase")
    page = client.get(url).content.decode()
    assert "7 years" in page and "Our region keeps records for 7 years." in page

    wrong = client.post(url, {"password": "nope", "confirm": "on"})
    unticked = client.post(url, {"password": TEST_PASSWORD})
    assert wrong.status_code == unticked.status_code == 200
    assert "That is not your password." in wrong.content.decode()
    assert "Tick the box to confirm." in unticked.content.decode()
    patient.refresh_from_db()
    assert patient.is_active and not ErasureRequest.objects.exists()

    response = client.post(url, {"password": TEST_PASSWORD, "confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("account-erase-done")
    patient.refresh_from_db()
    assert not patient.is_active
    assert ErasureRequest.objects.get().patient == patient
    done = client.get(response.url)  # logged out: the confirmation page
    assert done.status_code == 200
    assert "Your account is closed" in done.content.decode()
    assert client.get(reverse("plans:today")).status_code == 302


# The clinic admin decides ------------------------------------------------------------------------


def test_keep_schedules_the_erasure_from_the_latest_entry_and_the_clinics_years(
    patient, clinic, clinic_admin
):
    clinic.retention_years, clinic.retention_reason = 3, "Three years, by our rules."
    clinic.save()
    plan = PlanFactory(patient=patient, start_date=TODAY() - datetime.timedelta(days=60))
    latest = TODAY() - datetime.timedelta(days=20)
    SessionFactory(plan=plan, date=latest - datetime.timedelta(days=7))
    SessionFactory(plan=plan, date=latest)
    Plan.objects.filter(pk=plan.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))
    request = erasure.erasure_request(patient=patient)

    kept = erasure.erasure_keep(erasure=request, by=clinic_admin)

    assert kept.state == ErasureRequest.State.KEPT
    assert kept.erase_on == latest.replace(year=latest.year + 3)
    assert kept.retention_reason == "Three years, by our rules."
    assert kept.decided_by == clinic_admin and kept.decided_at is not None
    task = DBTaskResult.objects.get(task_path=erase_due_task.module_path)
    assert timezone.localtime(task.run_after).date() == kept.erase_on
    assert task.status == "READY" and run_queued_tasks() == 0  # not before that day
    # A second click changes nothing; the patient is still there for the retention period.
    assert erasure.erasure_keep(erasure=request, by=clinic_admin).erase_on == kept.erase_on
    assert DBTaskResult.objects.filter(task_path=erase_due_task.module_path).count() == 1
    assert User.objects.filter(pk=patient.pk).exists()


def test_keep_without_entries_counts_from_the_request(patient, clinic_admin):
    request = erasure.erasure_request(patient=patient)
    kept = erasure.erasure_keep(erasure=request, by=clinic_admin)
    asked = timezone.localdate(request.requested_at)
    assert kept.erase_on == asked.replace(year=asked.year + 5)  # the default: Danish rules


def test_erase_due_erases_only_due_requests(physio, clinic_admin):
    due, not_yet = PatientFactory(physio=physio), PatientFactory(physio=physio)
    for patient in (due, not_yet):
        erasure.erasure_keep(erasure=erasure.erasure_request(patient=patient), by=clinic_admin)
    ErasureRequest.objects.filter(patient=due).update(erase_on=TODAY())
    ErasureRequest.objects.filter(patient=not_yet).update(erase_on=TODAY() + datetime.timedelta(1))
    due_pk = due.pk

    call_command("housekeeping", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert not User.objects.filter(pk=due_pk).exists()
    assert User.objects.filter(pk=not_yet.pk).exists()
    erased = ErasureRequest.objects.get(patient_number=due_pk)
    assert erased.state == ErasureRequest.State.ERASED and erased.erased_at is not None
    assert erased.patient is None
    assert ErasureRequest.objects.get(patient=not_yet).state == ErasureRequest.State.KEPT


def test_the_queued_task_erases_on_the_day(patient, clinic_admin):
    number = patient.pk
    kept = erasure.erasure_keep(erasure=erasure.erasure_request(patient=patient), by=clinic_admin)
    # The day comes.
    ErasureRequest.objects.filter(pk=kept.pk).update(erase_on=TODAY())
    DBTaskResult.objects.update(run_after=timezone.now())
    assert run_queued_tasks() == 1
    assert not User.objects.filter(pk=number).exists()
    assert ErasureRequest.objects.get(pk=kept.pk).state == ErasureRequest.State.ERASED


def test_the_clinic_admin_erases_now_after_a_confirmation(client, patient, clinic_admin):
    PlanFactory(patient=patient)
    request = erasure.erasure_request(patient=patient)
    client.force_login(clinic_admin)
    url = reverse("clinic-erasure-decide", args=[request.pk])

    page = client.get(url).content.decode()
    assert patient.last_name in page and "Erase now" in page and "Keep until" in page

    asked = client.post(url, {"action": "erase"})
    assert asked.status_code == 200 and "Yes, erase now" in asked.content.decode()
    assert User.objects.filter(pk=patient.pk).exists()  # not before the confirmation

    done = client.post(url, {"action": "erase", "confirm": "yes"})
    assert done.status_code == 302 and done.url == reverse("clinic-erasures")
    assert not User.objects.filter(pk=patient.pk).exists()
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.ERASED and request.decided_by == clinic_admin
    listing = client.get(reverse("clinic-erasures")).content.decode()
    assert patient.last_name not in listing and str(patient.pk) in listing
    # A double submit finds it decided: no error page.
    again = client.post(url, {"action": "erase", "confirm": "yes"})
    assert again.status_code == 302


def test_the_clinic_admin_keeps_the_record(client, patient, clinic_admin):
    request = erasure.erasure_request(patient=patient)
    client.force_login(clinic_admin)
    response = client.post(reverse("clinic-erasure-decide", args=[request.pk]), {"action": "keep"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.KEPT
    assert User.objects.filter(pk=patient.pk).exists()


def test_another_clinics_admin_gets_404_and_never_sees_the_request(client, patient, other_physio):
    request = erasure.erasure_request(patient=patient)
    stranger = ClinicAdminFactory(clinic=clinic_of(other_physio))
    client.force_login(stranger)
    url = reverse("clinic-erasure-decide", args=[request.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "erase", "confirm": "yes"}).status_code == 404
    assert client.post(url, {"action": "keep"}).status_code == 404
    assert patient.last_name not in client.get(reverse("clinic-erasures")).content.decode()
    assert User.objects.filter(pk=patient.pk).exists()
    with pytest.raises(ValidationError):
        erasure.erase(erasure=request, by=stranger)
    with pytest.raises(ValidationError):
        erasure.erasure_keep(erasure=request, by=stranger)


def test_the_list_shows_pending_first_and_no_health_data(client, physio, clinic_admin):
    kept_one, pending = PatientFactory(physio=physio), PatientFactory(physio=physio)
    plan = PlanFactory(patient=pending)
    SessionFactory(plan=plan, note="Knee gave way on the stairs")
    erasure.erasure_keep(erasure=erasure.erasure_request(patient=kept_one), by=clinic_admin)
    erasure.erasure_request(patient=pending)
    client.force_login(clinic_admin)
    page = client.get(reverse("clinic-erasures")).content.decode()
    assert page.index(pending.last_name) < page.index(kept_one.last_name)
    assert "Knee gave way" not in page and plan.condition.name_en not in page
    assert client.get(reverse("clinic-erasures"), {"page": "x"}).status_code == 200


@pytest.mark.parametrize("size", [1, 6])
def test_the_list_has_a_fixed_number_of_queries(
    client, physio, clinic_admin, django_assert_num_queries, size
):
    for patient in PatientFactory.create_batch(size, physio=physio):
        erasure.erasure_request(patient=patient)
    client.force_login(clinic_admin)
    # session, user, second factor, the gate, count, page
    with django_assert_num_queries(6):
        assert client.get(reverse("clinic-erasures")).status_code == 200


# The Django admin --------------------------------------------------------------------------------


def test_the_admin_deletes_a_patient_through_the_erasure(client, patient):
    plan = PlanFactory(patient=patient)
    rx = PrescriptionFactory(plan=plan)
    session = SessionFactory(plan=plan)
    SessionEntry.objects.create(session=session, prescription=rx, sets_done=2, reps_done=10)
    staff = StaffFactory()
    client.force_login(staff)
    url = reverse("admin:hipcare_user_delete", args=[patient.pk])

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cannot delete" not in html and "permission to delete" not in html
    assert "protected" not in html

    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=patient.pk).exists()
    assert not Plan.objects.filter(pk=plan.pk).exists()
    record = ErasureRequest.objects.get(patient_number=patient.pk)
    assert record.state == ErasureRequest.State.ERASED and record.decided_by == staff
    # No admin log entry keeps the name.
    assert not LogEntry.objects.filter(object_repr__icontains=patient.last_name).exists()


def test_the_admin_bulk_delete_erases_patients_and_deletes_others(client, patient):
    PlanFactory(patient=patient)
    staff_member = StaffFactory()
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:hipcare_user_changelist"),
        {"action": "delete_selected", "_selected_action": [patient.pk, staff_member.pk],
         "post": "yes"},
    )  # fmt: skip
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[patient.pk, staff_member.pk]).exists()
    assert ErasureRequest.objects.get(patient_number=patient.pk).state == "erased"


def test_an_exercise_in_use_still_cannot_be_deleted(client):
    rx = PrescriptionFactory()
    exercise = rx.exercise
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:exercises_exercise_delete", args=[exercise.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert Exercise.objects.filter(pk=exercise.pk).exists()
    with pytest.raises(ProtectedError):
        exercise.delete()


# Nothing keeps the name --------------------------------------------------------------------------

TEXT_TYPES = ("text", "character varying", "jsonb", "json")


def text_hits(terms):
    """Every (table, column, term) where a text column of the public schema holds a term, in any
    case: every table, whoever added it."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.table_name, c.column_name FROM information_schema.columns c
               JOIN information_schema.tables t
                 ON t.table_schema = c.table_schema AND t.table_name = c.table_name
               WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
                 AND c.data_type = ANY(%s)""",
            [list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        hits = set()
        for table, column in columns:
            for term in terms:
                pattern = "%" + term.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
                cursor.execute(
                    f"SELECT 1 FROM {quote(table)} WHERE {quote(column)}::text ILIKE %s LIMIT 1",
                    [pattern + "%"],
                )
                if cursor.fetchone():
                    hits.add((table, column, term))
    return hits


@pytest.fixture
def full_record(client, settings, physio, clinic, clinic_admin):
    """A patient with everything hipcare can hold about them, their name written into the free
    text too."""
    settings.AXES_ENABLED = True
    first, last, email = "Quorvina", "Zelterbrook", "quorvina.zelterbrook@example.org"
    patient = invite(physio, first_name=first, last_name=last, email=email)
    run_queued_tasks()  # the invitation goes out: a finished task row
    assert len(mail.outbox) == 1
    invitation_id = patient.invitation.pk
    patient.username = "qzelter"
    patient.set_password(TEST_PASSWORD)
    patient.save()

    plan = PlanFactory(patient=patient, start_date=TODAY() - datetime.timedelta(days=21))
    rx = PrescriptionFactory(plan=plan, note=f"{first}: keep the knee over the toes")
    PrescriptionFactory(plan=plan)
    session = SessionFactory(plan=plan, date=TODAY() - datetime.timedelta(days=2),
                             note=f"{first} {last} felt fine")  # fmt: skip
    SessionEntry.objects.create(session=session, prescription=rx, sets_done=2, reps_done=12)
    SessionAnswer.objects.create(session=session, step="finish", pain=3, note=f"{first} here")
    Contact.objects.create(
        plan=plan, reason="stop", note=f"Called {first} {last} at {email}",
        covers_through=session.date, recorded_by=physio,
    )  # fmt: skip
    Review.objects.create(
        plan=plan, kind="progress", reason=f"{first} is ready", decision="approved",
        latest_session_date=session.date, decided_by=physio,
    )  # fmt: skip
    colleague = PhysioFactory(clinic=clinic)
    Handover.objects.create(
        patient=patient, from_physio=physio, to_physio=colleague, by=clinic_admin,
        kind=Handover.Kind.HANDOVER,
    )  # fmt: skip
    # A course of care: goals in the patient's words, answers, a test, a text read.
    course = course_services.course_start(plan=plan, goals=f"{first} wants to dance again")
    instruments = {i.code: i for i in course_services.instruments_for(patient.clinic_id)}
    course_services.result_record(
        course=course, instrument=instruments["hip-pain"], point="baseline", answers={1: 4},
        by=patient,
    )  # fmt: skip
    course_services.result_record(
        course=course, instrument=instruments["chair-stand-30s"], point="baseline",
        answers={1: 11}, by=physio,
    )  # fmt: skip
    text = EducationText.objects.create(
        condition=plan.condition, slug="x", title_en="x", title_da="x", body_en="x", body_da="x",
        source="[1]",
    )  # fmt: skip
    course_services.education_mark_read(patient=patient, text=text)
    audit.record(physio, patient, audit.What.PATIENT)
    # Log-ins: failures by username and e-mail in any case, a success, a session.
    assert log_in(type(client)(), email).status_code == 302
    # ... and a misspelling of the address, which holds the names.
    for typed in ("qzelter", email.upper(), "QZelter", f"{first}.{last}@example.com".lower()):
        log_in(client, typed, "wrong-password")
    client.force_login(patient)
    # The admin's log of a change to the patient and to their program.
    staff = StaffFactory()
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[patient], action_flag=CHANGE, change_message="Changed email."
    )
    LogEntry.objects.log_actions(user_id=staff.pk, queryset=[plan], action_flag=CHANGE)
    return {
        "patient": patient,
        "terms": [first, last, email, "qzelter"],
        "invitation_id": invitation_id,
        "plan": plan,
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="searches PostgreSQL's catalogue")
def test_an_erased_patient_leaves_no_name_or_email_anywhere(full_record, clinic_admin):
    patient, terms = full_record["patient"], full_record["terms"]
    number = patient.pk
    # The control: before the erasure the search finds them, in all these places.
    before = {table for table, _column, _term in text_hits(terms)}
    expected = {
        "hipcare_user",
        "plans_session",
        "plans_sessionanswer",
        "plans_contact",
        "plans_prescription",
        "plans_review",
        "courses_course",
        "axes_accessattempt",
        "axes_accesslog",
        "django_admin_log",
    }
    # The change history (django-simple-history), where the models keep one.
    expected |= {
        model._meta.db_table
        for model in erasure.history_models()
        if model.instance_type in (Session, SessionAnswer, Prescription)
    }
    assert expected <= before, f"the setup did not reach {expected - before}"
    assert AccessAttempt.objects.exists()
    assert DBTaskResult.objects.filter(
        args_kwargs__kwargs__invitation_id=full_record["invitation_id"]
    ).exists()

    request = erasure.erasure_request(patient=patient)
    erasure.erase(erasure=request, by=clinic_admin)

    assert text_hits(terms) == set()
    # Nor by id: the outbox, the sessions and the care records.
    assert not DBTaskResult.objects.filter(
        args_kwargs__kwargs__invitation_id=full_record["invitation_id"]
    ).exists()
    assert not any(
        row.get_decoded().get("_auth_user_id") == str(number) for row in DjangoSession.objects.all()
    )
    assert not Handover.objects.filter(patient_id=number).exists()
    assert not Plan.objects.filter(pk=full_record["plan"].pk).exists()
    assert not Course.objects.filter(plan_id=full_record["plan"].pk).exists()
    assert not Result.objects.filter(recorded_by_id=number).exists()
    assert not EducationRead.objects.filter(patient_id=number).exists()
    assert not AccessLog.objects.filter(username="qzelter").exists()
    # What stays: the access log (ids) and the erasure record, with no patient.
    assert AccessEvent.objects.filter(patient_id=number).count() >= 2
    record = ErasureRequest.objects.get(pk=request.pk)
    assert (record.state, record.patient, record.patient_number) == ("erased", None, number)
    assert record.erased_at is not None
    # Erasing twice changes nothing.
    assert erasure.erase(erasure=record, by=clinic_admin).state == "erased"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="searches PostgreSQL's catalogue")
def test_an_admin_erasure_without_a_request_leaves_no_name_either(client, full_record):
    patient, terms = full_record["patient"], full_record["terms"]
    staff = StaffFactory()
    client.force_login(staff)
    response = client.post(reverse("admin:hipcare_user_delete", args=[patient.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert text_hits(terms) == set()
    record = ErasureRequest.objects.get(patient_number=patient.pk)
    assert record.state == "erased" and record.decided_by == staff


def test_history_rows_are_found_generically(patient):
    """The history tables are found through the app registry, whoever adds them, and every row
    of or pointing at a doomed row goes (here without deleting the rows themselves)."""
    if not erasure.history_models():
        pytest.skip("no model keeps a change history")
    plan = PlanFactory(patient=patient)
    rx = PrescriptionFactory(plan=plan)
    session = SessionFactory(plan=plan)
    SessionAnswer.objects.create(session=session, step="finish", pain=2)
    other = PlanFactory()
    histories = [Plan.history.model, Prescription.history.model, Session.history.model]
    histories.append(SessionAnswer.history.model)
    assert all(h.objects.exists() for h in histories)

    erasure._delete_history({User: {patient.pk}})

    assert not Plan.history.model.objects.filter(id=plan.pk).exists()  # by patient_id
    assert not Prescription.history.model.objects.filter(id=rx.pk).exists()  # then plan_id
    assert not Session.history.model.objects.filter(id=session.pk).exists()
    assert not SessionAnswer.history.model.objects.filter(session_id=session.pk).exists()
    assert Plan.history.model.objects.filter(id=other.pk).exists()  # nobody else's


def test_odd_requests_get_a_clear_answer_not_an_error(client, clinic_admin):
    client.force_login(clinic_admin)
    assert client.get(reverse("clinic-erasure-decide", args=[2**70])).status_code == 404
    # A patient of no clinic: nobody could decide, so the request is refused with a reason.
    loner = PatientFactory(physio=None)
    client.force_login(loner)
    response = client.post(reverse("account-erase"), {"password": TEST_PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    assert "does not belong to a clinic" in response.content.decode()
    loner.refresh_from_db()
    assert loner.is_active


def test_keeping_a_record_older_than_the_retention_period_says_so(client, patient, clinic_admin):
    plan = PlanFactory(patient=patient, start_date=TODAY() - datetime.timedelta(days=7 * 365))
    Plan.objects.filter(pk=plan.pk).update(created_at=timezone.now() - datetime.timedelta(7 * 365))
    request = erasure.erasure_request(patient=patient)
    client.force_login(clinic_admin)
    page = client.get(reverse("clinic-erasure-decide", args=[request.pk])).content.decode()
    assert "hipcare erases it within minutes" in page
