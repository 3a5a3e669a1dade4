from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from exercises import pictures
from exercises.models import (
    Condition,
    ConditionNote,
    Exercise,
    ExercisePicture,
    ProgramTemplate,
    TemplateItem,
)

KEY_MAX = 2**63 - 1  # the largest bigint key
THUMBNAIL_HEIGHT = 80  # pixels, a picture's preview in the exercise's inline


LABELLED_WIDGETS = (forms.MultiWidget, forms.RadioSelect)  # CheckboxSelectMultiple too


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline's fields have no label of their own (the column heading is not one): each
    gets its column's name and row number for screen readers, "Sets, row 2". The blank row that
    "Add another" copies gets the column's name. Used by every editable tabular inline (the
    hipcare app's too)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            widget = field.widget
            while hasattr(widget, "widget"):  # the admin's related-object wrapper
                widget = widget.widget
            # Date and time pairs and lists of choices label each of their inputs already.
            if widget.is_hidden or not field.label or isinstance(widget, LABELLED_WIDGETS):
                continue
            label = str(field.label)
            if index is not None:
                label = _("%(field)s, row %(row)d") % {"field": label, "row": index + 1}
            widget.attrs["aria-label"] = label


class EmptyTextLabelledFilter(admin.AllValuesFieldListFilter):
    """The values of a text field, with the empty text named: a link without text is not one a
    screen reader (or anyone) can choose."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if not str(choice["display"]).strip():
                choice = {**choice, "display": _("(empty)")}
            yield choice


class ConditionNoteInline(admin.TabularInline):
    model = ConditionNote
    formset = LabelledInlineFormSet
    extra = 0
    fields = ["condition", "kind", "reason_en", "reason_da", "advice_en", "advice_da"]


class ExercisePictureForm(forms.ModelForm):
    """A picture is uploaded into the database (every app server sees it). PNG, JPEG or WebP only,
    recognised by its bytes: an SVG can carry scripts, so SVG comes only from the shipped files."""

    upload = forms.FileField(
        label=_("Picture file"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 2 MB. Leave empty to keep the current picture."),
        widget=forms.FileInput(attrs={"accept": ",".join(pictures.UPLOAD_TYPES)}),
    )

    class Meta:
        model = ExercisePicture
        fields = ["position", "upload", "alt_en", "alt_da"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            if self.instance.pk is None:
                raise ValidationError(_("Choose a picture file to upload."), code="required")
            return None
        if upload.size > pictures.UPLOAD_MAX_BYTES:
            raise ValidationError(_("The picture is too large: at most 2 MB."), code="too_large")
        data = upload.read()
        content_type = pictures.sniff(data)
        if content_type is None or pictures.image_size(data, content_type) is None:
            raise ValidationError(
                _("This is not a PNG, JPEG or WebP picture (SVG is not accepted as an upload)."),
                code="invalid_image",
            )
        self.instance.content = data
        self.instance.content_type = content_type
        return upload


class ExercisePictureInline(admin.TabularInline):
    model = ExercisePicture
    form = ExercisePictureForm
    formset = LabelledInlineFormSet
    extra = 0
    max_num = len(ExercisePicture.Position)
    fields = ["position", "thumbnail", "upload", "alt_en", "alt_da"]
    readonly_fields = ["thumbnail"]

    def get_queryset(self, request):
        # The list shows thumbnails by URL; the bytes are read only when a picture is served.
        return super().get_queryset(request).defer("content")

    @admin.display(description=_("current picture"))
    def thumbnail(self, obj):
        if not obj or not obj.pk or not obj.digest:
            return "–"
        height = THUMBNAIL_HEIGHT
        width = max(1, round(height * obj.width / obj.height)) if obj.height else height
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}">', obj.url, obj.alt_en, width, height
        )


def usage_count(exercise):
    """How many programs and templates use an exercise; a used exercise is never deleted.

    Programs are counted through the reverse relation plans' Prescription adds to Exercise, so the
    catalogue does not import plans (issue #11).
    """
    plans = exercise.prescription_set.values("plan").distinct().count()
    templates = TemplateItem.objects.filter(exercise=exercise).count()
    return plans, templates


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = [
        "name_en", "name_da", "category", "dose", "per_side", "difficulty", "clinic", "is_active"
    ]  # fmt: skip
    list_filter = [
        "category", "suits", ("equipment_en", EmptyTextLabelledFilter), "difficulty", "clinic",
        "is_active",
    ]  # fmt: skip
    list_select_related = ["clinic"]
    search_fields = ["slug", "name_en", "name_da", "target_muscles_en", "target_muscles_da"]
    prepopulated_fields = {"slug": ["name_en"]}
    # A few conditions: labelled checkboxes (the two-box filter's search icons break ARIA rules).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    inlines = [ExercisePictureInline, ConditionNoteInline]
    actions = ["deactivate", "activate"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    ("name_en", "name_da"),
                    "category",
                    "difficulty",
                    "clinic",
                    "is_active",
                ]
            },
        ),
        (_("Instructions"), {"fields": [("instructions_en", "instructions_da")]}),
        (
            _("Dose"),
            {
                "fields": [
                    ("sets", "dose_unit", "dose_min", "dose_max"),
                    ("per_side", "alternating"),
                    ("dose_note_en", "dose_note_da"),
                ]
            },
        ),
        (
            _("Details"),
            {
                "fields": [
                    ("target_muscles_en", "target_muscles_da"),
                    ("equipment_en", "equipment_da"),
                    ("easier_en", "easier_da"),
                    ("harder_en", "harder_da"),
                    "suits",
                    "source",
                    "video_url",
                ]
            },
        ),
    ]

    @admin.display(description=_("dose"))
    def dose(self, obj):
        unit = obj.get_dose_unit_display()
        return f"{obj.sets} × {obj.dose.range} {unit}"

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # Bulk delete would bypass the "used by a program" explanation; deactivate instead.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Deactivate selected exercises"))
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False)
        msg = ngettext("%d exercise deactivated.", "%d exercises deactivated.", count) % count
        self.message_user(request, msg, messages.SUCCESS)

    @admin.action(description=_("Activate selected exercises"))
    def activate(self, request, queryset):
        count = queryset.update(is_active=True)
        msg = ngettext("%d exercise activated.", "%d exercises activated.", count) % count
        self.message_user(request, msg, messages.SUCCESS)

    def delete_view(self, request, object_id, extra_context=None):
        exercise = get_object_or_404(Exercise, pk=object_id)
        plans, templates = usage_count(exercise)
        if not plans and not templates:
            return super().delete_view(request, object_id, extra_context)
        if request.method == "POST" and "deactivate" in request.POST:
            exercise.is_active = False
            exercise.save(update_fields=["is_active"])
            self.message_user(
                request,
                _("“%(name)s” is deactivated: it stays in existing programs and history.")
                % {"name": exercise.name_en},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:exercises_exercise_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": exercise,
            "plans": plans,
            "templates": templates,
            "title": _("This exercise cannot be deleted"),
        }
        return TemplateResponse(request, "admin/exercises/exercise/in_use.html", context)


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_da", "exercise_count"]
    search_fields = ["code", "name_en", "name_da"]
    fieldsets = [
        (None, {"fields": ["code", ("name_en", "name_da"), "source"]}),
        (_("Tailoring guidance"), {"fields": [("guidance_en", "guidance_da")]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_exercises=Count("suited_exercises"))

    @admin.display(description=_("suited exercises"), ordering="n_exercises")
    def exercise_count(self, obj):
        return obj.n_exercises


class KeyCheckingAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete looks the submitted value up to show it again; a value that is no
    key ("abc", a NUL, a number past the column) would fail that query while the form shows its
    errors. Such a value is shown as nothing chosen, and the field says it is not a valid choice."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        key = remote.model._meta.get_field(remote.field_name)
        valid = []
        for v in value:
            try:
                parsed = key.to_python(v)
            except ValidationError:
                continue
            if not isinstance(parsed, int) or 0 < parsed <= KEY_MAX:
                valid.append(v)
        return super().optgroups(name, valid, attr)


class TemplateItemInline(admin.TabularInline):
    model = TemplateItem
    formset = LabelledInlineFormSet
    extra = 0
    fields = [
        "order",
        "exercise",
        "sets",
        "dose_unit",
        "dose_min",
        "dose_max",
        "note_en",
        "note_da",
    ]
    autocomplete_fields = ["exercise"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = KeyCheckingAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ProgramTemplate)
class ProgramTemplateAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_da", "condition", "clinic", "sessions_per_week", "weeks"]
    list_select_related = ["condition", "clinic"]
    list_filter = ["clinic", "condition"]
    fields = ["condition", "clinic", ("name_en", "name_da"), ("sessions_per_week", "weeks")]
    inlines = [TemplateItemInline]
