"""Issue 13: one assign form submitted twice at once (a double click, two tabs) ends on the plan the
first submit made, never on the form with an error on its hidden field."""

import threading
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from plans.models import Plan
from tests.factories import PlanFactory
from tests.plans.test_views_assign import assign_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submits_of_one_form_at_once_end_on_the_first_plan(
    client, physio, patient, fai_template
):
    old = PlanFactory(patient=patient, physio=physio, condition=fai_template.condition)
    data = assign_data(fai_template, patient)
    url = reverse("plans:plan-assign", args=[patient.pk])
    first_saved, second_waits_for_the_lock = threading.Event(), threading.Event()
    responses = {}

    def first(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('INSERT INTO "plans_plan"'):
            # Saved but not committed: the second submit passes its "already saved?" check now.
            first_saved.set()
            assert second_waits_for_the_lock.wait(timeout=10)
        return result

    def second(execute, sql, params, many, context):
        if "FOR UPDATE" in sql and '"hipcare_user"' in sql:
            second_waits_for_the_lock.set()
        return execute(sql, params, many, context)

    def submit(name, client, wrapper, after):
        try:
            assert after.wait(timeout=10)
            with connection.execute_wrapper(wrapper):
                responses[name] = client.post(url, data)
        finally:
            connection.close()

    clients = [client, type(client)()]  # the suite's client class passes the second factor
    for client in clients:
        client.force_login(physio)
    go = threading.Event()
    go.set()
    threads = [
        threading.Thread(target=submit, args=("first", clients[0], first, go)),
        threading.Thread(target=submit, args=("second", clients[1], second, first_saved)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert set(responses) == {"first", "second"}
    for name, response in responses.items():
        errors = response.context["form"].errors if response.status_code == 200 else None
        assert response.status_code == 302, (name, errors)
        assert response.url == reverse("plans:patient-detail", args=[patient.pk])
    plan = Plan.objects.get(submission_key=data["submission_key"])
    assert plan.status == Plan.Status.ACTIVE
    old.refresh_from_db()
    assert old.status == Plan.Status.ENDED
    assert Plan.objects.filter(patient=patient).count() == 2


@pytest.mark.django_db
def test_an_error_on_the_hidden_key_is_shown(client, physio, patient, fai_template, other_patient):
    # A form key already used for another patient (a copied form, a forged post).
    taken = PlanFactory(patient=other_patient, submission_key=uuid.uuid4())
    client.force_login(physio)
    data = assign_data(fai_template, patient, submission_key=str(taken.submission_key))
    response = client.post(reverse("plans:plan-assign", args=[patient.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "submission_key" not in form.errors
    assert form.non_field_errors()
    assert "This form was already used." in response.content.decode()
    assert not Plan.objects.filter(patient=patient).exists()
