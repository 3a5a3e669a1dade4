"""Issue 17, offline, in real Chromium: today's session ticked and finished without a network
(Playwright's offline mode, which the service worker's own requests obey too), kept on the phone,
shown again after a reload served by the service worker, and sent once when the network is back.
The rules are tested directly in tests/plans/test_offline.py."""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from plans import progress
from plans.models import ClientSubmission, Session, SessionAnswer, SessionEntry
from tests.browser.conftest import PHONE, log_in
from tests.browser.test_axe import AXE, RUN_AXE, WCAG_TAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "Saved on this phone – sent when you are online"
SCREENSHOTS = Path("/tmp/hipcare-offline")


@pytest.fixture
def phone(browser):
    # The phone's clock in the server's time zone: offline.js compares the page's day with it.
    context = browser.new_context(
        viewport=PHONE, service_workers="allow", timezone_id=settings.TIME_ZONE
    )
    context.add_init_script(path=AXE)  # axe-core, for the checklist with changes kept
    yield context
    context.close()


def names_of(plan):
    return [rx.exercise.name for rx in progress.prescriptions_on(plan, timezone.localdate())]


def row(page, name):
    return page.locator("#checklist > li", has_text=name)


def answer(page, pain):
    page.get_by_role("radiogroup", name=re.compile("Pain right now")).get_by_text(
        str(pain), exact=True
    ).click()
    page.get_by_role("button", name=re.compile("Save answers and start|Update my answers")).click()


def controlled(page):
    """Waits until the service worker controls the page (it is registered on the first page)."""
    page.evaluate(
        """async () => {
          await navigator.serviceWorker.ready;
          while (!navigator.serviceWorker.controller) await new Promise((r) => setTimeout(r, 50));
        }"""
    )


def waiting(page):
    return page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('hipcare.offline.'))"
        ".reduce((n, k) => n + JSON.parse(localStorage[k]).queue.length, 0)"
    )


def sent_again(page, requests):
    """Posts the recorded replays again, as a second tab (or a lost answer) would."""
    return page.evaluate(
        """async (requests) => {
          const token = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))
            .slice("csrftoken=".length);
          const answers = [];
          for (const r of requests) {
            const response = await fetch(r.url, {method: "POST", body: r.body, headers: {
              "X-CSRFToken": token, "X-Hipcare-Replay": r.owner,
              "Content-Type": "application/x-www-form-urlencoded"}});
            answers.push([response.status, await response.json()]);
          }
          return answers;
        }""",
        requests,
    )


def test_a_session_done_offline_reaches_the_server_once(phone, live_server, fai_plan, patient):
    page = phone.new_page()
    log_in(page, live_server.url, patient.username)
    answer(page, 2)  # online: the page loads again, now through the service worker
    controlled(page)
    names = names_of(fai_plan)
    three = names[:3]

    phone.set_offline(True)
    expect(page.get_by_text("You are offline.")).to_be_visible()
    for name in three:
        page.get_by_role("button", name=f"Mark as done – {name}").click()
        expect(row(page, name).get_by_role("status")).to_have_text(f"✓ {SAVED}")
    expect(page.locator("#done-count")).to_have_text(f"(3 of {len(names)} done)")
    page.get_by_role("radiogroup", name="Pain after the session").get_by_text(
        "3", exact=True
    ).click()
    page.get_by_role("button", name="Finish session").click()
    expect(page.locator("#finish").get_by_role("status")).to_have_text(SAVED)
    assert waiting(page) == 4
    assert not SessionEntry.objects.exists()
    assert Session.objects.get(plan=fai_plan).completed_at is None
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("#exercises").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "pending-390.png")
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    assert violations == [], json.dumps(violations, indent=2)

    # Reloaded offline: the service worker's copy of the page, with what waits on the phone.
    response = page.reload()
    assert response.from_service_worker and response.status == 200
    for name in three:
        expect(row(page, name).get_by_role("status")).to_have_text(f"✓ {SAVED}")
        expect(row(page, name).get_by_role("button", name=f"Undo – {name}")).to_be_visible()
    expect(page.locator("#done-count")).to_have_text(f"(3 of {len(names)} done)")
    expect(page.locator("#finish").get_by_role("status")).to_have_text(SAVED)
    assert not SessionEntry.objects.exists()

    # The network is back: sent in order, each once, and the page shows what the server has.
    replays = []
    page.on(
        "request",
        lambda r: (
            replays.append(
                {"url": r.url, "body": r.post_data, "owner": r.headers["x-hipcare-replay"]}
            )
            if r.headers.get("x-hipcare-replay")
            else None
        ),
    )
    phone.set_offline(False)
    said = page.locator("#offline-status .alert-success")
    expect(said).to_have_text("Well done! Your session is saved.")
    assert waiting(page) == 0
    for name in three:
        expect(row(page, name).get_by_role("status")).to_have_text(re.compile("^✓ Done"))
    entries = SessionEntry.objects.filter(session__plan=fai_plan)
    assert sorted(entries.values_list("prescription__exercise__name_en", flat=True)) == sorted(
        three
    )
    session = Session.objects.get(plan=fai_plan)
    assert session.pain_after == 3 and session.completed_at is not None
    assert list(SessionAnswer.objects.values_list("step", flat=True)) == ["screen", "finish"]
    # The four kept changes, and the answers before the session (sent online, with a key too).
    assert len(replays) == 4 and ClientSubmission.objects.filter(session=session).count() == 5

    # Sent again (the online event twice, and every request once more): nothing changes.
    page.evaluate(
        "window.dispatchEvent(new Event('online')); window.dispatchEvent(new Event('online'))"
    )
    answers = sent_again(page, replays)
    assert [status for status, _body in answers] == [200] * 4
    assert all(body["ok"] for _status, body in answers)
    assert entries.count() == 3
    assert SessionAnswer.objects.count() == 2 and ClientSubmission.objects.count() == 5
    assert Session.objects.get(plan=fai_plan).pain_after == 3


def test_answers_given_offline_follow_the_servers_stop_rule(phone, live_server, fai_plan, patient):
    page = phone.new_page()
    log_in(page, live_server.url, patient.username)
    controlled(page)  # the checklist, before the questions: kept by the service worker
    page.reload()
    first = names_of(fai_plan)[0]
    expect(page.get_by_role("button", name=f"Mark as done – {first}")).to_have_count(0)

    phone.set_offline(True)
    answer(page, 8)  # pain 8 of 10: the server would say stop; so does the page
    advice = page.locator("#offline-stop")
    expect(advice).to_be_visible()
    expect(advice).to_contain_text("Do not exercise today")
    expect(advice).to_contain_text("Your pain right now is 8 of 10.")
    expect(advice).to_contain_text(patient.physio.get_full_name())
    expect(page.get_by_role("button", name=re.compile("Mark as done"))).to_have_count(0)

    answer(page, 2)  # changed: ticking opens, on the first exercise
    expect(advice).to_be_hidden()
    button = page.get_by_role("button", name=f"Mark as done – {first}")
    expect(button).to_be_focused()
    button.click()
    expect(row(page, first).get_by_role("status")).to_have_text(f"✓ {SAVED}")
    assert not Session.objects.exists()

    phone.set_offline(False)
    expect(row(page, first).get_by_role("status")).to_have_text(re.compile("^✓ Done"))
    session = Session.objects.get(plan=fai_plan)
    assert list(session.answers.values_list("pain", flat=True)) == [8, 2]
    assert session.screen_stopped_at is not None  # the stop stays on record for the physio
    assert session.entries.get().prescription.exercise.name_en == first


def test_a_change_the_server_refuses_is_shown_not_dropped(phone, live_server, fai_plan, patient):
    page = phone.new_page()
    log_in(page, live_server.url, patient.username)
    answer(page, 2)
    controlled(page)
    first = names_of(fai_plan)[0]
    phone.set_offline(True)
    page.get_by_role("button", name=f"Mark as done – {first}").click()
    expect(row(page, first).get_by_role("status")).to_have_text(f"✓ {SAVED}")
    Session.objects.filter(plan=fai_plan).delete()  # e.g. answered again elsewhere, then erased

    phone.set_offline(False)
    notice = page.locator("#offline-notices").get_by_role("alert")
    expect(notice).to_have_text(
        re.compile(f"Not saved: {first} – First answer the questions before the session.")
    )
    assert waiting(page) == 0 and not SessionEntry.objects.exists()
    page.reload()  # kept until the patient has read it
    expect(notice).to_be_visible()
    notice.get_by_role("button", name="Close").click()
    expect(notice).to_have_count(0)


def test_a_page_kept_from_another_day_takes_no_ticks(phone, live_server, fai_plan, patient):
    page = phone.new_page()
    log_in(page, live_server.url, patient.username)
    answer(page, 2)
    controlled(page)
    first = names_of(fai_plan)[0]
    phone.set_offline(True)
    tomorrow = datetime.datetime.now() + datetime.timedelta(days=1)
    page.clock.set_system_time(tomorrow)
    page.get_by_role("button", name=f"Mark as done – {first}").click()
    expect(page.locator("#offline-stale")).to_be_visible()
    expect(page.locator("#offline-stale")).to_contain_text("Connect to the internet")
    assert waiting(page) == 0


def test_logging_out_with_changes_not_sent_asks_first_and_clears_the_phone(
    phone, live_server, fai_plan, patient
):
    page = phone.new_page()
    log_in(page, live_server.url, patient.username)
    answer(page, 2)
    controlled(page)
    phone.set_offline(True)
    first = names_of(fai_plan)[0]
    page.get_by_role("button", name=f"Mark as done – {first}").click()
    expect(row(page, first).get_by_role("status")).to_have_text(f"✓ {SAVED}")
    # Back online, but the server cannot be reached yet: the tick stays on the phone.
    page.evaluate(
        "() => { window.fetch = () => Promise.reject(new TypeError('Failed to fetch')); }"
    )
    phone.set_offline(False)
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile("/today/"))
    assert asked == ["1 change not sent yet – connect to the internet first. Log out anyway?"]
    assert waiting(page) == 1

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile("/accounts/login/"))
    assert waiting(page) == 0
    kept = page.evaluate("caches.keys()")
    assert not [name for name in kept if name.startswith("hipcare-pages")], kept
    assert not SessionEntry.objects.exists()


def test_the_app_can_be_installed(page, live_server):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(base + href)
    assert manifest.ok and manifest.headers["content-type"] == "application/manifest+json"
    data = manifest.json()
    assert data["display"] == "standalone" and data["start_url"] == "/"
    for icon in data["icons"]:
        response = page.request.get(base + icon["src"])
        assert response.ok and response.headers["content-type"] == "image/png"
        assert response.body()[:8] == b"\x89PNG\r\n\x1a\n"
    touch = page.locator("link[rel=apple-touch-icon]").get_attribute("href")
    assert page.request.get(base + touch).ok
    assert page.locator("meta[name=theme-color]").get_attribute("content") == data["theme_color"]
    worker = page.request.get(f"{base}/sw.js")
    assert worker.ok and worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"
    assert "no-cache" in worker.headers["cache-control"]


def test_the_program_and_its_pictures_work_offline(phone, live_server, fai_plan, patient):
    page = phone.new_page()
    log_in(page, live_server.url, patient.username)
    controlled(page)
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="My program").click()  # through the service worker: kept
    page.wait_for_url(re.compile("/my-program/"))
    # The pictures are kept as the page names them (they load only when opened).
    pictures = page.locator("img[src*='/catalogue/pictures/']")
    count = pictures.count()
    assert count >= 2
    page.wait_for_function(
        """async (n) => (await (await caches.open("hipcare-pictures-v1")).keys()).length >= n""",
        arg=count,
    )

    phone.set_offline(True)
    response = page.reload()
    assert response.from_service_worker and response.status == 200
    first = page.locator("details.card").first
    first.locator("summary").click()
    picture = first.locator("img").first
    expect(picture).to_be_visible()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )
    # A page not kept for offline use: the offline page, in words.
    page.goto(f"{live_server.url}/history/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    page.get_by_role("link", name="Today's session").click()
    expect(page.get_by_role("heading", name="Today's session")).to_be_visible()
