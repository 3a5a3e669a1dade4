"""Where a page's time goes: each page served N times through Django's test client (all
middleware, DEBUG off) under cProfile, on the database in DATABASE_URL (scale data made by
`manage.py make_scale_data --prefix P`).

Usage: .venv/bin/python scripts/profile_pages.py P [page ...] [--n 50] [--top 25]
Prints milliseconds per request, queries per request and the costliest functions.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipcare.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.oath import totp  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from exercises.models import Exercise  # noqa: E402
from hipcare.models import User  # noqa: E402
from plans.scale import SCALE_PASSWORD, SCALE_TOTP_KEY  # noqa: E402


def client_for(username):
    """Logged in through the form, the second factor's code included. A code is accepted once:
    the benchmark, which logs in with curl next, uses `signed_in_client`."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.post("/accounts/login/", {"username": username, "password": SCALE_PASSWORD})
    if "physio" in username:
        code = f"{totp(bytes.fromhex(SCALE_TOTP_KEY)):06d}"
        client.post("/accounts/two-factor/", {"token": code})
    return client


def signed_in_client(username):
    """Signed in without the forms (the second factor marked as passed with the user's device)."""
    client = Client(HTTP_HOST="127.0.0.1")
    user = User.objects.get(username=username)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def count_queries(client, path):
    queries = []

    def count(run, sql, *rest):
        queries.append(sql)
        return run(sql, *rest)

    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def query_counts(pages):
    """{page: [queries with the cache empty, queries with it warm]}, after a first request that
    settles the session (its first page writes it)."""
    counts = {}
    for name, (client, path) in pages.items():
        client.get(path)
        cache.clear()
        counts[name] = [count_queries(client, path), count_queries(client, path)]
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("prefix")
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--queries", action="store_true", help="print query counts as JSON")
    args = parser.parse_args()
    sign_in = signed_in_client if args.queries else client_for
    physio, patient = sign_in(f"{args.prefix}-physio-0"), sign_in(f"{args.prefix}-patient-0")
    patient_id = User.objects.get(username=f"{args.prefix}-patient-0").pk
    exercise = Exercise.objects.order_by("pk").first()
    pages = {
        "healthz": (Client(HTTP_HOST="127.0.0.1"), "/healthz"),
        "password-change": (patient, "/accounts/password_change/"),
        "caseload": (physio, "/caseload/"),
        "patient-page": (physio, f"/patients/{patient_id}/"),
        "catalogue": (physio, "/catalogue/"),
        "checklist": (patient, "/today/"),
        "history": (patient, "/history/"),
        "my-program": (patient, "/my-program/"),
        "exercise": (physio, f"/catalogue/{exercise.slug}/"),
        "my-data": (patient, "/my-data/"),
        "reminders": (patient, "/reminders/"),
    }
    if args.queries:
        print(json.dumps(query_counts({name: pages[name] for name in args.pages or pages})))
        return
    for name in args.pages or pages:
        client, path = pages[name]
        for _ in range(5):
            response = client.get(path)
            assert response.status_code == 200, (name, response.status_code)
        queries = count_queries(client, path)
        started = time.perf_counter()
        for _ in range(args.n):
            client.get(path)
        plain_ms = (time.perf_counter() - started) * 1000 / args.n
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for _ in range(args.n):
            client.get(path)
        profile.disable()
        ms = (time.perf_counter() - started) * 1000 / args.n
        print(
            f"\n=== {name} {path}: {plain_ms:.1f} ms/request ({ms:.1f} profiled), {queries} queries"
        )
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats(args.sort)
        stats.print_stats(args.top)
        print("\n".join(out.getvalue().splitlines()[6:]))


if __name__ == "__main__":
    main()
