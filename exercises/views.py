from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from exercises.filters import ExerciseFilter
from exercises.models import Exercise
from hipcare.access import physio_required

PAGE_SIZE = 30


@physio_required
def exercise_list(request):
    exercises = (
        Exercise.objects.visible_to(request.user)
        .active()
        .with_catalogue_relations()
        .order_by("name_en", "pk")
    )
    filterset = ExerciseFilter(request.GET or None, queryset=exercises)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "exercises/exercise_list.html", context)


@physio_required
def exercise_detail(request, slug):
    exercise = get_object_or_404(
        Exercise.objects.visible_to(request.user).with_catalogue_relations(), slug=slug
    )
    return render(request, "exercises/exercise_detail.html", {"exercise": exercise})
