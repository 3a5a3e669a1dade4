from django.shortcuts import get_object_or_404, render

from exercises.models import Exercise
from hipcare.access import physio_required


@physio_required
def exercise_list(request):
    exercises = Exercise.objects.active().with_catalogue_relations()
    return render(request, "exercises/exercise_list.html", {"exercises": exercises})


@physio_required
def exercise_detail(request, slug):
    exercise = get_object_or_404(Exercise.objects.with_catalogue_relations(), slug=slug)
    return render(request, "exercises/exercise_detail.html", {"exercise": exercise})
