import datetime

import factory
from django.utils import timezone

from hipcare.models import CLINIC_ADMIN, PHYSIO, Clinic, Membership, User


def days_ago(n):
    """The date n days before today in the site's time zone (negative: after today)."""
    return timezone.localdate() - datetime.timedelta(days=n)


TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(TEST_PASSWORD)


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")


class PhysioFactory(UserFactory):
    """A physio at a clinic of their own unless `clinic=` names one: two physios made apart
    work at two clinics and cannot see each other's patients."""

    username = factory.Sequence(lambda n: f"physio{n}")
    role = User.Role.PHYSIO

    @factory.post_generation
    def clinic(self, create, extracted, **kwargs):
        if create:
            clinic = extracted or ClinicFactory()
            Membership.objects.create(clinic=clinic, user=self, role=PHYSIO)


class ClinicAdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"clinicadmin{n}")
    role = User.Role.CLINIC_ADMIN

    @factory.post_generation
    def clinic(self, create, extracted, **kwargs):
        if create:
            Membership.objects.create(
                clinic=extracted or ClinicFactory(), user=self, role=CLINIC_ADMIN
            )


def clinic_of(physio):
    membership = physio.memberships.filter(role=PHYSIO).order_by("pk").first()
    return membership.clinic if membership else None


class PatientFactory(UserFactory):
    """A patient of the treating physio's (first) clinic."""

    username = factory.Sequence(lambda n: f"patient{n}")
    role = User.Role.PATIENT
    physio = factory.SubFactory(PhysioFactory)
    clinic = factory.LazyAttribute(lambda p: clinic_of(p.physio) if p.physio else None)
    date_of_birth = datetime.date(1960, 5, 1)


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    is_superuser = True


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "exercises.Condition"
        django_get_or_create = ["code"]

    code = "osteoarthritis"
    name_en = factory.LazyAttribute(lambda c: c.code.title())
    name_da = factory.LazyAttribute(lambda c: f"{c.code} (da)")
    guidance_en = "Low-impact strength and flexibility."
    guidance_da = "Skånsom styrke og bevægelighed."


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "exercises.Exercise"
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"exercise-{n}")
    name_en = factory.Sequence(lambda n: f"Exercise {n}")
    name_da = factory.Sequence(lambda n: f"Øvelse {n}")
    instructions_en = "Lie on your back.\nLift.\nLower slowly."
    instructions_da = "Lig på ryggen.\nLøft.\nSænk langsomt."
    category = "strength"
    target_muscles_en = "gluteus maximus"
    target_muscles_da = "store sædemuskel"
    equipment_en = "mat"
    equipment_da = "måtte"
    sets = 2
    dose_unit = "reps"
    dose_min = 10
    dose_max = 15
    source = "Test"

    @factory.post_generation
    def suits(self, create, extracted, **kwargs):
        if create and extracted:
            self.suits.set(extracted)


class ConditionNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "exercises.ConditionNote"

    exercise = factory.SubFactory(ExerciseFactory)
    condition = factory.SubFactory(ConditionFactory)
    kind = "caution"
    reason_en = "Deep flexion provokes impingement."
    reason_da = "Dyb bøjning provokerer indeklemning."


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plans.Plan"

    patient = factory.SubFactory(PatientFactory)
    physio = factory.LazyAttribute(lambda p: p.patient.physio)
    condition = factory.SubFactory(ConditionFactory)
    side = "right"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=14))
    weeks = 12
    end_date = factory.LazyAttribute(
        lambda p: p.start_date + datetime.timedelta(weeks=p.weeks, days=-1)
    )
    sessions_per_week = 3


class PrescriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plans.Prescription"

    plan = factory.SubFactory(PlanFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    sets = 2
    dose_unit = "reps"
    dose_min = 10
    dose_max = 15
    valid_from = factory.LazyAttribute(lambda p: p.plan.start_date)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plans.Session"

    plan = factory.SubFactory(PlanFactory)
    date = factory.LazyFunction(timezone.localdate)
    pain_before = 2
    pain_after = 3


def make_template(condition, exercises, *, weeks=12, sessions_per_week=3, clinic=None):
    from exercises.models import ProgramTemplate, TemplateItem

    template = ProgramTemplate.objects.create(
        condition=condition,
        clinic=clinic,
        name_en=f"{condition.code} starter",
        name_da=f"{condition.code} start",
        weeks=weeks,
        sessions_per_week=sessions_per_week,
    )
    for order, exercise in enumerate(exercises):
        TemplateItem.objects.create(
            template=template,
            exercise=exercise,
            order=order,
            sets=exercise.sets,
            dose_unit=exercise.dose_unit,
            dose_min=exercise.dose_min,
            dose_max=exercise.dose_max,
        )
    return template
