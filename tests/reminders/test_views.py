"""The patient's reminders page (/reminders/)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from plans.models import SessionEntry
from reminders.models import PushSubscription, ReminderDelivery, ReminderSchedule
from tests.factories import (
    ClinicAdminFactory,
    PatientFactory,
    PrescriptionFactory,
    SessionFactory,
    clinic_of,
)
from tests.reminders.conftest import patient_with_plan, save_schedule

pytestmark = pytest.mark.django_db

URL = reverse("reminders:settings")


def form_data(**changes):
    data = {
        "days": ["0", "2", "4"],
        "time": "18:15",
        "time_zone": "Europe/Copenhagen",
        "by_email": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def checked_days(html):
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    days = []
    for number, _name in enumerate(names):
        tag_start = html.index(f'value="{number}"', html.index('name="days"'))
        tag = html[html.rfind("<input", 0, tag_start) : html.index(">", tag_start)]
        if "checked" in tag:
            days.append(number)
    return days


# --- Showing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("per_week", "days"), [(3, [0, 2, 4]), (4, [0, 1, 3, 5]), (2, [0, 3])])
def test_before_the_first_save_the_form_shows_the_programs_days(client, per_week, days):
    patient = patient_with_plan(per_week=per_week)
    client.force_login(patient)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert checked_days(html) == days
    assert 'value="17:00"' in html
    assert '<option value="Europe/Copenhagen" selected>' in html
    assert 'data-prefill="browser"' in html  # the page may take the browser's zone instead
    assert "Reminders are off." in html
    assert f"Your program has {per_week} sessions a week" in html
    assert not ReminderSchedule.objects.exists()  # showing saves nothing


def test_a_saved_schedule_is_shown_as_saved(client):
    patient = patient_with_plan()
    save_schedule(patient, zone="Asia/Tokyo", at=datetime.time(9, 45), days=[5, 6])
    client.force_login(patient)
    html = client.get(URL).content.decode()
    assert checked_days(html) == [5, 6]
    assert 'value="09:45"' in html
    assert '<option value="Asia/Tokyo" selected>' in html
    assert 'data-prefill="browser"' not in html
    assert "Reminders are on." in html and "The next one:" in html and "09:45" in html
    assert "Turn off reminders" in html


def test_without_a_program_the_page_says_reminders_wait_for_one(client, patient):
    client.force_login(patient)
    html = client.get(URL).content.decode()
    assert "You have no program at the moment" in html
    assert checked_days(html) == [0, 2, 4]  # the default sessions per week


def test_without_vapid_keys_the_push_channel_is_not_offered(client, patient, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    client.force_login(patient)
    html = client.get(URL).content.decode()
    assert 'name="by_push"' not in html
    assert "Notifications on the phone are not set up on this hipcare server" in html


def test_with_vapid_keys_the_push_channel_carries_the_public_key(client, patient, vapid_keys):
    client.force_login(patient)
    html = client.get(URL).content.decode()
    assert 'name="by_push"' in html
    assert f'data-key="{vapid_keys["public_key"]}"' in html
    assert f'data-subscribe-url="{reverse("reminders:push-subscribe")}"' in html
    assert vapid_keys["private_key"] not in html
    assert 'src="/static/js/reminders.js"' in html


def test_a_patient_without_email_cannot_choose_email(client, vapid_keys):
    patient = patient_with_plan(email="")
    client.force_login(patient)
    html = client.get(URL).content.decode()
    assert "You have no e-mail address in hipcare." in html
    # A forged post with the box ticked is not saved as e-mail (the field is disabled).
    response = client.post(URL, form_data(by_email="on"))
    assert response.status_code == 422
    assert "Choose how to be reminded" in response.content.decode()
    response = client.post(URL, form_data(by_email=None, by_push="on"))
    assert response.status_code == 302
    schedule = ReminderSchedule.objects.get()
    assert (schedule.by_email, schedule.by_push) == (False, True)


# --- Saving ---------------------------------------------------------------------------------------


def test_saving_turns_reminders_on_and_confirms(client):
    patient = patient_with_plan()
    client.force_login(patient)
    response = client.post(URL, form_data())
    assert response.status_code == 302 and response.url == URL
    schedule = ReminderSchedule.objects.get(patient=patient)
    assert schedule.enabled and schedule.day_numbers == [0, 2, 4]
    assert schedule.time == datetime.time(18, 15) and schedule.time_zone == "Europe/Copenhagen"
    assert (schedule.by_email, schedule.by_push, schedule.language) == (True, False, "en")
    assert schedule.base_url == "http://testserver/"
    assert DBTaskResult.objects.filter(args_kwargs__kwargs__schedule_id=schedule.pk).count() == 1
    html = client.get(URL).content.decode()
    assert "Your reminders are saved." in html and "Reminders are on." in html


def test_the_reminder_speaks_the_language_of_the_page(client):
    patient = patient_with_plan()
    client.force_login(patient)
    client.post(reverse("set_language"), {"language": "da", "next": URL})
    client.post(URL, form_data())
    assert ReminderSchedule.objects.get().language == "da"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"time": "22:30"},
            "Reminders are not sent at night (from 21:00 to 08:00). Choose a time from 08:00 to 20:59.",
        ),
        ({"time": "07:45"}, "Reminders are not sent at night"),
        ({"time": "21:00"}, "Reminders are not sent at night"),
        ({"days": None}, "Choose at least one day."),
        ({"time": ""}, "Choose a time."),
        ({"time": "half past five"}, "Enter a time like 17:30."),
        ({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice."),
        ({"by_email": None}, "Choose how to be reminded: by e-mail, by notification, or both."),
        ({"days": ["9"]}, "Select a valid choice."),
    ],
)
def test_a_clear_message_and_422_for_what_cannot_be_saved(client, changes, message):
    patient = patient_with_plan()
    client.force_login(patient)
    response = client.post(URL, form_data(**changes))
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert "Your reminders are not saved yet." in html
    assert not ReminderSchedule.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_change_keeps_one_waiting_run(client):
    patient = patient_with_plan()
    client.force_login(patient)
    client.post(URL, form_data())
    client.post(URL, form_data(time="09:00"))
    schedule = ReminderSchedule.objects.get()
    assert schedule.version == 2
    [task] = DBTaskResult.objects.filter(args_kwargs__kwargs__schedule_id=schedule.pk)
    assert task.args_kwargs["kwargs"]["version"] == 2
    assert task.run_after.astimezone(schedule.zone).time() == datetime.time(9)


def test_turn_off_reminders(client):
    patient = patient_with_plan()
    client.force_login(patient)
    client.post(URL, form_data())
    response = client.post(URL, {"action": "off"})
    assert response.status_code == 302
    schedule = ReminderSchedule.objects.get()
    assert not schedule.enabled
    assert not DBTaskResult.objects.filter(status="READY").exists()
    html = client.get(URL).content.decode()
    assert "Reminders are off. You can turn them on again here." in html
    assert "Turn off reminders" not in html
    # The form keeps the days and time chosen, to turn them on again.
    assert checked_days(html) == [0, 2, 4] and 'value="18:15"' in html


# --- Who ------------------------------------------------------------------------------------------


def test_only_patients(client, physio):
    for user in (physio, ClinicAdminFactory(clinic=clinic_of(physio))):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, form_data()).status_code == 403
    assert not ReminderSchedule.objects.exists()


def test_each_patient_sees_and_changes_only_their_own(client):
    mine, theirs = patient_with_plan(), patient_with_plan()
    save_schedule(theirs, zone="Asia/Tokyo", at=datetime.time(9, 45), days=[6])
    client.force_login(mine)
    html = client.get(URL).content.decode()
    assert 'Asia/Tokyo" selected' not in html and 'value="09:45"' not in html
    client.post(URL, form_data())
    assert ReminderSchedule.objects.get(patient=theirs).day_numbers == [6]
    assert ReminderSchedule.objects.get(patient=mine).day_numbers == [0, 2, 4]
    client.post(URL, {"action": "off"})
    assert ReminderSchedule.objects.get(patient=theirs).enabled


# --- Queries --------------------------------------------------------------------------------------


def big_record(patient, vapid_keys=None):
    """Weeks of sessions, deliveries and phones: none of it may add a query."""
    plan = patient.plans.get()
    rx = PrescriptionFactory(plan=plan)
    today = timezone.localdate()
    for days_ago in range(1, 19):
        day = today - datetime.timedelta(days=days_ago)
        session = SessionFactory(plan=plan, date=day, completed_at=timezone.now())
        SessionEntry.objects.create(session=session, prescription=rx)
        ReminderDelivery.objects.create(patient=patient, local_date=day, due_at=timezone.now())
    for n in range(5):
        PushSubscription.objects.create(
            patient=patient, endpoint=f"https://push.example/{n}", p256dh="k", auth="a"
        )


@pytest.mark.parametrize("big", [False, True])
def test_the_page_runs_a_fixed_number_of_queries(
    client, vapid_keys, big, django_assert_num_queries
):
    patient = patient_with_plan()
    save_schedule(patient, zone="Europe/Copenhagen")
    PatientFactory()  # someone else
    if big:
        big_record(patient)
    client.force_login(patient)
    # session, user, schedule, active plan, phones
    with django_assert_num_queries(5):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize("big", [False, True])
def test_saving_runs_a_fixed_number_of_queries(client, big, django_assert_num_queries):
    patient = patient_with_plan()
    save_schedule(patient, zone="Europe/Copenhagen")
    if big:
        big_record(patient)
    client.force_login(patient)
    # session, user, schedule, active plan; the save (14 with its savepoints): the user locked,
    # the schedule, full_clean's checks (the patient, one schedule each, two constraints), the
    # update, the old run deleted; queue_next (5): the schedule locked, a waiting run?, the new run
    with django_assert_num_queries(23):
        assert client.post(URL, form_data(time="10:00")).status_code == 302
