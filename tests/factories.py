import datetime

import factory
from django.utils import timezone

from hipcare.models import User

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


class PhysioFactory(UserFactory):
    username = factory.Sequence(lambda n: f"physio{n}")
    role = User.Role.PHYSIO


class PatientFactory(UserFactory):
    username = factory.Sequence(lambda n: f"patient{n}")
    role = User.Role.PATIENT
    physio = factory.SubFactory(PhysioFactory)
    date_of_birth = datetime.date(1960, 5, 1)


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    is_superuser = True


def today():
    return timezone.localdate()
