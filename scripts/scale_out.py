"""The scale-out run's driver (scripts/scale-out.sh starts the servers and calls this).

Patients log in through one instance; through nginx they answer "before you start" and tick each
exercise of today and of the missed days they may still log, a few at a time, as phones would
(a request that fails is sent again, up to RETRIES times); wrk loads the checklist through nginx
meanwhile. A few seconds in, the other instance's whole process group is killed (SIGKILL).
Then the database is counted: every acknowledged tick exactly once, none lost. Exits 1 otherwise.

The shared cache (Redis) is checked on the way: each patient's history is read through the first
instance before the run (so it is cached there) and again after it, when half the ticks went
through the other instance; it must equal the history rendered afresh without a cache.
"""

import argparse
import concurrent.futures
import http.client
import http.cookiejar
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipcare.settings")

import django  # noqa: E402

django.setup()

from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from plans import progress, rules  # noqa: E402
from plans.models import Plan, Session, SessionEntry  # noqa: E402
from plans.scale import SCALE_PASSWORD  # noqa: E402

RETRIES = 5
PHONES = 6  # patients ticking at the same time
KILL_AFTER_SECONDS = 3
WRK_SECONDS = 12


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Phone:
    """One patient's browser: a cookie jar shared by both addresses (cookies ignore the port)."""

    def __init__(self, username):
        self.username = username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), "")

    def send(self, url, data=None, headers=None):
        return self.fetch(url, data, headers)[0]

    def fetch(self, url, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""

    def log_in(self, base):
        self.send(f"{base}/accounts/login/")
        status = self.send(
            f"{base}/accounts/login/",
            {"csrfmiddlewaretoken": self.cookie("csrftoken"), "username": self.username,
             "password": SCALE_PASSWORD},
        )  # fmt: skip
        if status != 302 or not self.cookie("sessionid"):
            raise SystemExit(f"log-in of {self.username} answered {status}")

    def post(self, url, data, stats, *, htmx=False):
        """Sends a write until it is acknowledged (2xx or a redirect); False if it never was."""
        headers = {"X-CSRFToken": self.cookie("csrftoken")}
        if htmx:
            headers["HX-Request"] = "true"
        for attempt in range(RETRIES):
            try:
                status = self.send(url, data, headers)
            except (OSError, http.client.HTTPException):
                # No answer, or one cut off (the instance died while sending it; nginx cannot
                # send a half-sent answer again): the phone sends the change again.
                status = None
            if status is not None and status < 400:
                return True
            stats.add("failed requests", 1)
            time.sleep(0.2 * (attempt + 1))
        return False


def main_of(html):
    """The page's <main>: what the cache keeps (the rest carries this response's tokens)."""
    return html[html.index("<main") : html.index("</main>")]


def histories_through(base, phones):
    return {pk: main_of(phone.fetch(f"{base}/history/")[1]) for pk, phone in phones.items()}


def histories_without_cache(plans):
    """Each patient's history rendered here, in-process, with no cache at all."""
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy, ALLOWED_HOSTS=["127.0.0.1"]):
        result = {}
        for plan in plans:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(plan.patient)
            result[plan.pk] = main_of(client.get("/history/").content.decode())
        return result


class Stats:
    def __init__(self):
        self.lock, self.counts = threading.Lock(), {}

    def add(self, key, n):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n


def work_of(plan, today):
    """(day, [prescription ids]) for today and each missed day the patient may still log."""
    logged = set(Session.objects.filter(plan=plan).values_list("date", flat=True))
    days = rules.loggable_days(start=plan.start_date, last_day=plan.last_day, today=today)
    return [
        (day, [rx.pk for rx in progress.prescriptions_on(plan, day)])
        for day in sorted(days)
        if day not in logged
    ]


def tick_all(phone, plan, work, base, stats, acknowledged):
    for day, prescriptions in work:
        start = f"{base}/today/{day.isoformat()}/start/"
        if not phone.post(start, {"pain_before": 2}, stats):
            stats.add("sessions not started", 1)
            continue
        for rx in prescriptions:
            stats.add("ticks sent", 1)
            tick = f"{base}/today/{day.isoformat()}/tick/{rx}/"
            if phone.post(tick, {"done": "on"}, stats, htmx=True):
                acknowledged.append((plan.pk, day, rx))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--login", required=True, help="the instance patients log in through")
    parser.add_argument("--through", required=True, help="nginx, in front of both instances")
    parser.add_argument("--kill", type=int, required=True, help="the process group to kill")
    parser.add_argument("--prefix", default="so")
    args = parser.parse_args()
    today = timezone.localdate()
    plans = list(
        Plan.objects.active()
        .filter(patient__username__startswith=f"{args.prefix}-patient-")
        .select_related("patient")
        .order_by("pk")
    )
    phones = {plan.pk: Phone(plan.patient.username) for plan in plans}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda phone: phone.log_in(args.login), phones.values()))
    work = {plan.pk: work_of(plan, today) for plan in plans}
    print(f"{len(plans)} patients logged in through {args.login}; "
          f"{sum(len(rx) for w in work.values() for _d, rx in w)} ticks to make "
          f"through {args.through}")  # fmt: skip

    cached_before = histories_through(args.login, phones)  # now in the shared cache
    first = phones[plans[0].pk]
    wrk = subprocess.Popen(
        ["wrk", "-t1", "-c4", f"-d{WRK_SECONDS}s", "-s", str(ROOT / "scripts/bench.lua"),
         "-H", f"Cookie: sessionid={first.cookie('sessionid')}", f"{args.through}/today/"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    stats, acknowledged = Stats(), []

    def kill_later():
        time.sleep(KILL_AFTER_SECONDS)
        os.killpg(args.kill, signal.SIGKILL)
        print(f"killed instance {args.kill} (SIGKILL) {KILL_AFTER_SECONDS} s in")

    killer = threading.Thread(target=kill_later)
    started = time.monotonic()
    killer.start()
    with concurrent.futures.ThreadPoolExecutor(PHONES) as pool:
        jobs = [
            pool.submit(tick_all, phones[p.pk], p, work[p.pk], args.through, stats, acknowledged)
            for p in plans
        ]
        for job in jobs:
            job.result()
    seconds = time.monotonic() - started
    killer.join()
    load = json.loads(wrk.communicate()[0].strip().splitlines()[-1])

    # The count: every acknowledged tick is in the database exactly once, and nothing else is.
    worked = {(plan_id, day) for plan_id, days in work.items() for day, _rx in days}
    entries = {}
    for plan_id, day, rx in SessionEntry.objects.filter(
        session__plan__in=plans, session__date__in={day for _p, day in worked} or [today]
    ).values_list("session__plan_id", "session__date", "prescription_id"):
        if (plan_id, day) in worked:  # the days this run logged, not the history before it
            entries[(plan_id, day, rx)] = entries.get((plan_id, day, rx), 0) + 1
    lost = [t for t in acknowledged if entries.get(t, 0) == 0]
    twice = [t for t, n in entries.items() if n > 1]
    acknowledged_set = set(acknowledged)
    unexpected = [t for t in entries if t not in acknowledged_set]
    counts = stats.counts
    print(f"ticks sent {counts.get('ticks sent', 0)}, acknowledged {len(acknowledged)} "
          f"in {seconds:.1f} s; in the database: {len(entries)}")  # fmt: skip
    print(f"lost ticks: {len(lost)}; counted twice: {len(twice)}; "
          f"in the database but not acknowledged: {len(unexpected)}")  # fmt: skip
    print(f"failed requests seen by the phones (each sent again): "
          f"{counts.get('failed requests', 0)}; sessions not started: "
          f"{counts.get('sessions not started', 0)}")  # fmt: skip
    print(f"wrk on the checklist through nginx meanwhile: {load['requests']} requests, "
          f"{load['rps']:.0f}/s, p99 {load['p99']:.0f} ms, socket errors {load['errors']}, "
          f"non-2xx {load['non2xx']}")  # fmt: skip
    after = histories_through(args.login, phones)
    fresh = histories_without_cache(plans)
    stale = [pk for pk in after if after[pk] != fresh[pk]]
    changed = sum(after[pk] != cached_before[pk] for pk in after)
    print(f"history through {args.login} after the run: {len(stale)} of {len(after)} stale "
          f"(each compared with a render without cache; {changed} changed by the run)")  # fmt: skip
    ok = (
        not lost and not twice and not stale
        and len(acknowledged) == counts.get("ticks sent", 0)
    )  # fmt: skip
    print("scale-out: " + ("zero lost ticks" if ok else "TICKS LOST OR DOUBLED, OR A STALE PAGE"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
