"""Issue 13: every admin change form and inline, posted back unchanged, with each field cleared and
with hostile values, answers a page or a form error, never a 500.

The walk reads the form the way a browser submits it (from the page's HTML), so a field, an inline
row or a management form added later is covered without a change here. A model registered later
needs an entry in INSTANCES only when the admin cannot add one (without one, the walk posts the add
form). A form the admin shows read-only answers its own page (403) to a post: any status below 500
passes.
"""

from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.urls import reverse

from tests.factories import (
    ConditionFactory,
    ConditionNoteFactory,
    ExerciseFactory,
    PatientFactory,
    PhysioFactory,
    PlanFactory,
    PrescriptionFactory,
    SessionFactory,
    make_template,
)

pytestmark = pytest.mark.django_db

TEXT_AND_NUL = "4a\x00b"
# By the kind of input a field renders as: text and NUL in number and id fields, overflowing and
# negative numbers, a very long text with a NUL in text fields. Each field is also posted cleared.
HOSTILE = {
    "number": [TEXT_AND_NUL, "9" * 30, "-1"],
    "id": [TEXT_AND_NUL, "9" * 30],  # selects, hidden fields, raw ids
    "management": [TEXT_AND_NUL],  # a formset's form counts
    "text": ["x" * 100_000 + "\x00"],  # text, textarea, dates: each validator reports
    "many": [TEXT_AND_NUL, "9" * 30],  # multiple selects
    "choice": [],  # checkboxes and radio buttons: sent or not
}
# A browser sends a cleared text field or a single select on its empty choice as "", and
# nothing for unticked boxes and a multiple select with nothing selected.
CLEARED = {"choice": [], "many": []}
MANAGEMENT = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


def _access(model):
    fields = {"username": "patient", "ip_address": "10.0.0.1", "user_agent": "pytest"}
    if model is AccessAttempt:
        fields.update(get_data="", post_data="username=patient", failures_since_start=3)
    if model is AccessFailureLog:
        fields.update(locked_out=False)
    return model.objects.create(**fields)


def own_plan(physio):
    return PlanFactory(patient=PatientFactory(physio=physio))


INSTANCES = {
    # Not the signed-in admin: clearing is_staff there would end the walk.
    "hipcare.User": lambda user: PatientFactory(),
    "auth.Group": lambda user: _group(),
    "exercises.Exercise": lambda user: ConditionNoteFactory().exercise,
    "exercises.Condition": lambda user: ConditionFactory(code="fai"),
    "exercises.ProgramTemplate": lambda user: make_template(
        ConditionFactory(), [ExerciseFactory(), ExerciseFactory()]
    ),
    # Health data shows only for the signed-in physio's own patients (plans/admin.py).
    "plans.Plan": lambda user: PrescriptionFactory(plan=own_plan(user)).plan,
    "plans.Session": lambda user: SessionFactory(
        plan=own_plan(user), red_flags=["calf"], note="Stiff."
    ),
    "axes.AccessAttempt": lambda user: _access(AccessAttempt),
    "axes.AccessLog": lambda user: _access(AccessLog),
    "axes.AccessFailureLog": lambda user: _access(AccessFailureLog),
    "django_tasks_database.DBTaskResult": lambda user: _task_result(),
    "hipcare.ErasureRequest": lambda user: _erasure_request(),
    # Shipped by a data migration; the admin edits names, notes and minimal important changes.
    "courses.Instrument": lambda user: _instrument(),
}


def _instrument():
    from courses.models import Instrument

    return Instrument.objects.get(code="hip-pain")


def _erasure_request():
    from hipcare import erasure

    return erasure.erasure_request(patient=PatientFactory())


def _task_result():
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, task_path="hipcare.tasks.example",
        backend_name="default", run_after=timezone.now(), exception_class_path="", traceback="",
    )  # fmt: skip


def _group():
    group = Group.objects.create(name="Clinic admins")
    group.permissions.set(Permission.objects.all()[:3])
    return group


class FormReader(HTMLParser):
    """The fields the admin's change form submits, as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.data, self.kinds = {}, {}
        self.in_form, self.select, self.textarea = False, None, None

    def add(self, name, value, kind):
        self.data.setdefault(name, []).append(value)
        self.kinds[name] = kind

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = (attrs.get("id") or "").endswith("_form")
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                self.kinds[name] = "choice"
                if "checked" in attrs:
                    self.add(name, attrs.get("value") or "on", "choice")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                if name.endswith(MANAGEMENT):
                    kind = "management"
                elif "RawId" in attrs.get("class", ""):
                    kind = "id"
                else:
                    kind = {"number": "number", "hidden": "id"}.get(kind, "text")
                self.add(name, attrs.get("value") or "", kind)
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "options": [], "on": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select["options"].append(value)
            if "selected" in attrs:
                self.select["on"].append(value)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["on"]
            if not self.select["multiple"] and not chosen and self.select["options"]:
                chosen = self.select["options"][:1]
            self.data[self.select["name"]] = chosen
            self.kinds[self.select["name"]] = "many" if self.select["multiple"] else "id"
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            self.add(name, value.removeprefix("\n"), "text")
            self.textarea = None


def read_form(html):
    reader = FormReader()
    reader.feed(html)
    return reader.data, reader.kinds


def variants(data, kinds):
    """(label, data): unchanged, each field cleared, each field with each hostile value."""
    yield "unchanged", data
    for name, kind in kinds.items():
        if name == "csrfmiddlewaretoken" or "__prefix__" in name:
            continue
        if any(data.get(name, [])):  # else the same as unchanged
            yield f"{name} cleared", {**data, name: CLEARED.get(kind, [""])}
        for value in HOSTILE[kind]:
            yield f"{name}={value[:12]!r}", {**data, name: [value]}


def post(client, url, data):
    """One post in a savepoint that is rolled back: every variant starts from the same rows."""
    with transaction.atomic():
        try:
            return client.post(url, {**data, "_save": "Save"}).status_code
        except Exception as error:  # noqa: BLE001 - reported by the test with the variant
            return f"{type(error).__name__}: {str(error)[:200]}"
        finally:
            transaction.set_rollback(True)


def models():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_every_admin_form_answers_a_page_or_a_form_error(client):
    # A clinic admin who is also a physio: the admin shows them their own patients' programs.
    staff = PhysioFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    failures = []
    for model, _model_admin in models():
        label = model._meta.label
        info = (model._meta.app_label, model._meta.model_name)
        if label in INSTANCES:
            url = reverse("admin:{}_{}_change".format(*info), args=[INSTANCES[label](staff).pk])
        else:
            url = reverse("admin:{}_{}_add".format(*info))
        page = client.get(url)
        assert page.status_code == 200, f"{label}: add a way to make one to INSTANCES"
        for variant, data in variants(*read_form(page.content.decode())):
            status = post(client, url, data)
            if not isinstance(status, int) or status >= 500:
                failures.append(f"{label} {variant}: {status}")
    assert not failures, "\n".join(failures)
