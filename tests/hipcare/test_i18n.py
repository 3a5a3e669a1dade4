import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import PlanFactory, PrescriptionFactory

PO = Path(settings.BASE_DIR) / "locale" / "da" / "LC_MESSAGES" / "django.po"


def msgstrs(block):
    """The translations of one .po entry, continuation lines joined."""
    found, current = [], None
    for line in block.splitlines():
        if line.startswith("msgstr"):
            current = [re.search(r'"(.*)"$', line).group(1)]
            found.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line[1:-1])
        elif line.startswith("msgid"):
            current = None
    return ["".join(parts) for parts in found]


def test_every_danish_message_is_translated():
    blocks = PO.read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = [b for b in blocks if "msgid" in b and not all(msgstrs(b))]
    assert untranslated == []
    assert "fuzzy" not in PO.read_text(encoding="utf-8")


def test_the_check_sees_an_untranslated_entry():
    assert msgstrs('msgid "A"\nmsgstr ""') == [""]
    assert msgstrs('msgid ""\n"A"\nmsgstr ""\n"B"') == ["B"]


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
