"""Bulk scale data for benchmarks: realistic programs and years of sessions, fast.

Inserts go through bulk_create in large batches; one password hash is shared by every account.
"""

import datetime
import random
import time

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from exercises.models import Condition, ProgramTemplate
from hipcare.models import Clinic, Membership, User
from plans.models import Plan, Prescription, Session, SessionEntry, plan_end_date

BATCH = 5000
SCALE_PASSWORD = "scale-data"
SCALE_TOTP_KEY = "7363616c652d64617461206b6579"  # hex of "scale-data key"
# Physios per clinic: with 20 patients each, about 200 patients in a clinic.
PHYSIOS_PER_CLINIC = 10


def make_scale_data(*, physios, patients, weeks, prefix="scale", seed=7, today=None, log=print):
    rng = random.Random(seed)
    today = today or timezone.localdate()
    started = time.monotonic()
    templates = list(
        ProgramTemplate.objects.select_related("condition").prefetch_related("items__exercise")
    )
    if not templates:
        raise ValueError("Load the catalogue first: manage.py load_catalogue")
    password = make_password(SCALE_PASSWORD)

    with transaction.atomic():
        physio_rows = User.objects.bulk_create(
            User(username=f"{prefix}-physio-{i}", email=f"{prefix}-physio-{i}@example.org",
                 first_name="Physio", last_name=f"{i:04d}", role=User.Role.PHYSIO, password=password)
            for i in range(physios)
        )  # fmt: skip
        # Each physio works in a clinic, and their patients are its patients: a physio opens
        # only their clinics' patients (User.objects.patients_for).
        clinics = Clinic.objects.bulk_create(
            Clinic(name=f"{prefix} clinic {n}")
            for n in range((physios + PHYSIOS_PER_CLINIC - 1) // PHYSIOS_PER_CLINIC)
        )
        Membership.objects.bulk_create(
            Membership(clinic=clinics[i // PHYSIOS_PER_CLINIC], user=physio,
                       role=Membership.Role.PHYSIO)
            for i, physio in enumerate(physio_rows)
        )  # fmt: skip
        # Physios pass the second factor with this key (scripts/bench.sh computes the code).
        TOTPDevice.objects.bulk_create(
            TOTPDevice(user=physio, name="app", key=SCALE_TOTP_KEY, confirmed=True)
            for physio in physio_rows
        )
        conditions = {c.pk: c for c in Condition.objects.all()}
        patient_rows = User.objects.bulk_create(
            (
                User(username=f"{prefix}-patient-{i}", email=f"{prefix}-patient-{i}@example.org",
                     first_name="Patient", last_name=f"{i:06d}", role=User.Role.PATIENT,
                     physio=physio_rows[i % physios], password=password,
                     clinic=clinics[(i % physios) // PHYSIOS_PER_CLINIC],
                     condition=conditions[templates[i % len(templates)].condition_id],
                     affected_side="right")
                for i in range(patients)
            ),
            batch_size=BATCH,
        )  # fmt: skip
        plan_weeks = min(weeks + 4, 104)
        start = today - datetime.timedelta(weeks=weeks)
        plans = Plan.objects.bulk_create(
            (
                Plan(patient=p, physio=p.physio, condition_id=templates[i % len(templates)].condition_id,
                     template=templates[i % len(templates)], side="right", start_date=start,
                     weeks=plan_weeks, end_date=plan_end_date(start, plan_weeks), sessions_per_week=3)
                for i, p in enumerate(patient_rows)
            ),
            batch_size=BATCH,
        )  # fmt: skip
        prescriptions = Prescription.objects.bulk_create(
            (
                Prescription(plan=plan, exercise=item.exercise, order=item.order, sets=item.sets,
                             dose_unit=item.dose_unit, dose_min=item.dose_min, dose_max=item.dose_max,
                             side="right", valid_from=start)
                for i, plan in enumerate(plans)
                for item in templates[i % len(templates)].items.all()
            ),
            batch_size=BATCH,
        )  # fmt: skip
    by_plan = {}
    for rx in prescriptions:
        by_plan.setdefault(rx.plan_id, []).append(rx)
    log(f"{physios} physios, {patients} patients, {len(prescriptions)} prescriptions "
        f"({time.monotonic() - started:.1f} s)")  # fmt: skip

    days = (today - start).days
    n_sessions = n_entries = 0
    for offset in range(0, len(plans), 200):
        chunk = plans[offset : offset + 200]
        sessions = []
        for plan in chunk:
            # Each patient has a habit: how often they train, and a pain level that drifts.
            chance = rng.choice([0.15, 0.3, 0.45, 0.5, 0.55])
            pain = rng.randint(1, 6)
            for day in range(days):
                if rng.random() < chance:
                    pain = min(10, max(0, pain + rng.choice([-1, 0, 0, 0, 1])))
                    sessions.append(
                        Session(plan=plan, date=start + datetime.timedelta(days=day), pain_before=pain,
                                pain_after=min(10, max(0, pain + rng.choice([-1, 0, 1]))),
                                effort=rng.randint(2, 7), completed_at=timezone.now())
                    )  # fmt: skip
        with transaction.atomic():
            Session.objects.bulk_create(sessions, batch_size=BATCH)
            entries = [
                SessionEntry(session=s, prescription=rx)
                for s in sessions
                for rx in by_plan[s.plan_id]
                if rng.random() < 0.92
            ]
            SessionEntry.objects.bulk_create(entries, batch_size=BATCH)
        n_sessions += len(sessions)
        n_entries += len(entries)
        log(f"  {offset + len(chunk)}/{len(plans)} plans: {n_sessions} sessions, "
            f"{n_entries} ticked exercises ({time.monotonic() - started:.1f} s)")  # fmt: skip
    return {
        "physios": physios,
        "patients": patients,
        "sessions": n_sessions,
        "entries": n_entries,
        "seconds": round(time.monotonic() - started, 1),
    }
