"""Where a page's time goes: each page served N times through Django's test client (all
middleware, DEBUG off) under cProfile, on the database in DATABASE_URL (scale data made by
`manage.py make_scale_data --prefix P`).

Usage: .venv/bin/python scripts/profile_pages.py P [page ...] [--n 50] [--top 25]
Prints milliseconds per request, queries per request and the costliest functions.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipcare.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp.oath import totp  # noqa: E402

from hipcare.models import User  # noqa: E402
from plans.scale import SCALE_PASSWORD, SCALE_TOTP_KEY  # noqa: E402


def client_for(username):
    client = Client(HTTP_HOST="127.0.0.1")
    client.post("/accounts/login/", {"username": username, "password": SCALE_PASSWORD})
    if "physio" in username:
        code = f"{totp(bytes.fromhex(SCALE_TOTP_KEY)):06d}"
        client.post("/accounts/two-factor/", {"token": code})
    return client


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("prefix")
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    physio, patient = client_for(f"{args.prefix}-physio-0"), client_for(f"{args.prefix}-patient-0")
    patient_id = User.objects.get(username=f"{args.prefix}-patient-0").pk
    pages = {
        "healthz": (Client(HTTP_HOST="127.0.0.1"), "/healthz"),
        "password-change": (patient, "/accounts/password_change/"),
        "caseload": (physio, "/caseload/"),
        "patient-page": (physio, f"/patients/{patient_id}/"),
        "catalogue": (physio, "/catalogue/"),
        "checklist": (patient, "/today/"),
        "history": (patient, "/history/"),
        "my-program": (patient, "/my-program/"),
    }
    for name in args.pages or pages:
        client, path = pages[name]
        for _ in range(5):
            response = client.get(path)
            assert response.status_code == 200, (name, response.status_code)
        queries = []

        def count(run, sql, *rest, queries=queries):
            queries.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(count):
            client.get(path)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for _ in range(args.n):
            client.get(path)
        profile.disable()
        ms = (time.perf_counter() - started) * 1000 / args.n
        print(f"\n=== {name} {path}: {ms:.1f} ms/request (profiled), {len(queries)} queries")
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats(args.sort)
        stats.print_stats(args.top)
        print("\n".join(out.getvalue().splitlines()[6:]))


if __name__ == "__main__":
    main()
