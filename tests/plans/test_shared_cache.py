"""The shared cache (hipcare/cache.py) and the program's revision (plans/revision.py): a cached
history is served while nothing changed, and any write is visible on the next page at once."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from exercises.models import Exercise
from plans.models import Contact, Plan, Session, SessionAnswer, SessionEntry
from tests.factories import (
    ConditionFactory,
    ExerciseFactory,
    PlanFactory,
    PrescriptionFactory,
    days_ago,
)


def revision(plan):
    return Plan.objects.values_list("revision", flat=True).get(pk=plan.pk)


def main(response):
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


# --- The revision, kept by the database --------------------------------------------------------


def test_every_kind_of_change_raises_the_revision(plan):
    rx = plan.prescriptions.first()
    steps = []
    session = Session.objects.create(plan=plan, date=days_ago(1), pain_before=2)
    steps.append(revision(plan))
    entry = SessionEntry.objects.create(session=session, prescription=rx)
    steps.append(revision(plan))
    Session.objects.filter(pk=session.pk).update(pain_after=3)  # no signal, still counted
    steps.append(revision(plan))
    SessionAnswer.objects.create(session=session, step=SessionAnswer.Step.values[0], pain=2)
    steps.append(revision(plan))
    entry.delete()  # an untick
    steps.append(revision(plan))
    rx.dose_min = rx.dose_min + 1
    rx.save()
    steps.append(revision(plan))
    assert steps == sorted(set(steps)) and steps[0] > 0, steps


def test_saving_a_program_read_earlier_still_raises_its_revision(plan):
    stale = Plan.objects.get(pk=plan.pk)
    Session.objects.create(plan=plan, date=days_ago(1))
    moved = revision(plan)
    stale.sessions_per_week = 4
    stale.save()  # writes the revision it read, which is older
    assert revision(plan) == moved + 1


def test_a_bulk_load_raises_each_program_once_per_statement(plan, patient):
    before = revision(plan)
    sessions = Session.objects.bulk_create(
        Session(plan=plan, date=days_ago(n)) for n in range(1, 11)
    )
    rx = list(plan.prescriptions.all())
    SessionEntry.objects.bulk_create(
        SessionEntry(session=s, prescription=r) for s in sessions for r in rx
    )
    assert revision(plan) == before + 2  # 10 sessions and 30 ticks: two statements


def test_another_program_keeps_its_revision(plan, other_physio):
    other = PlanFactory(start_date=days_ago(5))
    before = revision(other)
    Session.objects.create(plan=plan, date=days_ago(1))
    assert revision(other) == before


# --- Pages from the cache, and a write visible at once -----------------------------------------


@pytest.mark.parametrize("days", [3, 300])
def test_the_history_comes_from_the_cache_in_4_queries(
    client, patient, days, django_assert_num_queries
):
    plan = PlanFactory(patient=patient, start_date=days_ago(days), weeks=52)
    rx = [PrescriptionFactory(plan=plan, order=order) for order in range(3)]
    sessions = Session.objects.bulk_create(
        Session(plan=plan, date=days_ago(n), pain_before=3, pain_after=2) for n in range(days)
    )
    SessionEntry.objects.bulk_create(
        SessionEntry(session=s, prescription=r) for s in sessions for r in rx
    )
    client.force_login(patient)
    client.get(reverse("plans:history"))  # a session's first page writes it (hipcare/two_factor)
    cache.clear()
    # session, user, plans, the chart window's sessions, ticks per exercise, summary, access log
    with django_assert_num_queries(7):
        first = client.get(reverse("plans:history"))
    # session, user, plans, the access log's INSERT; the weeks and the chart from the cache
    with django_assert_num_queries(4):
        again = client.get(reverse("plans:history"))
    assert main(again) == main(first)


def test_a_tick_shows_on_the_history_and_the_patient_page_at_once(client, patient, plan):
    day = timezone.localdate().isoformat()
    rx = plan.prescriptions.order_by("order").first()
    client.force_login(plan.physio)
    page = reverse("plans:patient-detail", args=[patient.pk])
    physio_before = main(client.get(page))
    client.force_login(patient)
    before = main(client.get(reverse("plans:history")))
    assert main(client.get(reverse("plans:history"))) == before  # kept

    client.post(reverse("plans:session-start", args=[day]), {"pain_before": 2})
    response = client.post(reverse("plans:entry-tick", args=[day, rx.pk]), {"done": "on"})
    assert response.status_code in (200, 302)

    after = main(client.get(reverse("plans:history")))
    assert after != before
    assert f"{rx.exercise.name} ×1" in after
    client.force_login(plan.physio)
    physio_after = main(client.get(page))
    assert physio_after != physio_before and f"{rx.exercise.name} ×1" in physio_after


def test_an_untick_shows_at_once(client, patient, plan):
    day = timezone.localdate().isoformat()
    rx = plan.prescriptions.order_by("order").first()
    client.force_login(patient)
    client.post(reverse("plans:session-start", args=[day]), {"pain_before": 2})
    client.post(reverse("plans:entry-tick", args=[day, rx.pk]), {"done": "on"})
    assert f"{rx.exercise.name} ×1" in main(client.get(reverse("plans:history")))
    client.post(reverse("plans:entry-tick", args=[day, rx.pk]), {})
    assert f"{rx.exercise.name} ×1" not in main(client.get(reverse("plans:history")))


def test_a_renamed_exercise_shows_in_the_cached_history_at_once(client, patient, plan):
    rx = plan.prescriptions.order_by("order").first()
    session = Session.objects.create(plan=plan, date=days_ago(1), pain_before=2)
    SessionEntry.objects.create(session=session, prescription=rx)
    client.force_login(patient)
    assert f"{rx.exercise.name} ×1" in main(client.get(reverse("plans:history")))
    exercise = Exercise.objects.get(pk=rx.exercise_id)
    exercise.name_en = "Renamed clam"
    exercise.save()  # a catalogue change: the history names exercises
    assert "Renamed clam ×1" in main(client.get(reverse("plans:history")))


def test_the_catalogue_shows_an_edit_at_once(client, physio):
    clam = ExerciseFactory(name_en="Clam shell")
    client.force_login(physio)
    listing = reverse("exercises:list")
    assert clam.name_en in main(client.get(listing))
    assert clam.name_en in main(client.get(clam.get_absolute_url()))
    clam.name_en = "Clam shell, band above the knees"
    clam.save()
    assert "Clam shell, band above the knees" in main(client.get(listing))
    assert "Clam shell, band above the knees" in main(client.get(clam.get_absolute_url()))
    # The admin's bulk deactivation is an UPDATE without signals: still seen at once.
    Exercise.objects.filter(pk=clam.pk).update(is_active=False)
    assert "Clam shell, band above the knees" not in main(client.get(listing))


def test_a_cache_that_does_not_answer_leaves_the_pages_working(
    client, patient, plan, settings, caplog
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    session = Session.objects.create(plan=plan, date=days_ago(1), pain_before=2)
    rx = plan.prescriptions.order_by("order").first()
    SessionEntry.objects.create(session=session, prescription=rx)
    client.force_login(patient)
    assert f"{rx.exercise.name} ×1" in main(client.get(reverse("plans:history")))
    assert "cache: unreachable" in caplog.text


def test_the_catalogue_version_is_raised_by_every_kind_of_catalogue_write(db):
    from exercises.models import CatalogueVersion, ConditionNote, ExercisePicture

    exercise = ExerciseFactory(name_en="Clam shell")
    steps = [CatalogueVersion.current()]
    writes = [
        lambda: Exercise.objects.filter(pk=exercise.pk).update(is_active=False),
        lambda: exercise.suits.add(ConditionFactory(code="fai")),
        lambda: ConditionNote.objects.filter(exercise=exercise).update(reason_en="Changed"),
        lambda: ExercisePicture.objects.filter(exercise=exercise).delete(),
        lambda: Exercise.objects.bulk_create([ExerciseFactory.build(slug="bulk-one")]),
    ]
    for write in writes:
        write()
        steps.append(CatalogueVersion.current())
    # Every write raised it, even those that matched no row: a statement is a change.
    assert steps == sorted(set(steps)), steps


def test_a_rolled_back_catalogue_change_keeps_the_version(db):
    from django.db import transaction

    from exercises.models import CatalogueVersion

    exercise = ExerciseFactory(name_en="Clam shell")
    before = CatalogueVersion.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        Exercise.objects.filter(pk=exercise.pk).update(name_en="Renamed")
        assert CatalogueVersion.current() > before  # seen inside the writing transaction
        raise RuntimeError
    assert CatalogueVersion.current() == before


@pytest.mark.parametrize(
    "template",
    [
        "plans/_history.html",
        "plans/_my_program.html",
        "exercises/_exercise_list.html",
        "exercises/_exercise_detail.html",
    ],
)
def test_a_cached_fragment_holds_nothing_of_one_request(template):
    """A fragment is shared by every user who may see it: no CSRF token, no CSP nonce, nothing
    read from the request or the user (an include is checked as well)."""
    from django.template import engines
    from django.template.loader_tags import IncludeNode

    def sources(name):
        compiled = engines["django"].engine.get_template(name)
        yield compiled.source
        for node in compiled.nodelist.get_nodes_by_type(IncludeNode):
            yield from sources(node.template.var)

    for source in sources(template):
        for marker in ("csrf_token", "csp_nonce", "request.", "user.", "perms."):
            assert marker not in source, (template, marker)


@pytest.mark.parametrize("doses", [1, 6])
def test_my_program_comes_from_the_cache_and_shows_a_dose_change_at_once(
    client, patient, doses, django_assert_num_queries
):
    plan = PlanFactory(patient=patient, start_date=days_ago(3))
    rx = [PrescriptionFactory(plan=plan, order=order) for order in range(doses)]
    client.force_login(patient)
    client.get(reverse("plans:my-program"))  # a session's first page writes it
    cache.clear()
    # session, user, the plan (course joined), the access log's INSERT, doses, their exercises'
    # notes, their pictures
    with django_assert_num_queries(7):
        first = client.get(reverse("plans:my-program"))
    with django_assert_num_queries(4):  # the doses from the cache
        again = client.get(reverse("plans:my-program"))
    assert main(again) == main(first)
    assert main(first).count("Show how to do it") == doses

    rx[0].dose_min, rx[0].dose_max = 17, 19
    rx[0].save()
    changed = main(client.get(reverse("plans:my-program")))
    assert changed != main(again) and f"{rx[0].sets} × 17–19" in changed


def test_the_caseload_shows_a_stop_and_its_contact_at_once(client, patient, plan):
    """The caseload's figures and flags are kept per program (plans/progress.py): a session
    stopped by the safety questions raises the flag at once, the physio's contact clears it."""
    client.force_login(plan.physio)
    caseload = reverse("plans:caseload")
    client.get(caseload)
    assert main(client.get(caseload)) == main(client.get(caseload))  # kept
    before = main(client.get(caseload))
    day = days_ago(1)
    Session.objects.create(
        plan=plan, date=day, pain_before=9, screen_stopped_at=timezone.now()
    )  # pain 9 before: the safety questions stop the session
    flagged = main(client.get(caseload))
    assert flagged != before
    Contact.objects.create(
        plan=plan,
        reason=Contact.Reason.STOP,
        note="Called; settled by the morning.",
        covers_through=day,
        recorded_by=plan.physio,
    )
    assert main(client.get(caseload)) == before


def test_a_cached_page_is_kept_per_language(client, physio, settings):
    ExerciseFactory(name_en="Clam shell", name_da="Muslingen")
    client.force_login(physio)
    english = main(client.get(reverse("exercises:list")))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    danish = main(client.get(reverse("exercises:list")))
    assert "Exercise catalogue" in english and "Clam shell" in english
    assert "Exercise catalogue" not in danish and "Muslingen" in danish
