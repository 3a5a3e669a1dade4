"""Every named URL × every role, from the URL configuration: a new URL without a row fails."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from courses.services import course_start
from hipcare.models import Cover
from plans.models import Prescription
from tests.factories import (
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

pytestmark = pytest.mark.django_db

# staff_physio is a physio with staff status (the user admin allows it) and patients of their own:
# staff status must never widen what a physio sees, so the patient below is not theirs (404).
# colleague: a physio at the patient's clinic who does not treat them (may open the record);
# other_physio works at another clinic (404). clinic_admin runs the patient's clinic and reads no
# health data (403 on care pages); other_clinic_admin runs another clinic.
ROLES = [
    "anonymous",
    "patient",
    "other_patient",
    "physio",
    "other_physio",
    "staff",
    "staff_physio",
    "colleague",
    "clinic_admin",
    "other_clinic_admin",
]
LOGIN = "login"  # a redirect to the login page

# name: (method, args builder, expected status per role in ROLES order)
PHYSIO_ONLY = [LOGIN, 403, 403, 200, 200, 403, 200, 200, 403, 403]
PHYSIO_OWN = [LOGIN, 403, 403, 200, 404, 403, 404, 200, 403, 403]
PHYSIO_OWN_POST = [LOGIN, 403, 403, 302, 404, 403, 404, 302, 403, 403]
PATIENT_OWN = [LOGIN, 200, 200, 403, 403, 403, 403, 403, 403, 403]
PUBLIC = [200] * len(ROLES)
SIGNED_IN = [LOGIN] + [200] * (len(ROLES) - 1)
TODAY = timezone.localdate
# The patient's last name: no generated name contains it, so finding it on a page is a leak.
PATIENT_MARK = "Olsenquist-Vaerge"


def day(w):
    return [TODAY().isoformat()]


TABLE = {
    "home": ("get", lambda w: [], [LOGIN] + [302] * (len(ROLES) - 1)),
    "healthz": ("get", lambda w: [], PUBLIC),
    # The app on the phone (issue 17): manifest, service worker and its offline page; no data.
    "manifest": ("get", lambda w: [], PUBLIC),
    "service-worker": ("get", lambda w: [], PUBLIC),
    "offline": ("get", lambda w: [], PUBLIC),
    "set_language": ("post", lambda w: [], [302] * len(ROLES)),
    # The "Larger text" toggle: anyone signed in, for their own account; back to the page.
    "text-size": ("post", lambda w: [], [LOGIN] + [302] * (len(ROLES) - 1)),
    "login": ("get", lambda w: [], PUBLIC),
    # The second factor: a signed-in user who passed it (physios, staff, through the test
    # client) is sent on; a patient without an app is offered the set-up.
    "two-factor": ("get", lambda w: [], [LOGIN] + [302] * (len(ROLES) - 1)),
    "two-factor-setup": ("get", lambda w: [], SIGNED_IN),
    "two-factor-recovery-codes": (
        "post",
        lambda w: [],
        [LOGIN, 302, 302, 200, 200, 200, 200, 200, 200, 200],
    ),
    "logout": ("post", lambda w: [], [302] * len(ROLES)),
    "password_change": ("get", lambda w: [], SIGNED_IN),
    "password_change_done": ("get", lambda w: [], SIGNED_IN),
    "password_reset": ("get", lambda w: [], PUBLIC),
    "password_reset_done": ("get", lambda w: [], PUBLIC),
    "password_reset_confirm": ("get", lambda w: ["MQ", "set-password"], PUBLIC),
    "password_reset_complete": ("get", lambda w: [], PUBLIC),
    "invite-accept": ("get", lambda w: ["MQ", "bad-token"], PUBLIC),
    # The in-clinic start: the patient's page, open to anyone (the code and date of birth are the
    # key); a physio makes a code for their own patient only (the world's patient has a password
    # already, so the physio is sent back to the page).
    "account-start": ("get", lambda w: [], PUBLIC),
    "exercises:list": ("get", lambda w: [], PHYSIO_ONLY),
    "exercises:detail": ("get", lambda w: [w["rx"].exercise.slug], PHYSIO_ONLY),
    # A catalogue picture (issue 17): not health data; anyone signed in who may see the exercise
    # (a shared one here; a clinic's own: tests/exercises/test_pictures.py).
    "exercises:picture": (
        "get",
        lambda w: (lambda p: [p.pk, p.digest])(
            w["rx"].exercise.pictures.create(
                position="start",
                content=b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3"/>',
                content_type="image/svg+xml",
                alt_en="Lying on the back",
                alt_da="Liggende på ryggen",
            )
        ),
        SIGNED_IN,
    ),
    "plans:caseload": ("get", lambda w: [], PHYSIO_ONLY),
    "plans:patient-add": ("get", lambda w: [], PHYSIO_ONLY),
    "plans:patient-detail": ("get", lambda w: [w["patient"].pk], PHYSIO_OWN),
    "plans:patient-export": ("get", lambda w: [w["patient"].pk], PHYSIO_OWN),
    "plans:patient-export-fhir": ("get", lambda w: [w["patient"].pk], PHYSIO_OWN),
    "plans:patient-invite": ("post", lambda w: [w["patient"].pk], PHYSIO_OWN_POST),
    "plans:patient-start-code": ("post", lambda w: [w["patient"].pk], PHYSIO_OWN_POST),
    "plans:suggestion-decide": ("post", lambda w: [w["patient"].pk], PHYSIO_OWN_POST),
    "plans:contact-record": ("post", lambda w: [w["patient"].pk], PHYSIO_OWN_POST),
    "plans:plan-pain-mode": ("post", lambda w: [w["plan"].pk], PHYSIO_OWN_POST),
    "plans:plan-assign": ("get", lambda w: [w["patient"].pk], PHYSIO_OWN),
    # A colleague takes the patient over (302 back to the page); the treating physio is told
    # they treat the patient already (302 too); another clinic's physio gets 404.
    "plans:patient-take-over": ("post", lambda w: [w["patient"].pk], PHYSIO_OWN_POST),
    "plans:covers": ("get", lambda w: [], PHYSIO_ONLY),
    # Only the covering physio's own cover: everyone else gets 404.
    "plans:cover-end": (
        "post",
        lambda w: [w["cover"].pk],
        [LOGIN, 403, 403, 302, 404, 403, 404, 404, 403, 403],
    ),
    "plans:plan-handout": ("get", lambda w: [w["plan"].pk], PHYSIO_OWN),
    "plans:prescription-change": ("get", lambda w: [w["rx"].pk], PHYSIO_OWN),
    "plans:today": ("get", lambda w: [], PATIENT_OWN),
    "plans:my-program": ("get", lambda w: [], PATIENT_OWN),
    "plans:my-program-print": ("get", lambda w: [], PATIENT_OWN),
    "plans:history": ("get", lambda w: [], PATIENT_OWN),
    "plans:my-data": ("get", lambda w: [], PATIENT_OWN),
    "plans:my-data-fhir": ("get", lambda w: [], PATIENT_OWN),
    # The patient's reminders (issue 17): their own only; the phone's push subscription is posted
    # as JSON (here empty: 422).
    "reminders:settings": ("get", lambda w: [], PATIENT_OWN),
    "reminders:push-subscribe": (
        "post",
        lambda w: [],
        [LOGIN, 422, 422, 403, 403, 403, 403, 403, 403, 403],
    ),
    # Posted empty: the checklist again, the missing answer at its field (422).
    "plans:session-start": ("post", day, [LOGIN, 422, 422, 403, 403, 403, 403, 403, 403, 403]),
    # The other patient has their own plan, so the patient's prescription id is not theirs: 404.
    "plans:entry-tick": (
        "post",
        lambda w: [*day(w), w["rx"].pk],
        [LOGIN, 302, 404, 403, 403, 403, 403, 403, 403, 403],
    ),
    "plans:session-finish": ("post", day, [LOGIN, 302, 302, 403, 403, 403, 403, 403, 403, 403]),
    # Both roles pass the role gate; another patient's or physio's session is 404 (scoped queryset).
    # Staff fail the role gate before any fetch: 403, like every other role-gated page.
    "plans:session-detail": (
        "get",
        lambda w: [w["session"].pk],
        [LOGIN, 200, 404, 200, 404, 403, 404, 200, 403, 403],
    ),
    # Clinic admin pages: only a clinic admin passes the gate; a clinic-scoped page of a clinic
    # they do not run is 404 (the world's clinic is the patient's, run by clinic_admin).
    "clinic-home": ("get", lambda w: [], [LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 200]),
    "clinic-access-log-pick": (
        "get",
        lambda w: [],
        [LOGIN, 403, 403, 403, 403, 403, 403, 403, 302, 302],
    ),
    "clinic-physio-invite": (
        "get",
        lambda w: [w["clinic"].pk],
        [LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 404],
    ),
    "clinic-physio-deactivate": (
        "get",
        lambda w: [w["clinic"].pk, w["physio"].pk],
        [LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 404],
    ),
    # The physio works there already: "already works here", back to the clinic page.
    "clinic-physio-reactivate": (
        "post",
        lambda w: [w["clinic"].pk, w["physio"].pk],
        [LOGIN, 403, 403, 403, 403, 403, 403, 403, 302, 404],
    ),
    "clinic-settings": (
        "get",
        lambda w: [w["clinic"].pk],
        [LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 404],
    ),
    "clinic-access-log": (
        "get",
        lambda w: [w["clinic"].pk],
        [LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 404],
    ),
    # "Who has looked at my data": every patient sees their own.
    "my-data-access": ("get", lambda w: [], [LOGIN, 200, 200, 403, 403, 403, 403, 403, 403, 403]),
    # Erasure (hipcare/erasure_views.py): the patient asks; the page after it is for the logged-out
    # patient (a signed-in visitor is sent home); the clinic admin of the patient's clinic decides,
    # another clinic's admin gets 404.
    "account-erase": ("get", lambda w: [], PATIENT_OWN),
    "account-erase-done": ("get", lambda w: [], [200] + [302] * (len(ROLES) - 1)),
    "clinic-erasures": (
        "get",
        lambda w: [],
        [LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 200],
    ),
    # The course of care (courses/physio_views.py): the course page and its summary for the
    # patient and any physio of their clinic (like a session); the rest for physios only.
    "courses:course": (
        "get",
        lambda w: [w["course"].pk],
        [LOGIN, 200, 404, 200, 404, 403, 404, 200, 403, 403],
    ),
    "courses:summary": (
        "get",
        lambda w: [w["course"].pk],
        [LOGIN, 200, 404, 200, 404, 403, 404, 200, 403, 403],
    ),
    "courses:tests-record": ("get", lambda w: [w["course"].pk, "baseline"], PHYSIO_OWN),
    "courses:review": ("get", lambda w: [w["course"].pk], PHYSIO_OWN),
    "courses:discharge": ("get", lambda w: [w["course"].pk], PHYSIO_OWN),
    "courses:ask-discharge": ("post", lambda w: [w["course"].pk], PHYSIO_OWN_POST),
    # The patient's side (courses/patient_views.py): their own course only (404 for the other
    # patient's). The week's pain posted empty without htmx: back to today with the message.
    "courses:questionnaire": (
        "get",
        lambda w: [w["course"].pk, "baseline"],
        [LOGIN, 200, 404, 403, 403, 403, 403, 403, 403, 403],
    ),
    "courses:weekly-pain": (
        "post",
        lambda w: [w["course"].pk],
        [LOGIN, 302, 404, 403, 403, 403, 403, 403, 403, 403],
    ),
    "courses:education": ("get", lambda w: [], PATIENT_OWN),
    # A text for the condition of both patients' programs: each marks it read for themselves.
    "courses:education-read": (
        "post",
        lambda w: [education_text_for(w).pk],
        [LOGIN, 302, 302, 403, 403, 403, 403, 403, 403, 403],
    ),
    # The clinic admin's licensed measures (courses/clinic_views.py), of their own clinic.
    "courses:clinic-instruments": (
        "get",
        lambda w: [w["clinic"].pk],
        [LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 404],
    ),
    "courses:clinic-instrument-load": (
        "get",
        lambda w: [w["clinic"].pk, "hoos12"],
        [LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 404],
    ),
    "courses:clinic-instrument-stop": (
        "get",
        lambda w: [hoos12_loaded_at_clinic(w).pk, "hoos12"],
        [LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 404],
    ),
    "clinic-erasure-decide": (
        "get",
        lambda w: [erasure_request_at_clinic(w).pk],
        [LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 404],
    ),
}


def erasure_request_at_clinic(w):
    """A request by another patient of the world's clinic (its page shows their name)."""
    from hipcare.models import ErasureRequest

    leaving = PatientFactory(physio=w["physio"], first_name="Leaving", last_name="Lund")
    return ErasureRequest.objects.create(
        patient=leaving, patient_number=leaving.pk, clinic=w["clinic"]
    )


def education_text_for(w):
    """An education text for the condition of the world's programs."""
    from courses.models import EducationText

    return EducationText.objects.create(
        condition=w["plan"].condition,
        slug="permissions-text",
        title_en="A text",
        title_da="En tekst",
        body_en="One paragraph.",
        body_da="Et afsnit.",
        source="Test",
    )


def hoos12_loaded_at_clinic(w):
    """The world's clinic has loaded HOOS-12 (so it can stop using it); returns the clinic."""
    from courses.models import ClinicInstrument, Instrument

    ClinicInstrument.objects.create(
        clinic=w["clinic"],
        instrument=Instrument.objects.get(code="hoos12"),
        licence_reference="Test licence",
        loaded_by=w["clinic_admin"],
    )
    return w["clinic"]


def named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the Django admin checks staff itself
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_named_url_has_a_row():
    missing = sorted(set(named_urls()) - set(TABLE))
    assert missing == [], f"add these URLs to the permission table: {missing}"


@pytest.fixture
def world():
    condition = ConditionFactory()
    physio, other_physio = PhysioFactory(), PhysioFactory()
    patient = PatientFactory(physio=physio, first_name="Owner", last_name=PATIENT_MARK)
    other_patient = PatientFactory(physio=other_physio, first_name="Stranger", last_name="Sand")
    start = TODAY() - datetime.timedelta(days=10)
    plan = PlanFactory(patient=patient, condition=condition, start_date=start)
    course = course_start(plan=plan, goals=f"Walk the dog ({PATIENT_MARK})")
    PlanFactory(patient=other_patient, condition=condition, start_date=start)
    rx = PrescriptionFactory(plan=plan)
    session = SessionFactory(plan=plan, date=TODAY() - datetime.timedelta(days=2))
    staff_physio = PhysioFactory(is_staff=True, is_superuser=True)
    own_patient = PatientFactory(physio=staff_physio, first_name="Own", last_name="Nielsen")
    own_plan = PlanFactory(patient=own_patient, condition=condition, start_date=start)
    clinic = clinic_of(physio)
    colleague = PhysioFactory(clinic=clinic)
    return {
        "anonymous": None,
        "patient": patient,
        "other_patient": other_patient,
        "physio": physio,
        "other_physio": other_physio,
        "staff": StaffFactory(),
        "staff_physio": staff_physio,
        "plan": plan,
        "course": course,
        "rx": rx,
        "session": session,
        "own_plan": own_plan,
        "own_rx": PrescriptionFactory(plan=own_plan),
        "own_session": SessionFactory(plan=own_plan, date=TODAY() - datetime.timedelta(days=2)),
        "clinic": clinic,
        "cover": Cover.objects.create(
            clinic=clinic, covering=physio, absent=colleague, starts_on=TODAY(), ends_on=TODAY()
        ),
        "colleague": colleague,
        "clinic_admin": ClinicAdminFactory(clinic=clinic),
        "other_clinic_admin": ClinicAdminFactory(clinic=clinic_of(other_physio)),
    }


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_url_by_role(client, world, name, role):
    method, args, expected = TABLE[name]
    expected = expected[ROLES.index(role)]
    if world[role] is not None:
        client.force_login(world[role])
    response = getattr(client, method)(reverse(name, args=args(world)))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected
    outsiders = (
        "other_patient",
        "other_physio",
        "staff_physio",
        "clinic_admin",
        "other_clinic_admin",
    )
    if response.status_code == 200 and role in outsiders:
        html = response.content.decode()
        assert PATIENT_MARK not in html, "another person's data leaked"


def test_staff_status_never_widens_a_physios_reach(client, world):
    """A physio with staff status sees their own patient's handout, session and dose, and gets 404
    for another physio's patient, as any physio would."""
    client.force_login(world["staff_physio"])
    pages = [
        ("plans:plan-handout", "own_plan", "plan"),
        ("plans:session-detail", "own_session", "session"),
        ("plans:prescription-change", "own_rx", "rx"),
        ("plans:patient-detail", "own_plan", "plan"),
    ]
    for name, own, other in pages:
        own_arg = world[own].patient.pk if name == "plans:patient-detail" else world[own].pk
        other_arg = world[other].patient.pk if name == "plans:patient-detail" else world[other].pk
        assert client.get(reverse(name, args=[own_arg])).status_code == 200, name
        assert client.get(reverse(name, args=[other_arg])).status_code == 404, name
    # Changing the other patient's dose is refused before any write.
    rx = world["rx"]
    before = Prescription.objects.filter(plan=rx.plan).count()
    response = client.post(
        reverse("plans:prescription-change", args=[rx.pk]),
        {"sets": rx.sets, "dose_min": rx.dose_min, "dose_max": rx.dose_max, "next_step": ""},
    )
    assert response.status_code == 404
    assert Prescription.objects.filter(plan=rx.plan).count() == before
    assert PATIENT_MARK not in client.get(reverse("plans:caseload")).content.decode()


@pytest.mark.parametrize("role", ["staff", "staff_physio"])
def test_the_admin_shows_no_one_elses_health_data(client, world, role):
    client.force_login(world[role])
    for name, obj in (("plan", world["plan"]), ("session", world["session"])):
        listing = client.get(reverse(f"admin:plans_{name}_changelist"))
        assert listing.status_code == 200
        assert PATIENT_MARK not in listing.content.decode()  # the patient of another physio
        change = client.get(reverse(f"admin:plans_{name}_change", args=[obj.pk]))
        assert change.status_code == 302  # "does not exist": back to the admin index
