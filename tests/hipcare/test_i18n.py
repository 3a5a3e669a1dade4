import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import PlanFactory, PrescriptionFactory

PO = Path(settings.BASE_DIR) / "locale" / "da" / "LC_MESSAGES" / "django.po"


def test_every_danish_message_is_translated():
    blocks = PO.read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = [
        b for b in blocks if re.search(r'^msgstr(\[\d\])? ""$', b, re.M) and "msgid" in b
    ]
    assert untranslated == []
    assert "fuzzy" not in PO.read_text(encoding="utf-8")


def test_danish_catalogue_is_compiled():
    with translation.override("da"):
        assert translation.gettext("Today's session") == "Dagens træning"
        assert translation.gettext("Mark as done") == "Markér som udført"


@pytest.mark.django_db
def test_patient_sees_the_checklist_in_danish(client, patient):
    plan = PlanFactory(patient=patient)
    PrescriptionFactory(plan=plan)
    client.force_login(patient)
    client.post(reverse("set_language"), {"language": "da", "next": "/"})
    html = client.get(reverse("plans:today")).content.decode()
    assert "Dagens træning" in html
    assert "Øvelse" in html or "Markér som udført" in html
    assert '<html lang="da">' in html
