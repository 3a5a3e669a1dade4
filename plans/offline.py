"""Ticks and answers made on the patient's phone without a network (issue 17).

static/js/offline.js keeps them on the phone and sends them again, in order, when the network is
back: the same forms to the same URLs, each with the key the browser gave it (`client_key`) and
the REPLAY_HEADER. The rules of a replay are here, in plain functions:

- A key seen before is answered as done and writes nothing: a replay never counts twice
  (services.already_applied and services.record_key, called by each service in the change's
  transaction; a key is unique within a session and looked up among the patient's own sessions
  only, so another patient's same key neither blocks nor answers for theirs).
- A replay names the account whose phone kept it (REPLAY_HEADER's value): sent with another
  account's log-in it is refused (offline_views.replay_owner_required).
- Keys are deleted after KEY_KEEP_DAYS (purge_keys, the daily housekeeping).
- A conflict never loses a tick: a tick for a dose no longer in effect that day counts for the
  same exercise at the dose in effect that day (tick_target), and a tick sent after the session
  was finished on another device is still recorded (services.entry_set does not look at it).
- The safety questions' stop rule stays in Python: screen_stop_answers() gives the page every
  answer that stops the session, worked out by rules.screen_says_stop itself.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import rules, services
from plans.limits import PAIN_MAX, PAIN_MIN
from plans.models import ClientSubmission, Prescription, Session, SessionEntry

# The header static/js/offline.js sends with a change saved on the phone, naming the account
# whose phone kept it (hipcare.pwa.device_key); the answer is JSON.
REPLAY_HEADER = "X-Hipcare-Replay"
# How long the key of a change is kept (*product rule*): long after its day stops being loggable
# (rules.BACKFILL_DAYS), so a phone that got no answer for a while is still answered "done";
# then the daily housekeeping deletes it (purge_keys).
KEY_KEEP_DAYS = 30
Kind = ClientSubmission.Kind


def tick_target(*, plan, day, prescription) -> Prescription | None:
    """The prescription a tick made offline counts for (*product rule*: a conflict never loses a
    tick): the one ticked if it is still in effect on the day; else the same exercise's
    prescription in effect on the day in the patient's active program (the physio changed the
    dose, or assigned a new program, while the phone was offline); None when the exercise is no
    longer part of that day's session."""
    in_effect = Prescription.objects.in_effect_on(day).filter(plan=plan)
    if prescription.plan_id == plan.pk and in_effect.filter(pk=prescription.pk).exists():
        return prescription
    return in_effect.filter(exercise_id=prescription.exercise_id).order_by("-valid_from").first()


@transaction.atomic
def tick_replay(
    *, plan, day, prescription, done, key, sets_done=None, reps_done=None
) -> SessionEntry | None:
    """A tick (or an untick) made on the phone, sent again. Returns the exercise's entry as this
    tick left it. Raises ValidationError when it cannot count (no answers before the session,
    the exercise gone from the day's session, a day no longer loggable): the phone shows why."""
    # The day's session is locked first, as services.entry_set does: two copies of one replay
    # (two tabs) run one after the other, and the second finds the key of the first.
    session = Session.objects.select_for_update(of=("self",)).filter(plan=plan, date=day).first()
    if session is None:  # no session, no key of it either
        raise ValidationError(_("First answer the questions before the session."))
    if services.already_applied(key=key, plan=plan, day=day, kind=Kind.TICK):
        return _entry_of(session, prescription.exercise_id)
    services.check_session_day(plan, day)
    target = tick_target(plan=plan, day=day, prescription=prescription)
    if target is None:
        raise ValidationError(_("That exercise is not part of this session."))
    # Ticked already at a dose changed the same day (an empty span, no longer in effect): that
    # entry is the exercise's tick, and it counts once.
    other = (
        SessionEntry.objects.filter(session=session, prescription__exercise_id=target.exercise_id)
        .exclude(prescription=target)
        .first()
    )
    if other is not None:
        if not done:
            other.delete()
        entry = other if done else None
    else:
        entry = services.entry_set(
            session=session,
            prescription_id=target.pk,
            done=done,
            sets_done=sets_done,
            reps_done=reps_done,
        )
    services.record_key(key=key, session=session, kind=Kind.TICK)
    return entry


def _entry_of(session, exercise_id):
    return (
        SessionEntry.objects.filter(session=session, prescription__exercise_id=exercise_id)
        .select_related("prescription")
        .first()
    )


def screen_stop_answers() -> dict:
    """Every answer to the safety questions that on its own stops the session, from
    rules.screen_says_stop, for the page to apply offline: {"pains": [...], "flags": [...]}.
    The rule is monotonic (more pain or more warning signs never un-stop it), which a test
    checks, so any answer containing one of these stops."""
    return {
        "pains": [p for p in range(PAIN_MIN, PAIN_MAX + 1) if rules.screen_says_stop(p, [])],
        "flags": [f for f in rules.RED_FLAGS if rules.screen_says_stop(None, [f])],
    }


def purge_keys(*, now=None) -> int:
    """Deletes the keys older than KEY_KEEP_DAYS (hipcare.tasks.housekeeping, daily). How many."""
    before = (now or timezone.now()) - datetime.timedelta(days=KEY_KEEP_DAYS)
    deleted, _per_model = ClientSubmission.objects.filter(created_at__lt=before).delete()
    return deleted
