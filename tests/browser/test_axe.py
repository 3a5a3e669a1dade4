"""Issue #15: axe-core (vendored, tests/browser/vendor/) finds no WCAG 2.0/2.1/2.2 A or AA
violation on any page a patient, a physio, a clinic admin, staff or a visitor uses, in English and
Danish, at phone (390×844) and desktop (1280×800) size.

One browser context per role: it logs in once (the real log-in, second factor included), then
each page is loaded once and checked at both sizes; the phone menu is checked open as well."""

import datetime
import random
import re
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses.demo import demo_course, demo_licence
from courses.models import Instrument
from exercises.models import Exercise, ProgramTemplate
from hipcare import accounts, erasure
from hipcare.models import Cover, User
from plans import services
from plans.demo import demo_access_log, demo_plan
from plans.models import Plan, Prescription, Session
from tests.browser.conftest import PHONE, log_in
from tests.factories import (
    TEST_PASSWORD,
    ClinicAdminFactory,
    ClinicFactory,
    PatientFactory,
    PhysioFactory,
    StaffFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 800}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    summary: v.nodes[0].failureSummary,
  }));
}"""


@pytest.fixture
def axe_world(catalogue):
    """A clinic with two physios, patients with weeks of sessions (the demo's stories), a cover,
    an access log and an erasure request."""
    clinic = ClinicFactory(name="Aarhus Hofteklinik")
    mette = PhysioFactory(username="mette", first_name="Mette", last_name="Holm", clinic=clinic)
    jonas = PhysioFactory(username="jonas", first_name="Jonas", last_name="Berg", clinic=clinic)
    karen = PatientFactory(username="karen", first_name="Karen", last_name="Jensen", physio=mette)
    peter = PatientFactory(username="peter", first_name="Peter", last_name="Nielsen", physio=mette)
    lars = PatientFactory(username="lars", first_name="Lars", last_name="Andersen", physio=jonas)
    rng = random.Random(42)
    stories = [
        (karen, "osteoarthritis", "hard_session"),
        (peter, "bursitis", "struggling"),
        (lars, "fai", "doing_well"),
    ]
    ole = PatientFactory(username="ole", first_name="Ole", last_name="Madsen", physio=mette)
    stories.append((ole, "osteoarthritis", "ended"))
    admin = ClinicAdminFactory(username="lise", first_name="Lise", clinic=clinic)
    # Courses of care (issue #16): HOOS-12 loaded, the texts, a discharged course (Ole's).
    call_command("load_education", verbosity=0)
    demo_licence(clinic, admin)
    courses = {}
    for patient, condition, story in stories:
        plan = demo_plan(
            patient=patient, condition_code=condition, side="right", story=story, rng=rng
        )
        courses[patient.username] = demo_course(plan, story)
    demo_access_log([mette, jonas], [(p, {}) for p, _c, _s in stories])
    # Karen has started today's session and ticked the first exercise.
    plan = Plan.objects.get(patient=karen)
    today = timezone.localdate()
    session = services.session_start(plan=plan, day=today, pain_before=2, red_flags=[])
    first = Prescription.objects.in_effect_on(today).filter(plan=plan).order_by("order").first()
    services.entry_set(session=session, prescription_id=first.pk, done=True)
    Cover.objects.create(
        clinic=clinic,
        covering=mette,
        absent=jonas,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
    )
    leaving = PatientFactory(first_name="Leaving", last_name="Lund", physio=jonas)
    request = erasure.erasure_request(patient=leaving)
    PatientFactory(first_name="New", last_name="Nyborg", physio=mette)  # no program yet
    return {
        "clinic": clinic,
        "mette": mette,
        "jonas": jonas,
        "karen": karen,
        "peter": peter,
        "plan": plan,
        "rx": first,
        "session": Session.objects.filter(plan=plan, completed_at__isnull=False).latest("date"),
        "erasure": request,
        "admin": admin,
        "courses": courses,
        "staff": StaffFactory(username="anne", first_name="Anne"),
    }


def pages_by_role(w):
    """Each role's user and the pages they use (None: a visitor)."""
    clinic, template = w["clinic"].pk, ProgramTemplate.objects.order_by("pk").first()
    exercise = Exercise.objects.order_by("pk").first()
    instrument = Instrument.objects.get(code="hoos12").pk
    invited = PatientFactory(first_name="Ida", last_name="Invited", physio=w["mette"])
    return {
        "visitor": (
            None,
            [
                reverse("login"),
                reverse("password_reset"),
                reverse("password_reset_done"),
                reverse("account-start"),
                accounts.invitation_path(invited),  # the link in the invitation e-mail
                reverse("offline"),  # what the service worker shows offline (issue 17)
            ],
        ),
        # Between the password and the code from the authenticator app.
        "physio, second step": (w["jonas"], [reverse("two-factor")]),
        "patient": (
            w["karen"],
            [
                reverse("plans:today"),
                reverse("plans:my-program"),
                reverse("plans:history"),
                reverse("plans:session-detail", args=[w["session"].pk]),
                reverse("plans:my-data"),
                reverse("reminders:settings"),
                reverse("my-data-access"),
                reverse("account-erase"),
                reverse("password_change"),
                reverse("courses:course", args=[w["courses"]["karen"].pk]),
                reverse("courses:questionnaire", args=[w["courses"]["karen"].pk, "baseline"]),
                reverse("courses:education"),
            ],
        ),
        "discharged patient": (
            User.objects.get(username="ole"),
            [
                reverse("plans:today"),
                reverse("courses:summary", args=[w["courses"]["ole"].pk]),
            ],
        ),
        "physio": (
            w["mette"],
            [
                reverse("plans:caseload"),
                reverse("plans:caseload") + "?scope=clinic",
                reverse("plans:patient-detail", args=[w["karen"].pk]),
                reverse("plans:patient-detail", args=[w["peter"].pk]),
                reverse("plans:session-detail", args=[w["session"].pk]),
                reverse("plans:plan-assign", args=[w["karen"].pk]),
                reverse("plans:prescription-change", args=[w["rx"].pk]),
                reverse("plans:plan-handout", args=[w["plan"].pk]),
                reverse("exercises:list"),
                reverse("exercises:detail", args=[w["rx"].exercise.slug]),
                reverse("plans:covers"),
                reverse("plans:patient-add"),
                reverse("courses:course", args=[w["courses"]["karen"].pk]),
                reverse("courses:review", args=[w["courses"]["lars"].pk]),
                reverse("courses:tests-record", args=[w["courses"]["karen"].pk, "review"]),
                reverse("courses:discharge", args=[w["courses"]["karen"].pk]),
                reverse("courses:summary", args=[w["courses"]["ole"].pk]),
            ],
        ),
        "clinic admin": (
            w["admin"],
            [
                reverse("clinic-home"),
                reverse("clinic-access-log", args=[clinic]),
                reverse("clinic-settings", args=[clinic]),
                reverse("clinic-physio-invite", args=[clinic]),
                reverse("clinic-physio-deactivate", args=[clinic, w["jonas"].pk]),
                reverse("clinic-erasures"),
                reverse("clinic-erasure-decide", args=[w["erasure"].pk]),
                reverse("courses:clinic-instruments", args=[clinic]),
                reverse("courses:clinic-instrument-load", args=[clinic, "hoos12"]),
                reverse("courses:clinic-instrument-stop", args=[clinic, "hoos12"]),
            ],
        ),
        "staff": (
            w["staff"],
            [
                reverse("admin:index"),
                reverse("admin:exercises_exercise_changelist"),
                reverse("admin:exercises_exercise_change", args=[exercise.pk]),
                reverse("admin:exercises_programtemplate_changelist"),
                reverse("admin:exercises_programtemplate_change", args=[template.pk]),
                reverse("admin:hipcare_clinic_changelist"),
                reverse("admin:hipcare_clinic_change", args=[clinic]),
                reverse("admin:hipcare_user_changelist"),
                reverse("admin:courses_educationtext_changelist"),
                reverse("admin:courses_instrument_change", args=[instrument]),
            ],
        ),
    }


def check(page, where, size, found):
    """axe on the page as it is, at one size; each violation is added to `found`."""
    if size in SIZES:
        page.set_viewport_size(SIZES[size])
    for violation in page.evaluate(RUN_AXE, WCAG_TAGS):
        found.append((where, size, violation))


def check_menu_open(page, where, found):
    page.set_viewport_size(PHONE)
    page.locator(".navbar-toggler").click()
    page.locator("#nav.show").wait_for()
    page.wait_for_function("!document.querySelector('.collapsing')")
    check(page, where, "phone, menu open", found)
    page.locator(".navbar-toggler").click()
    page.locator("#nav.show").wait_for(state="detached")


def report(found):
    lines = []
    for where, size, v in found:
        lines.append(
            f"{where} [{size}] {v['id']} ({v['impact']}, {v['nodes']} nodes): {v['help']}\n"
            f"    {'; '.join(v['targets'])}\n"
            + "\n".join(f"      {line.strip()}" for line in v["summary"].splitlines())
        )
    return "\n".join(lines)


@pytest.mark.parametrize("language", ["en", "da"])
def test_no_axe_violations(browser, live_server, axe_world, language):
    base = live_server.url
    found, pages, checked, started = [], 0, 0, time.monotonic()
    for role, (user, urls) in pages_by_role(axe_world).items():
        context = browser.new_context(viewport=DESKTOP)
        context.add_init_script(path=AXE)
        page = context.new_page()
        if role == "physio, second step":
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("E-mail or username").fill(user.username)
            page.get_by_label("Password").fill(TEST_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(re.compile(r"/accounts/two-factor/"))
        elif user is not None:
            log_in(page, base, user.username)
        context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        for n, url in enumerate(urls):
            pages += 1
            response = page.goto(base + url)
            assert response.status == 200, url
            assert page.locator("html").get_attribute("lang") == language, url
            where = f"{role}: {url}"
            for size in SIZES:
                check(page, where, size, found)
                checked += 1
            if n == 0 and user is not None and "/admin/" not in url:  # the phone menu, open
                check_menu_open(page, where, found)
                checked += 1
        context.close()
    print(
        f"\naxe ({language}): {pages} pages checked at 390×844 and 1280×800, with the phone menu "
        f"open once per role: {checked} checks, {len(found)} violations, "
        f"{time.monotonic() - started:.1f} s"
    )
    assert not found, "axe found violations:\n" + report(found)
