import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from exercises.models import Condition, ProgramTemplate
from hipcare.models import User
from plans import services
from tests.factories import TEST_PASSWORD

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def catalogue(transactional_db):
    call_command("load_catalogue", verbosity=0)


def log_in(page: Page, base: str, username: str, password: str = TEST_PASSWORD):
    """The real log-in, the second factor included (physios get an authenticator app first)."""
    user = User.objects.get(username=username)
    device = None
    if user.is_physio or user.is_clinic_admin or user.is_staff:
        device = TOTPDevice.objects.filter(
            user=user, confirmed=True
        ).first() or TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail or username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if device is not None:
        page.wait_for_url(re.compile(r"/accounts/two-factor/"))
        page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/(caseload|today|clinic|admin)/$"))


def log_out(page: Page):
    toggler = page.get_by_role("button", name="Toggle navigation")
    if toggler.is_visible():
        toggler.click()
    page.get_by_role("button", name="Log out").click()


@pytest.fixture
def fai_plan(catalogue, patient):
    """The patient's program for FAI from the shipped template, started two days ago."""
    template = ProgramTemplate.objects.get(condition__code="fai")
    return services.plan_assign(
        physio=patient.physio,
        patient=patient,
        condition=Condition.objects.get(code="fai"),
        side="right",
        start_date=timezone.localdate() - datetime.timedelta(days=2),
        weeks=12,
        sessions_per_week=3,
        items=services.template_items(template),
        template=template,
    )
