"""Issue #15: the pain chart on a phone. Its labels were about 9 px and the last one was cut off;
now every label is at least 12 px at 390 px wide and none leaves the drawing."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from plans.models import Session, SessionEntry
from tests.browser.conftest import PHONE, log_in
from tests.factories import PlanFactory, PrescriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_LABEL_PX = 12
# Every <text> of the chart: its rendered font size (CSS px, the drawing's scale included) and
# its box, with the drawing's box (the visible area: anything outside the viewBox is clipped).
MEASURE = """() => {
  const svg = document.querySelector(".chart svg");
  const box = svg.getBoundingClientRect();
  const scale = svg.getScreenCTM().a;
  return {
    svg: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
    labels: [...svg.querySelectorAll("text")].map((t) => {
      const r = t.getBoundingClientRect();
      return {text: t.textContent.trim(), kind: t.getAttribute("class"), px: parseFloat(getComputedStyle(t).fontSize) * scale,
              left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    }),
  };
}"""


@pytest.fixture
def long_plan(patient):
    """18 weeks of sessions: the chart shows its newest 16 weeks."""
    today = timezone.localdate()
    plan = PlanFactory(patient=patient, start_date=today - datetime.timedelta(weeks=18), weeks=20)
    rx = PrescriptionFactory(plan=plan, valid_from=plan.start_date)
    for week in range(18):
        for day in (0, 2, 4):
            session = Session.objects.create(
                plan=plan,
                date=plan.start_date + datetime.timedelta(weeks=week, days=day),
                pain_before=6 - week // 4,
                pain_after=5 - week // 5,
            )
            SessionEntry.objects.create(session=session, prescription=rx)
    return plan


def check_chart(page: Page, where: str):
    expect(page.get_by_role("img", name="Weekly mean pain before and after sessions, 0 to 10"))
    found = page.evaluate(MEASURE)
    svg, labels = found["svg"], found["labels"]
    sizes = [label["px"] for label in labels]
    print(f"chart on {where} at 390 px: {len(labels)} labels, {min(sizes):.1f}–{max(sizes):.1f} px")
    for label in labels:
        assert label["px"] >= MIN_LABEL_PX, label
        assert label["bottom"] - label["top"] >= MIN_LABEL_PX, label
        assert svg["left"] <= label["left"] and label["right"] <= svg["right"], label
        assert svg["top"] <= label["top"] and label["bottom"] <= svg["bottom"], label
    weeks = sorted((label for label in labels if label["kind"] == "week"), key=lambda x: x["left"])
    assert len(weeks) == 8 and weeks[-1]["text"] == "19"  # the newest week is labelled
    for left, right in zip(weeks, weeks[1:], strict=False):  # and no two labels overlap
        assert left["right"] < right["left"], (left, right)


def test_chart_labels_are_legible_and_whole_on_a_phone(browser, live_server, long_plan, patient):
    for user, path in ((patient, "/history/"), (patient.physio, f"/patients/{patient.pk}/")):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        log_in(page, live_server.url, user.username)
        page.goto(live_server.url + path)
        check_chart(page, path)
        context.close()
