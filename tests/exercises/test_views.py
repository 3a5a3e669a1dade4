import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import ConditionFactory, ConditionNoteFactory, ExerciseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    oa = ConditionFactory(code="osteoarthritis")
    fai = ConditionFactory(code="fai")
    clam = ExerciseFactory(
        name_en="Clam shell", suits=[oa, fai], target_muscles_en="gluteus medius"
    )
    chest = ExerciseFactory(name_en="Knee to chest", category="flexibility", suits=[oa, fai])
    ConditionNoteFactory(exercise=chest, condition=fai, reason_en="Deep flexion pinches.")
    cycling = ExerciseFactory(name_en="Stationary cycling", category="mobility", suits=[oa])
    retired = ExerciseFactory(name_en="Retired one", suits=[oa], is_active=False)
    return {
        "oa": oa,
        "fai": fai,
        "clam": clam,
        "chest": chest,
        "cycling": cycling,
        "retired": retired,
    }


def names(response):
    return [e.name_en for e in response.context["page"]]


def test_list_shows_active_exercises_only(client, physio, catalogue):
    client.force_login(physio)
    response = client.get(reverse("exercises:list"))
    assert names(response) == ["Clam shell", "Knee to chest", "Stationary cycling"]


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"condition": "fai"}, ["Clam shell", "Knee to chest"]),
        ({"category": "mobility"}, ["Stationary cycling"]),
        ({"q": "medius"}, ["Clam shell"]),
        ({"q": "knee", "condition": "fai"}, ["Knee to chest"]),
        ({"q": "nothing like this"}, []),
    ],
)
def test_filters(client, physio, catalogue, params, expected):
    if "condition" in params:
        params = {**params, "condition": catalogue[params["condition"]].pk}
    client.force_login(physio)
    assert names(client.get(reverse("exercises:list"), params)) == expected


def test_bad_filter_value_is_a_message_not_a_500(client, physio, catalogue):
    client.force_login(physio)
    response = client.get(reverse("exercises:list"), {"condition": "999999", "category": "x"})
    assert response.status_code == 200
    assert response.context["filter"].errors


def test_detail_shows_instructions_dose_cautions(client, physio, catalogue):
    client.force_login(physio)
    response = client.get(catalogue["chest"].get_absolute_url())
    html = response.content.decode()
    assert "Lie on your back." in html
    assert "2 × 10–15" in html
    assert "Deep flexion pinches." in html


def test_detail_in_danish(client, physio, catalogue):
    client.force_login(physio)
    client.cookies["django_language"] = "da"
    response = client.get(catalogue["chest"].get_absolute_url())
    assert "Lig på ryggen." in response.content.decode()


def test_unknown_exercise_is_404(client, physio):
    client.force_login(physio)
    assert client.get(reverse("exercises:detail", args=["no-such"])).status_code == 404


@pytest.mark.parametrize("who,status", [("patient", 403), ("staff", 403), ("physio", 200)])
def test_catalogue_access_by_role(client, request, catalogue, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("exercises:list")).status_code == status
    assert client.get(catalogue["clam"].get_absolute_url()).status_code == status


def test_anonymous_goes_to_login(client, catalogue):
    assert client.get(catalogue["clam"].get_absolute_url()).status_code == 302


def _main(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("size", [24, 500])
def test_list_queries_are_fixed(client, physio, django_assert_num_queries, size):
    conditions = [ConditionFactory(code=c) for c in ("osteoarthritis", "bursitis", "fai")]
    for _ in range(size):
        exercise = ExerciseFactory(suits=conditions)
        ConditionNoteFactory(exercise=exercise, condition=conditions[2])
    client.force_login(physio)
    client.get(reverse("exercises:list"))  # a session's first page writes it (hipcare/two_factor)
    cache.clear()
    # session, user, the second factor's device, the catalogue's version with the physio's
    # clinics (the cache key), the
    # filter's condition lookup, count, conditions for the filter's select, page of exercises,
    # their conditions, their notes, the notes' conditions
    with django_assert_num_queries(11):
        response = client.get(reverse("exercises:list"), {"condition": conditions[2].pk})
    shown = response.content.decode().count('class="list-group-item list-group-item-action"')
    assert shown == min(size, 30)
    # Again, from the shared cache: session, user, device, the version with the clinics.
    with django_assert_num_queries(4):
        again = client.get(reverse("exercises:list"), {"condition": conditions[2].pk})
    assert _main(again) == _main(response)


@pytest.mark.parametrize("notes", [1, 3])
def test_detail_queries_are_fixed(client, physio, django_assert_num_queries, notes):
    codes = ["osteoarthritis", "bursitis", "fai"][:notes]
    exercise = ExerciseFactory()
    for code in codes:
        ConditionNoteFactory(exercise=exercise, condition=ConditionFactory(code=code))
    client.force_login(physio)
    client.get(reverse("exercises:list"))  # a session's first page writes it (hipcare/two_factor)
    cache.clear()
    # session, user, second-factor device, the catalogue's version with the physio's clinics (the
    # cache key), exercise, its
    # conditions, notes, notes' conditions, its pictures (issue 17)
    with django_assert_num_queries(9):
        response = client.get(exercise.get_absolute_url())
    assert response.content.decode().count("alert alert-") == notes
    # Again, from the shared cache: session, user, device, the version with the clinics.
    with django_assert_num_queries(4):
        again = client.get(exercise.get_absolute_url())
    assert _main(again) == _main(response)
