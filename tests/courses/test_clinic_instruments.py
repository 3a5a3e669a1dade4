"""The clinic admin's licensed measures: the list, loading HOOS-12 under the clinic's licence,
stopping it; once loaded, that clinic's patients are asked it, another clinic's are not."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses import outcomes, rules, services
from courses.models import ClinicInstrument, Instrument
from tests.factories import (
    ClinicAdminFactory,
    PatientFactory,
    PhysioFactory,
    PlanFactory,
    clinic_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(physio):
    return clinic_of(physio)


@pytest.fixture
def admin(clinic):
    return ClinicAdminFactory(clinic=clinic)


@pytest.fixture
def hoos12():
    return Instrument.objects.get(code="hoos12")


def list_url(clinic):
    return reverse("courses:clinic-instruments", args=[clinic.pk])


def load_url(clinic, code="hoos12"):
    return reverse("courses:clinic-instrument-load", args=[clinic.pk, code])


def stop_url(clinic, code="hoos12"):
    return reverse("courses:clinic-instrument-stop", args=[clinic.pk, code])


def form_data(**changes):
    data = {
        "licence_reference": "Mapi 2025-0042",
        "holds_licence": "on",
        "low_label_en": "None",
        "low_label_da": "Ingen",
        "high_label_en": "Extreme",
        "high_label_da": "Ekstrem",
    }
    for n in range(1, 13):
        data[f"item_{n}_en"] = f"Question {n}"
        data[f"item_{n}_da"] = f"Spørgsmål {n}"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_list_shows_every_measure_with_its_licence(client, admin, clinic):
    client.force_login(admin)
    response = client.get(list_url(clinic))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("Hip pain", "HOOS-12", "30-second chair stand", "40 m fast-paced walk"):
        assert name in html
    assert html.count("Ships with hipcare") == 3
    assert "Not loaded" in html
    assert "Mapi Research Trust" in html  # HOOS-12's licence note
    assert load_url(clinic) in html
    assert load_url(clinic, "hip-pain") not in html  # nothing to load for a free one


def test_the_clinic_home_links_to_the_measures(client, admin, clinic):
    client.force_login(admin)
    assert list_url(clinic) in client.get(reverse("clinic-home")).content.decode()


def test_the_form_numbers_each_item_with_its_scale(client, admin, clinic):
    client.force_login(admin)
    html = client.get(load_url(clinic)).content.decode()
    assert "1 – HOOS-12 pain" in html
    assert "5 – HOOS-12 function" in html
    assert "12 – HOOS-12 quality of life" in html
    assert html.count("<fieldset") == 2 + 12


def test_loading_hoos12_asks_this_clinics_patients_and_not_anothers(
    client, admin, clinic, physio, hoos12
):
    client.force_login(admin)
    response = client.post(load_url(clinic), form_data())
    assert response.status_code == 302 and response.url == list_url(clinic)
    loaded = ClinicInstrument.objects.get()
    assert (loaded.clinic, loaded.instrument, loaded.is_active) == (clinic, hoos12, True)
    assert loaded.licence_reference == "Mapi 2025-0042" and loaded.loaded_by == admin
    assert loaded.texts["7"] == {
        "text_en": "Question 7",
        "text_da": "Spørgsmål 7",
        "low_label_en": "None",
        "low_label_da": "Ingen",
        "high_label_en": "Extreme",
        "high_label_da": "Ekstrem",
    }
    html = client.get(list_url(clinic)).content.decode()
    assert "Loaded by" in html and "(licence: Mapi 2025-0042)" in html

    ours = PlanFactory(patient=PatientFactory(physio=physio))
    theirs = PlanFactory(patient=PatientFactory(physio=PhysioFactory()))
    for plan, asked in ((ours, True), (theirs, False)):
        course = services.course_start(plan=plan)
        codes = [i.code for i in outcomes.state(course).questionnaires]
        assert ("hoos12" in codes) is asked
        client.force_login(plan.patient)
        page = client.get(reverse("courses:questionnaire", args=[course.pk, rules.BASELINE]))
        assert ("Question 7" in page.content.decode()) is asked
        assert ("Spørgsmål 7" in page.content.decode()) is False  # in English here


def test_the_danish_texts_are_shown_in_danish(client, admin, clinic, physio):
    client.force_login(admin)
    client.post(load_url(clinic), form_data())
    plan = PlanFactory(patient=PatientFactory(physio=physio))
    course = services.course_start(plan=plan)
    client.force_login(plan.patient)
    url = reverse("courses:questionnaire", args=[course.pk, rules.BASELINE])
    html = client.get(url, headers={"Accept-Language": "da"}).content.decode()
    assert "Spørgsmål 7" in html and "Ekstrem" in html


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"holds_licence": None}, "holds_licence"),
        ({"licence_reference": ""}, "licence_reference"),
        ({"licence_reference": "   "}, "licence_reference"),
        ({"item_4_da": ""}, "item_4_da"),
        ({"item_12_en": "x" * 301}, "item_12_en"),
        ({"high_label_en": ""}, "high_label_en"),
    ],
)
def test_an_incomplete_form_is_refused_and_loads_nothing(client, admin, clinic, changes, field):
    client.force_login(admin)
    response = client.post(load_url(clinic), form_data(**changes))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert f'id="id_{field}"' in response.content.decode()
    assert not ClinicInstrument.objects.exists()


def test_loading_again_updates_the_texts(client, admin, clinic):
    client.force_login(admin)
    client.post(load_url(clinic), form_data())
    response = client.get(load_url(clinic))
    assert 'value="Question 3"' in response.content.decode()  # prefilled
    client.post(load_url(clinic), form_data(item_3_en="A better question 3"))
    loaded = ClinicInstrument.objects.get()
    assert loaded.texts["3"]["text_en"] == "A better question 3"


def test_a_free_measure_has_nothing_to_load(client, admin, clinic):
    client.force_login(admin)
    assert client.get(load_url(clinic, "hip-pain")).status_code == 404
    assert client.post(load_url(clinic, "hip-pain"), form_data()).status_code == 404
    assert client.get(load_url(clinic, "no-such")).status_code == 404
    assert not ClinicInstrument.objects.exists()


def test_another_clinics_admin_gets_404(client, clinic):
    other_admin = ClinicAdminFactory()
    client.force_login(other_admin)
    assert client.get(list_url(clinic)).status_code == 404
    assert client.post(load_url(clinic), form_data()).status_code == 404
    assert not ClinicInstrument.objects.exists()


def test_a_physio_is_refused(client, physio, clinic):
    client.force_login(physio)
    assert client.get(list_url(clinic)).status_code == 403
    assert client.post(load_url(clinic), form_data()).status_code == 403


def test_stop_using_asks_first_then_stops(client, admin, clinic, physio):
    client.force_login(admin)
    client.post(load_url(clinic), form_data())
    html = client.get(list_url(clinic)).content.decode()
    assert stop_url(clinic) in html
    response = client.get(stop_url(clinic))
    assert response.status_code == 200 and "Stop using HOOS-12" in response.content.decode()
    assert ClinicInstrument.objects.get().is_active  # a look changes nothing
    response = client.post(stop_url(clinic))
    assert response.status_code == 302
    loaded = ClinicInstrument.objects.get()
    assert not loaded.is_active and loaded.texts  # the texts are kept
    assert "Stopped" in client.get(list_url(clinic)).content.decode()
    course = services.course_start(plan=PlanFactory(patient=PatientFactory(physio=physio)))
    assert "hoos12" not in [i.code for i in outcomes.state(course).questionnaires]
    # Not in use: nothing to stop.
    assert client.get(stop_url(clinic)).status_code == 302


def test_the_services_check_the_admin_and_the_licence(admin, clinic, hoos12):
    texts = {n: {"text_en": f"Q{n}", "text_da": f"S{n}"} for n in range(1, 13)}
    with pytest.raises(ValidationError, match="Only an admin"):
        services.clinic_instrument_load(
            clinic=clinic, instrument=hoos12, by=ClinicAdminFactory(), licence_reference="L",
            texts=texts,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="ships with hipcare"):
        services.clinic_instrument_load(
            clinic=clinic, instrument=Instrument.objects.get(code="hip-pain"), by=admin,
            licence_reference="L", texts=texts,
        )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.clinic_instrument_load(
            clinic=clinic, instrument=hoos12, by=admin, licence_reference="L",
            texts={**texts, 5: {"text_en": "Q5", "text_da": " "}},
        )  # fmt: skip
    assert list(error.value.message_dict) == ["5"]
    assert not ClinicInstrument.objects.exists()
    with pytest.raises(ValidationError, match="Only an admin"):
        services.clinic_instrument_stop(clinic=clinic, instrument=hoos12, by=ClinicAdminFactory())


@pytest.mark.parametrize("clinics", [1, 6])
def test_the_list_queries_are_fixed(client, django_assert_num_queries, clinics):
    """More clinics with HOOS-12 loaded: the same queries."""
    hoos12 = Instrument.objects.get(code="hoos12")
    admin = ClinicAdminFactory()
    clinic = admin.memberships.get().clinic
    for _n in range(clinics):
        other = ClinicAdminFactory()
        ClinicInstrument.objects.create(
            clinic=other.memberships.get().clinic, instrument=hoos12, licence_reference="L",
            loaded_by=other,
        )  # fmt: skip
    ClinicInstrument.objects.create(
        clinic=clinic, instrument=hoos12, licence_reference="L", loaded_by=admin
    )
    client.force_login(admin)
    # session, user, the role gate's membership, the second factor's device, the clinic, its
    # loaded measures with who loaded them, the instruments
    with django_assert_num_queries(7):
        response = client.get(list_url(clinic))
    assert response.status_code == 200
