"""Any change to the catalogue replaces its version in the shared cache (hipcare/cache.py), so
every cached catalogue page and program history is rendered again with the change."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from hipcare import cache


def catalogue_changed(**kwargs):
    cache.bump(cache.CATALOGUE)


def connect():
    from exercises import models

    catalogue_models = [
        models.Condition,
        models.Exercise,
        models.ExercisePicture,
        models.ConditionNote,
        models.ProgramTemplate,
        models.TemplateItem,
    ]
    for model in catalogue_models:
        post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-save-{model}")
        post_delete.connect(
            catalogue_changed, sender=model, dispatch_uid=f"catalogue-delete-{model}"
        )
    m2m_changed.connect(
        catalogue_changed, sender=models.Exercise.suits.through, dispatch_uid="catalogue-suits"
    )
