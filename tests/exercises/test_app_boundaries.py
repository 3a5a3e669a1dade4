"""The catalogue app owns its data: nothing under exercises/ imports the plans app (issue #11).

plans may import exercises, never the other way round. The check reads the source with `ast`, so an
import inside a function body or under `if TYPE_CHECKING:` counts as much as one at the top.
"""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

import exercises
from exercises.models import ProgramTemplate, TemplateItem
from tests.factories import ConditionFactory, ExerciseFactory, make_template

EXERCISES_DIR = Path(exercises.__file__).resolve().parent
FORBIDDEN = "plans"


def _is_forbidden(module):
    module = module or ""
    return module == FORBIDDEN or module.startswith(FORBIDDEN + ".")


def _dynamic_import_target(node):
    """The module named by import_module("...") or __import__("..."), else None."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name in {"import_module", "__import__"} and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def plans_imports(path):
    """(line, statement) for every import of the plans app in one source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, f"import {a.name}") for a in node.names if _is_forbidden(a.name)
            ]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_forbidden(node.module):
            found.append((node.lineno, f"from {node.module} import ..."))
        elif isinstance(node, ast.Call) and _is_forbidden(_dynamic_import_target(node)):
            found.append((node.lineno, f"import_module({_dynamic_import_target(node)!r})"))
    return found


def test_the_walk_sees_the_whole_app():
    names = {p.relative_to(EXERCISES_DIR).as_posix() for p in EXERCISES_DIR.rglob("*.py")}
    assert {"models.py", "admin.py", "catalogue.py", "views.py"} <= names
    assert any(name.startswith("management/commands/") for name in names)


def test_the_check_catches_every_import_form(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        "import plans.models\nfrom plans import rules\nimport plansx\nfrom . import plans\n"
        "def f():\n    from plans.models import Plan\n"
        "importlib.import_module('plans.services')\n",
        encoding="utf-8",
    )
    assert sorted(line for line, _ in plans_imports(source)) == [1, 2, 6, 7]


def test_exercises_never_imports_plans():
    offenders = [
        f"{path.relative_to(EXERCISES_DIR.parent).as_posix()}:{line}: {statement}"
        for path in sorted(EXERCISES_DIR.rglob("*.py"))
        for line, statement in plans_imports(path)
    ]
    assert offenders == [], "exercises must not import plans:\n" + "\n".join(offenders)


def test_program_templates_are_catalogue_models():
    for model in (ProgramTemplate, TemplateItem):
        assert model._meta.app_label == "exercises"
        assert model._meta.db_table.startswith("exercises_")


@pytest.mark.django_db
def test_the_catalogue_admin_edits_templates_and_counts_their_use(admin_client):
    exercise = ExerciseFactory(name_en="Bridge")
    template = make_template(ConditionFactory(code="fai"), [exercise])
    changelist = admin_client.get(reverse("admin:exercises_programtemplate_changelist"))
    assert changelist.status_code == 200
    assert template.name_en in changelist.content.decode()
    change = admin_client.get(reverse("admin:exercises_programtemplate_change", args=[template.pk]))
    assert change.status_code == 200
    assert "items-TOTAL_FORMS" in change.content.decode()  # the TemplateItem inline
    in_use = admin_client.get(reverse("admin:exercises_exercise_delete", args=[exercise.pk]))
    assert "1 program template" in in_use.content.decode()
    assert "0 programs" in in_use.content.decode()
