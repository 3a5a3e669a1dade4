"""Every named URL × every role, from the URL configuration: a new URL without a row fails."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.factories import (
    ConditionFactory,
    PatientFactory,
    PhysioFactory,
    PlanFactory,
    PrescriptionFactory,
    SessionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "patient", "other_patient", "physio", "other_physio", "staff"]
LOGIN = "login"  # a redirect to the login page

# name: (method, args builder, expected status per role in ROLES order)
PHYSIO_ONLY = [LOGIN, 403, 403, 200, 200, 403]
PHYSIO_OWN = [LOGIN, 403, 403, 200, 404, 403]
PATIENT_OWN = [LOGIN, 200, 200, 403, 403, 403]
PUBLIC = [200] * 6
TODAY = timezone.localdate


def day(w):
    return [TODAY().isoformat()]


TABLE = {
    "home": ("get", lambda w: [], [LOGIN, 302, 302, 302, 302, 302]),
    "healthz": ("get", lambda w: [], PUBLIC),
    "set_language": ("post", lambda w: [], [302] * 6),
    "login": ("get", lambda w: [], PUBLIC),
    "logout": ("post", lambda w: [], [302] * 6),
    "password_change": ("get", lambda w: [], [LOGIN, 200, 200, 200, 200, 200]),
    "password_change_done": ("get", lambda w: [], [LOGIN, 200, 200, 200, 200, 200]),
    "password_reset": ("get", lambda w: [], PUBLIC),
    "password_reset_done": ("get", lambda w: [], PUBLIC),
    "password_reset_confirm": ("get", lambda w: ["MQ", "set-password"], PUBLIC),
    "password_reset_complete": ("get", lambda w: [], PUBLIC),
    "invite-accept": ("get", lambda w: ["MQ", "bad-token"], PUBLIC),
    "exercises:list": ("get", lambda w: [], PHYSIO_ONLY),
    "exercises:detail": ("get", lambda w: [w["rx"].exercise.slug], PHYSIO_ONLY),
    "plans:caseload": ("get", lambda w: [], PHYSIO_ONLY),
    "plans:patient-add": ("get", lambda w: [], PHYSIO_ONLY),
    "plans:patient-detail": ("get", lambda w: [w["patient"].pk], PHYSIO_OWN),
    "plans:patient-invite": ("post", lambda w: [w["patient"].pk], [LOGIN, 403, 403, 302, 404, 403]),
    "plans:suggestion-decide": (
        "post",
        lambda w: [w["patient"].pk],
        [LOGIN, 403, 403, 302, 404, 403],
    ),
    "plans:contact-record": ("post", lambda w: [w["patient"].pk], [LOGIN, 403, 403, 302, 404, 403]),
    "plans:plan-pain-mode": ("post", lambda w: [w["plan"].pk], [LOGIN, 403, 403, 302, 404, 403]),
    "plans:plan-assign": ("get", lambda w: [w["patient"].pk], PHYSIO_OWN),
    "plans:plan-handout": ("get", lambda w: [w["plan"].pk], PHYSIO_OWN),
    "plans:prescription-change": ("get", lambda w: [w["rx"].pk], PHYSIO_OWN),
    "plans:today": ("get", lambda w: [], PATIENT_OWN),
    "plans:my-program": ("get", lambda w: [], PATIENT_OWN),
    "plans:my-program-print": ("get", lambda w: [], PATIENT_OWN),
    "plans:history": ("get", lambda w: [], PATIENT_OWN),
    "plans:session-start": ("post", day, [LOGIN, 302, 302, 403, 403, 403]),
    # The other patient has their own plan, so the patient's prescription id is not theirs: 404.
    "plans:entry-tick": ("post", lambda w: [*day(w), w["rx"].pk], [LOGIN, 302, 404, 403, 403, 403]),
    "plans:session-finish": ("post", day, [LOGIN, 302, 302, 403, 403, 403]),
    # Both roles pass the role gate; another patient's or physio's session is 404 (scoped queryset).
    # Staff fail the role gate before any fetch: 403, like every other role-gated page.
    "plans:session-detail": ("get", lambda w: [w["session"].pk], [LOGIN, 200, 404, 200, 404, 403]),
}


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
    patient = PatientFactory(physio=physio, first_name="Owner", last_name="Olsen")
    other_patient = PatientFactory(physio=other_physio, first_name="Stranger", last_name="Sand")
    start = TODAY() - datetime.timedelta(days=10)
    plan = PlanFactory(patient=patient, condition=condition, start_date=start)
    PlanFactory(patient=other_patient, condition=condition, start_date=start)
    rx = PrescriptionFactory(plan=plan)
    session = SessionFactory(plan=plan, date=TODAY() - datetime.timedelta(days=2))
    return {
        "anonymous": None,
        "patient": patient,
        "other_patient": other_patient,
        "physio": physio,
        "other_physio": other_physio,
        "staff": StaffFactory(),
        "plan": plan,
        "rx": rx,
        "session": session,
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
    if response.status_code == 200 and role in ("other_patient", "other_physio"):
        html = response.content.decode()
        assert "Olsen" not in html, "another person's data leaked"
