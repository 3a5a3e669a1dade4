import django_filters
from django.utils.translation import gettext_lazy as _

from exercises.models import Condition, Exercise


class ExerciseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    condition = django_filters.ModelChoiceFilter(
        label=_("Suits condition"),
        field_name="suits",
        queryset=Condition.objects.all(),
        empty_label=_("Any condition"),
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Exercise.Category.choices, empty_label=_("Any category")
    )

    class Meta:
        model = Exercise
        fields = ["q", "condition", "category"]

    def search(self, queryset, name, value):
        return queryset.search(value)
