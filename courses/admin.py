from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from courses.models import ClinicInstrument, EducationText, Instrument, Measure
from exercises.admin import LabelledInlineFormSet


@admin.register(EducationText)
class EducationTextAdmin(admin.ModelAdmin):
    """Edited like the catalogue: both languages side by side, with the source."""

    list_display = ["title_en", "title_da", "condition", "week", "order", "is_active"]
    list_filter = ["condition", "week", "is_active"]
    search_fields = ["slug", "title_en", "title_da", "body_en", "body_da"]
    prepopulated_fields = {"slug": ["title_en"]}
    list_select_related = ["condition"]
    actions = ["deactivate", "activate"]
    fieldsets = [
        (None, {"fields": ["slug", "condition", ("week", "order"), "is_active"]}),
        (_("Text"), {"fields": [("title_en", "title_da"), ("body_en", "body_da")]}),
        (_("Source"), {"fields": ["source"]}),
    ]

    @admin.action(description=_("Stop showing to patients"))
    def deactivate(self, request, queryset):
        queryset.update(is_active=False)

    @admin.action(description=_("Show to patients"))
    def activate(self, request, queryset):
        queryset.update(is_active=True)


class MeasureInline(admin.TabularInline):
    model = Measure
    formset = LabelledInlineFormSet
    extra = 0
    can_delete = False
    fields = [
        "code", "name_en", "name_da", "higher_is_better", "mic_points", "mic_percent", "mic_source"
    ]  # fmt: skip
    readonly_fields = ["code", "higher_is_better"]


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    """The shipped instruments: their scoring and items are code's, so only names, licence notes
    and the measures' minimal important change (with its source) are edited here."""

    list_display = ["name_en", "kind", "licence", "weekly"]
    readonly_fields = [
        "code", "kind", "scoring", "answer_min", "answer_max", "decimals", "licence", "weekly"
    ]  # fmt: skip
    fields = [
        "code", ("name_en", "name_da"), "kind", "scoring", ("answer_min", "answer_max", "decimals"),
        "licence", ("licence_note_en", "licence_note_da"), "source", "weekly", "order",
    ]  # fmt: skip
    inlines = [MeasureInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClinicInstrument)
class ClinicInstrumentAdmin(admin.ModelAdmin):
    list_display = ["clinic", "instrument", "licence_reference", "is_active", "loaded_at"]
    list_filter = ["instrument", "is_active"]
    readonly_fields = ["texts", "loaded_by", "loaded_at"]
    list_select_related = ["clinic", "instrument"]
