"""The clinic admin's access-log filter (hipcare/clinic_views.py)."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hipcare.models import AccessEvent, Membership, User

SEARCH_MAX_LENGTH = 100


def clinic_people(clinic):
    """Everyone who works or worked at the clinic (physios and admins, active or not), each
    marked `here_now`. One query."""
    here_now = Membership.objects.filter(user=OuterRef("pk"), clinic=clinic, is_active=True)
    return (
        User.objects.filter(pk__in=Membership.objects.filter(clinic=clinic).values("user_id"))
        .annotate(here_now=Exists(here_now))
        .order_by("last_name", "first_name", "pk")
    )


class AccessLogFilter(django_filters.FilterSet):
    physio = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Who"),
        field_name="actor",
        queryset=User.objects.none(),
        empty_label=gettext_lazy("Everyone at the clinic"),
    )
    patient = django_filters.CharFilter(
        label=gettext_lazy("Patient"),
        method="patient_search",
        help_text=gettext_lazy("Part of the name, or the patient number."),
        max_length=SEARCH_MAX_LENGTH,
    )

    class Meta:
        model = AccessEvent
        fields = ["physio", "patient"]

    def __init__(self, data=None, queryset=None, *, clinic, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["physio"].queryset = clinic_people(clinic)
        field = self.form.fields["physio"]
        field.label_from_instance = lambda user: (
            str(user) if user.here_now else _("%(name)s (no longer here)") % {"name": user}
        )
        self.form.fields["patient"].widget.input_type = "search"

    def patient_search(self, queryset, name, value):
        # PostgreSQL text cannot hold NUL; a pasted one would otherwise be a 500.
        words = value.replace("\x00", "").split()
        if not words:
            return queryset
        number = words[0].lstrip("#") if len(words) == 1 else ""
        # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
        if number.isascii() and number.isdigit() and len(number) <= 9:  # within a database int
            return queryset.filter(patient_id=int(number))
        for word in words:
            queryset = queryset.filter(
                Q(patient__first_name__icontains=word) | Q(patient__last_name__icontains=word)
            )
        return queryset
