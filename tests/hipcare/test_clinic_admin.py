"""The clinic admin's pages (physios, settings, the access log) and the patient's "who has looked
at my data" (hipcare/clinic_views.py)."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hipcare import audit
from hipcare.models import CLINIC_ADMIN, PHYSIO, AccessEvent, Clinic, Handover, Membership, User
from tests.factories import (
    ClinicAdminFactory,
    ClinicFactory,
    ConditionFactory,
    PatientFactory,
    PhysioFactory,
    PlanFactory,
    SessionFactory,
)
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

CONDITION_NAME = "Femoroacetabular impingement"


@pytest.fixture
def clinic():
    return ClinicFactory(name="Nordhavn Fysio")


@pytest.fixture
def admin(clinic):
    return ClinicAdminFactory(clinic=clinic, first_name="Ada", last_name="Admin")


@pytest.fixture
def physio(clinic):
    return PhysioFactory(clinic=clinic, first_name="Petra", last_name="Physio")


@pytest.fixture
def colleague(clinic):
    return PhysioFactory(clinic=clinic, first_name="Carl", last_name="Colleague")


@pytest.fixture
def patient(physio):
    """A patient with health data: a condition, a program, sessions with pain scores."""
    condition = ConditionFactory(code="fai", name_en=CONDITION_NAME, name_da=CONDITION_NAME)
    patient = PatientFactory(
        physio=physio, first_name="Olga", last_name="Olsen", condition=condition,
        affected_side="left",
    )  # fmt: skip
    plan = PlanFactory(patient=patient, condition=condition)
    for days_ago in (1, 3):
        SessionFactory(
            plan=plan,
            date=timezone.localdate() - datetime.timedelta(days=days_ago),
            pain_before=7,
            pain_after=9,
        )
    return patient


@pytest.fixture
def other_clinic():
    return ClinicFactory(name="Other Clinic")


@pytest.fixture
def other_admin(other_clinic):
    return ClinicAdminFactory(clinic=other_clinic)


def clinic_pages(clinic, physio):
    """Every clinic-scoped page, as (method, url)."""
    return [
        ("get", reverse("clinic-physio-invite", args=[clinic.pk])),
        ("get", reverse("clinic-physio-deactivate", args=[clinic.pk, physio.pk])),
        ("get", reverse("clinic-settings", args=[clinic.pk])),
        ("get", reverse("clinic-access-log", args=[clinic.pk])),
    ]


def logged_in(client, user):
    client.force_login(user)
    return client


# Who may open what


def test_every_page_opens_for_the_clinics_admin(client, admin, clinic, physio, patient):
    logged_in(client, admin)
    assert client.get(reverse("clinic-home")).status_code == 200
    for method, url in clinic_pages(clinic, physio):
        assert getattr(client, method)(url).status_code == 200, url
    response = client.post(reverse("clinic-physio-reactivate", args=[clinic.pk, physio.pk]))
    assert response.status_code == 302


def test_another_clinics_admin_gets_404(client, other_admin, clinic, physio):
    logged_in(client, other_admin)
    assert client.get(reverse("clinic-home")).status_code == 200  # their own clinic
    for method, url in clinic_pages(clinic, physio):
        assert getattr(client, method)(url).status_code == 404, url
    response = client.post(reverse("clinic-physio-reactivate", args=[clinic.pk, physio.pk]))
    assert response.status_code == 404


def test_a_physio_not_at_the_clinic_is_404_for_its_admin(client, admin, clinic):
    stranger = PhysioFactory()  # another clinic
    logged_in(client, admin)
    for name in ("clinic-physio-deactivate", "clinic-physio-reactivate"):
        method = client.get if name.endswith("deactivate") else client.post
        assert method(reverse(name, args=[clinic.pk, stranger.pk])).status_code == 404
    patient = PatientFactory(clinic=clinic, physio=PhysioFactory(clinic=clinic))
    url = reverse("clinic-physio-deactivate", args=[clinic.pk, patient.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["physio", "patient"])
def test_physios_without_an_admin_membership_and_patients_get_403(
    client, clinic, physio, patient, who
):
    logged_in(client, {"physio": physio, "patient": patient}[who])
    assert client.get(reverse("clinic-home")).status_code == 403
    assert client.get(reverse("clinic-access-log-pick")).status_code == 403
    for method, url in clinic_pages(clinic, physio):
        assert getattr(client, method)(url).status_code == 403, url
    response = client.post(reverse("clinic-physio-reactivate", args=[clinic.pk, physio.pk]))
    assert response.status_code == 403


def test_a_physio_who_is_also_admin_reaches_the_clinic_pages(client, clinic, physio):
    Membership.objects.create(clinic=clinic, user=physio, role=CLINIC_ADMIN)
    logged_in(client, physio)
    assert client.get(reverse("clinic-home")).status_code == 200
    for method, url in clinic_pages(clinic, physio):
        assert getattr(client, method)(url).status_code == 200, url


def test_an_inactive_admin_membership_opens_nothing(client, admin, clinic, physio):
    Membership.objects.filter(user=admin).update(is_active=False)
    logged_in(client, admin)
    assert client.get(reverse("clinic-home")).status_code == 403


def test_the_clinic_admin_lands_on_the_clinic_page_and_sees_the_clinic_nav(client, admin, clinic):
    logged_in(client, admin)
    response = client.get(reverse("home"))
    assert response.url == reverse("clinic-home")
    html = client.get(response.url).content.decode()
    assert f'href="{reverse("clinic-access-log-pick")}"' in html
    response = client.get(reverse("clinic-access-log-pick"))
    assert response.url == reverse("clinic-access-log", args=[clinic.pk])
    # Admin of two clinics: the clinic page to choose from.
    Membership.objects.create(clinic=ClinicFactory(), user=admin, role=CLINIC_ADMIN)
    assert client.get(reverse("clinic-access-log-pick")).url == reverse("clinic-home")


# The clinic page


def test_the_clinic_page_lists_the_physios_with_their_patient_counts(
    client, admin, clinic, physio, colleague, patient
):
    PatientFactory(physio=physio)
    elsewhere = PhysioFactory()  # works at another clinic, with a patient there
    PatientFactory(physio=elsewhere)
    Membership.objects.create(clinic=clinic, user=elsewhere, role=PHYSIO, is_active=False)
    logged_in(client, admin)
    response = client.get(reverse("clinic-home"))
    [(shown_clinic, rows)] = response.context["rows"]
    assert shown_clinic == clinic
    counts = {row.user: (row.patient_count, row.works_here) for row in rows}
    assert counts == {physio: (2, True), colleague: (0, True), elsewhere: (0, False)}
    html = response.content.decode()
    for text in (physio.email, "Petra Physio", "Deactivated", "Access log", "Clinic settings"):
        assert text in html
    assert reverse("clinic-physio-reactivate", args=[clinic.pk, elsewhere.pk]) in html


def test_the_clinic_page_links_to_the_erasure_requests(client, admin):
    logged_in(client, admin)
    html = client.get(reverse("clinic-home")).content.decode()
    assert f'href="{reverse("clinic-erasures")}"' in html


def test_the_clinic_page_takes_two_queries_whatever_the_number_of_physios(
    client, admin, clinic, django_assert_num_queries
):
    logged_in(client, admin)
    client.get(reverse("clinic-home"))  # the session settles (second-factor flag)

    def count_for(physios):
        for _ in range(physios):
            PatientFactory(physio=PhysioFactory(clinic=clinic))
        with django_assert_num_queries(HOME_QUERIES):
            assert client.get(reverse("clinic-home")).status_code == 200

    count_for(2)
    count_for(30)


# Session, user, second-factor device, admin gate, then the page: clinics, physios with counts.
HOME_QUERIES = 6


# Inviting a physio


def invite(client, clinic, **data):
    fields = {"first_name": "Nina", "last_name": "New", "email": "Nina.New@Example.org"}
    return client.post(reverse("clinic-physio-invite", args=[clinic.pk]), {**fields, **data})


def test_inviting_makes_a_physio_a_membership_and_queues_one_email(client, admin, clinic):
    logged_in(client, admin)
    response = invite(client, clinic)
    assert response.status_code == 302 and response.url == reverse("clinic-home")
    physio = User.objects.get(email="nina.new@example.org")
    assert physio.role == User.Role.PHYSIO
    assert physio.first_name == "Nina" and physio.last_name == "New"
    assert not physio.has_usable_password()
    assert Membership.objects.filter(clinic=clinic, user=physio, role=PHYSIO, is_active=True)
    assert DBTaskResult.objects.ready().count() == 1
    assert mail.outbox == []  # the worker sends it, not the request
    assert run_queued_tasks() == 1
    [message] = mail.outbox
    assert message.to == [physio.email]
    assert message.subject == "Your hipcare account"
    assert "physiotherapist at Nordhavn Fysio" in message.body
    assert "authenticator app" in message.body
    assert "exercise program" not in message.body


def test_the_invited_physio_chooses_a_password_then_sets_up_the_second_factor(
    client, admin, clinic, settings
):
    settings.REQUIRE_SECOND_FACTOR = True
    logged_in(client, admin)
    invite(client, clinic)
    run_queued_tasks()
    link = re.search(r"https?://\S+/accounts/invite/\S+", mail.outbox[0].body).group(0)
    newcomer = Client()
    page = newcomer.get(link, follow=True)
    assert "Your clinic has invited you" in page.content.decode()
    password = "a-long-new-password-42"
    response = newcomer.post(
        page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(reverse("two-factor-setup"))


def test_inviting_another_clinics_physio_or_a_patient_gives_one_answer_and_joins_nobody(
    client, admin, clinic
):
    """A clinic admin cannot probe who has an account, nor pull a physio of another clinic into
    theirs without the physio knowing: both addresses get the same answer, and nothing changes."""
    elsewhere = PhysioFactory(first_name="Eva", last_name="Elsewhere")
    other_patient = PatientFactory(physio=elsewhere)
    logged_in(client, admin)
    answers = []
    for email in (elsewhere.email.upper(), other_patient.email):
        response = invite(client, clinic, email=email, first_name="X")
        assert response.status_code == 200
        answers.append(response.context["form"].errors["email"])
    assert answers[0] == answers[1]
    assert not Membership.objects.filter(clinic=clinic, user=elsewhere).exists()
    assert not DBTaskResult.objects.exists()


def test_inviting_a_physio_deactivated_here_takes_them_back_on(client, admin, clinic, physio):
    Membership.objects.filter(user=physio).update(is_active=False)
    User.objects.filter(pk=physio.pk).update(is_active=False)
    logged_in(client, admin)
    assert invite(client, clinic, email=physio.email).status_code == 302
    physio.refresh_from_db()
    assert physio.is_active
    assert Membership.objects.get(user=physio, clinic=clinic).is_active
    assert not DBTaskResult.objects.exists()


def test_inviting_refuses_a_patients_email_and_a_physio_already_here(
    client, admin, clinic, physio, patient
):
    logged_in(client, admin)
    for email in (patient.email, physio.email):
        response = invite(client, clinic, email=email)
        assert response.status_code == 200
        assert response.context["form"].errors["email"]
    assert User.objects.filter(role=User.Role.PATIENT, pk=patient.pk).exists()
    assert not Membership.objects.filter(user=patient).exists()
    assert not DBTaskResult.objects.exists()


def test_inviting_again_a_physio_who_has_no_password_yet_queues_the_invitation_again(
    client, admin, clinic
):
    logged_in(client, admin)
    invite(client, clinic)
    run_queued_tasks()
    assert invite(client, clinic).status_code == 302
    assert run_queued_tasks() == 1
    assert len(mail.outbox) == 2
    assert User.objects.filter(email="nina.new@example.org").count() == 1


# Deactivating and reactivating a physio


def deactivate_url(clinic, physio):
    return reverse("clinic-physio-deactivate", args=[clinic.pk, physio.pk])


def test_deactivating_hands_the_patients_over_and_closes_the_account(
    client, admin, clinic, physio, colleague, patient
):
    second = PatientFactory(physio=physio)
    logged_in(client, admin)
    page = client.get(deactivate_url(clinic, physio))
    html = page.content.decode()
    assert "Who takes over their patients" in html
    assert "Carl Colleague" in html
    assert "Their account closes" in html
    response = client.post(deactivate_url(clinic, physio), {"hand_to": colleague.pk})
    assert response.status_code == 302 and response.url == reverse("clinic-home")
    for moved in (patient, second):
        moved.refresh_from_db()
        assert moved.physio == colleague
    handovers = Handover.objects.filter(from_physio=physio, to_physio=colleague, by=admin)
    assert handovers.count() == 2
    assert set(handovers.values_list("kind", flat=True)) == {Handover.Kind.HANDOVER}
    assert not Membership.objects.get(clinic=clinic, user=physio, role=PHYSIO).is_active
    physio.refresh_from_db()
    assert not physio.is_active


def test_deactivating_keeps_the_account_of_a_physio_who_works_elsewhere(
    client, admin, clinic, physio
):
    Membership.objects.create(clinic=ClinicFactory(), user=physio, role=PHYSIO)
    logged_in(client, admin)
    assert "stays open" in client.get(deactivate_url(clinic, physio)).content.decode()
    response = client.post(deactivate_url(clinic, physio))
    assert response.status_code == 302  # no patients
    physio.refresh_from_db()
    assert physio.is_active
    assert not Membership.objects.get(clinic=clinic, user=physio).is_active


def test_deactivating_refuses_without_a_colleague_when_there_are_patients(
    client, admin, clinic, physio, colleague, patient
):
    logged_in(client, admin)
    response = client.post(deactivate_url(clinic, physio), {"hand_to": ""})
    assert response.status_code == 200
    assert "Choose the colleague who takes over the patients." in response.content.decode()
    # Not a colleague at this clinic: refused too.
    stranger = PhysioFactory()
    response = client.post(deactivate_url(clinic, physio), {"hand_to": stranger.pk})
    assert response.status_code == 200 and response.context["form"].errors["hand_to"]
    patient.refresh_from_db()
    assert patient.physio == physio
    assert Membership.objects.get(clinic=clinic, user=physio).is_active
    assert not Handover.objects.exists()


def test_deactivating_the_only_physio_with_patients_says_to_invite_one_first(
    client, admin, clinic, physio, patient
):
    logged_in(client, admin)
    html = client.get(deactivate_url(clinic, physio)).content.decode()
    assert "No other active physiotherapist at this clinic can take over" in html
    assert 'type="submit"' not in html.split("<main")[1].split("</main>")[0]
    assert client.post(deactivate_url(clinic, physio)).status_code == 200
    assert Membership.objects.get(clinic=clinic, user=physio).is_active


def test_reactivating_undoes_a_deactivation(client, admin, clinic, physio, colleague, patient):
    logged_in(client, admin)
    client.post(deactivate_url(clinic, physio), {"hand_to": colleague.pk})
    url = reverse("clinic-physio-reactivate", args=[clinic.pk, physio.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    physio.refresh_from_db()
    assert physio.is_active
    assert Membership.objects.get(clinic=clinic, user=physio, role=PHYSIO).is_active
    patient.refresh_from_db()
    assert patient.physio == colleague  # the handover stays


# Settings


def test_the_settings_change_the_clinics_name_and_retention(client, admin, clinic):
    logged_in(client, admin)
    url = reverse("clinic-settings", args=[clinic.pk])
    html = client.get(url).content.decode()
    assert 'for="id_retention_years"' in html and 'for="id_retention_reason"' in html
    data = {"name": "Nordhavn Physio", "retention_years": 10, "retention_reason": "Our rules."}
    assert client.post(url, data).status_code == 302
    clinic.refresh_from_db()
    assert (clinic.name, clinic.retention_years, clinic.retention_reason) == (
        "Nordhavn Physio",
        10,
        "Our rules.",
    )
    response = client.post(url, {**data, "retention_years": 31})
    assert response.status_code == 200 and response.context["form"].errors
    assert Clinic.objects.get(pk=clinic.pk).retention_years == 10


# No health data on the clinic admin's pages


def test_the_clinic_admins_pages_show_no_health_data(
    client, admin, clinic, physio, colleague, patient
):
    audit.record(colleague, patient, audit.What.PATIENT)
    audit.record(physio, patient, audit.What.SESSION)
    logged_in(client, admin)
    urls = [reverse("clinic-home")] + [url for _, url in clinic_pages(clinic, physio)]
    for url in urls:
        html = client.get(url).content.decode()
        for health in (CONDITION_NAME, "Left", "1960", "dherence"):
            assert health not in html, (url, health)
        # A pain score ("6/10"), not an address with an id that starts with 10 ("/clinic/105/").
        assert not re.search(r"\b\d{1,2}\s*/\s*10\b", html), url
        assert "pain" not in html.lower(), url
    # The access log names the patient (the admin may know who), and nothing about their health.
    log = client.get(reverse("clinic-access-log", args=[clinic.pk])).content.decode()
    assert "Olga Olsen" in log


# The access log


def make_events(clinic, actors, patients, count):
    now = timezone.now()
    AccessEvent.objects.bulk_create(
        AccessEvent(
            at=now - datetime.timedelta(minutes=i),
            actor_id=actors[i % len(actors)].pk,
            relation=audit.relation(actors[i % len(actors)], patients[i % len(patients)]),
            patient_id=patients[i % len(patients)].pk,
            clinic_id=clinic.pk,
            action=audit.Action.VIEW,
            what=audit.What.PATIENT,
        )
        for i in range(count)
    )


def log_rows(client, clinic, **query):
    response = client.get(reverse("clinic-access-log", args=[clinic.pk]), query)
    assert response.status_code == 200
    return response, [event for event, _ in response.context["rows"]]


def test_the_access_log_shows_who_when_as_what_newest_first(
    client, admin, clinic, physio, colleague, patient
):
    audit.record(physio, patient, audit.What.HISTORY)
    audit.record(colleague, patient, audit.What.PATIENT)
    audit.record(patient, patient, audit.What.CHECKLIST)  # the patient's own look: left out
    AccessEvent.objects.create(  # another clinic's entry
        actor=physio, relation="treating", patient=patient, clinic=ClinicFactory(),
        action="view", what="patient",
    )  # fmt: skip
    logged_in(client, admin)
    response, events = log_rows(client, clinic)
    assert [e.actor for e in events] == [colleague, physio]
    html = response.content.decode()
    for text in (
        "Carl Colleague",
        "Physiotherapist at the clinic, not treating",
        "Treating physiotherapist",
        "Viewed: patient page",
        "Viewed: history",
        "Olga Olsen",
        "2 entries",
    ):
        assert text in html, text


def test_the_access_log_filters_by_physio_and_by_patient(
    client, admin, clinic, physio, colleague, patient
):
    other = PatientFactory(physio=colleague, first_name="Bent", last_name="Berg")
    audit.record(physio, patient, audit.What.PATIENT)
    audit.record(colleague, patient, audit.What.PATIENT)
    audit.record(colleague, other, audit.What.PATIENT)
    logged_in(client, admin)
    _, events = log_rows(client, clinic, physio=colleague.pk)
    assert {e.actor for e in events} == {colleague} and len(events) == 2
    _, events = log_rows(client, clinic, patient="olsen")
    assert {e.patient_id for e in events} == {patient.pk} and len(events) == 2
    _, events = log_rows(client, clinic, patient="bent BERG")
    assert [e.patient_id for e in events] == [other.pk]
    _, events = log_rows(client, clinic, patient=str(other.pk))
    assert [e.patient_id for e in events] == [other.pk]
    _, events = log_rows(client, clinic, physio=colleague.pk, patient="Olga")
    assert len(events) == 1 and events[0].actor == colleague
    response, events = log_rows(client, clinic, patient="nobody")
    assert events == [] and "No entries match this filter." in response.content.decode()
    # A physio of another clinic is no choice here: the filter is refused, the log unfiltered.
    response, events = log_rows(client, clinic, physio=PhysioFactory().pk)
    assert response.context["filter"].form.errors["physio"] and len(events) == 3


def test_the_physio_filter_offers_the_clinics_people_including_those_who_left(
    client, admin, clinic, physio, colleague
):
    Membership.objects.filter(user=colleague).update(is_active=False)
    PhysioFactory(first_name="Olaf", last_name="Outsider")  # another clinic
    logged_in(client, admin)
    response, _ = log_rows(client, clinic)
    choices = [label for _, label in response.context["filter"].form.fields["physio"].choices]
    assert "Carl Colleague (no longer here)" in choices
    assert "Petra Physio" in choices
    assert not any("Outsider" in str(label) for label in choices)
    html = response.content.decode()
    assert 'for="id_physio"' in html and 'for="id_patient"' in html


def test_an_erased_patients_entries_stay_as_a_number(client, admin, clinic, physio):
    gone = 987654
    AccessEvent.objects.create(
        actor=physio, relation="treating", patient_id=gone, clinic=clinic, action="view",
        what="patient",
    )  # fmt: skip
    logged_in(client, admin)
    response, events = log_rows(client, clinic)
    assert len(events) == 1
    assert f"Erased patient #{gone}" in response.content.decode()


def test_the_access_log_takes_a_fixed_number_of_queries(
    client, admin, clinic, physio, colleague, patient, django_assert_num_queries
):
    patients = [patient, PatientFactory(physio=colleague), PatientFactory(physio=physio)]
    logged_in(client, admin)
    client.get(reverse("clinic-home"))  # the session settles
    url = reverse("clinic-access-log", args=[clinic.pk])
    for count in (3, 60):
        make_events(clinic, [physio, colleague, admin], patients, count)
        with django_assert_num_queries(ACCESS_LOG_QUERIES):
            assert client.get(url).status_code == 200
        # A filter by person checks the choice: one more.
        with django_assert_num_queries(ACCESS_LOG_QUERIES + 1):
            query = {"physio": physio.pk, "patient": "a", "page": 2}
            assert client.get(url, query).status_code == 200


# Session, user, second-factor device, admin gate, clinic; the count, a page of entries with who
# looked, the page's patients, the people to filter by.
ACCESS_LOG_QUERIES = 9


# The patient's "who has looked at my data"


def test_the_patient_sees_who_has_looked_with_names_and_relations(
    client, physio, colleague, patient
):
    audit.record(colleague, patient, audit.What.PATIENT)
    audit.record(physio, patient, audit.What.HISTORY)
    audit.record(patient, patient, audit.What.CHECKLIST)
    audit.record(colleague, PatientFactory(physio=colleague), audit.What.PATIENT)  # not hers
    logged_in(client, patient)
    response = client.get(reverse("my-data-access"))
    assert response.status_code == 200
    events = list(response.context["page"])
    assert [e["actor_id"] for e in events] == [physio.pk, colleague.pk]
    html = response.content.decode()
    for text in (
        "Carl Colleague",
        "Physiotherapist at your clinic",
        "Petra Physio",
        "Your physiotherapist",
        "Viewed: patient page",
    ):
        assert text in html, text
    assert "today&#x27;s session" not in html and "today's session" not in html


def test_repeated_looks_on_one_day_are_one_line_with_a_count(client, physio, patient):
    for _ in range(3):
        audit.record(physio, patient, audit.What.CASELOAD)
    audit.record(physio, patient, audit.What.PATIENT)
    logged_in(client, patient)
    response = client.get(reverse("my-data-access"))
    rows = response.context["rows"]
    assert sorted((r["what"], r["times"]) for r in rows) == [
        ("caseload", 3),
        ("patient", 1),
    ]
    assert "3 times that day" in response.content.decode()


def test_the_patient_page_says_when_nobody_has_looked(client, patient):
    audit.record(patient, patient, audit.What.CHECKLIST)
    logged_in(client, patient)
    html = client.get(reverse("my-data-access")).content.decode()
    assert "Nobody else has looked at your data yet." in html


def test_the_history_links_to_who_has_looked(client, patient):
    logged_in(client, patient)
    html = client.get(reverse("plans:history")).content.decode()
    assert f'href="{reverse("my-data-access")}"' in html


def test_who_has_looked_takes_a_fixed_number_of_queries(
    client, clinic, physio, colleague, patient, django_assert_num_queries
):
    logged_in(client, patient)
    client.get(reverse("my-data-access"))  # the session settles (second-factor flag)
    url = reverse("my-data-access")
    for count in (3, 60):
        make_events(clinic, [physio, colleague], [patient], count)
        with django_assert_num_queries(MY_DATA_ACCESS_QUERIES):
            assert client.get(url).status_code == 200
        with django_assert_num_queries(MY_DATA_ACCESS_QUERIES):
            assert client.get(url, {"page": 2}).status_code == 200


# Session, user; the count and a page of entries with who looked.
MY_DATA_ACCESS_QUERIES = 4


@pytest.mark.parametrize("text", ["²", "#12345678901234567890", "١٢", "\x00", "  "])
def test_the_patient_filter_takes_any_text_without_an_error(client, admin, clinic, text):
    logged_in(client, admin)
    url = reverse("clinic-access-log", args=[clinic.pk])
    assert client.get(url, {"patient": text}).status_code == 200
