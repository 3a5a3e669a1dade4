from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from exercises import pictures
from exercises.filters import ExerciseFilter
from exercises.models import CatalogueVersion, Exercise, ExercisePicture
from hipcare import cache
from hipcare.access import physio_required
from hipcare.middleware import keep_cache_control
from hipcare.models import PHYSIO, Membership

PAGE_SIZE = 30


# The list's own parameters: only these are in the cache key and the page's links, so a
# request with other parameters neither makes a new entry nor puts them into a shared page.
LIST_PARAMETERS = ("q", "condition", "category", "page")


def _catalogue_parts(request, params):
    """What a catalogue page depends on besides the language: the catalogue's version, the
    clinics whose own exercises the user sees (read together: 1 query), and the page's
    parameters."""
    rows = list(
        Membership.objects.clinics_of(request.user, PHYSIO)
        .annotate(version=CatalogueVersion.subquery())
        .values_list("clinic_id", "version")
    )
    version = rows[0][1] if rows else CatalogueVersion.current()  # one query either way
    return (version, sorted(clinic for clinic, _version in rows), sorted(params.lists()))


def _list_params(request):
    params = QueryDict(mutable=True)
    for name in LIST_PARAMETERS:
        if name in request.GET:
            params.setlist(name, request.GET.getlist(name)[:1])
    return params


@physio_required
def exercise_list(request):
    def render_list():
        exercises = (
            Exercise.objects.visible_to(request.user)
            .active()
            .with_catalogue_relations()
            .order_by("name_en", "pk")
        )
        filterset = ExerciseFilter(params or None, queryset=exercises)
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(params.get("page"))
        query = params.copy()
        query.pop("page", None)
        context = {"filter": filterset, "page": page, "query": query.urlencode()}
        return render_to_string("exercises/_exercise_list.html", context, request=request)

    params = _list_params(request)
    content = cache.fragment("catalogue-list", _catalogue_parts(request, params), render_list)
    return render(request, "exercises/exercise_list.html", {"content": content})


@physio_required
def exercise_detail(request, slug):
    def render_detail():
        exercise = get_object_or_404(
            Exercise.objects.visible_to(request.user).with_catalogue_relations().with_pictures(),
            slug=slug,
        )
        html = render_to_string(
            "exercises/_exercise_detail.html", {"exercise": exercise}, request=request
        )
        return str(exercise.name), html

    # A 404 (Http404 from inside) is not kept.
    title, content = cache.cached(
        "catalogue-exercise", (slug, *_catalogue_parts(request, QueryDict())), render_detail
    )
    return render(
        request,
        "exercises/exercise_detail.html",
        {"title": title, "content": mark_safe(content)},
    )


def _picture_headers(response, picture):
    response["ETag"] = f'"{picture.digest}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = pictures.CONTENT_SECURITY_POLICY
    # The URL names the digest: new bytes get a new URL, so this one never changes.
    patch_cache_control(response, public=True, max_age=31536000, immutable=True)
    return keep_cache_control(response)


@require_safe
@login_required
def picture(request, pk, digest):
    """A picture's bytes. Catalogue content, not health data: anyone signed in who may see the
    exercise (a clinic's own exercise: its physios and patients). A stale digest is a 404."""
    picture = get_object_or_404(
        ExercisePicture.objects.visible_to(request.user).defer("content"), pk=pk, digest=digest
    )
    etag = f'"{picture.digest}"'
    if_none_match = request.headers.get("If-None-Match", "")
    if if_none_match.strip() == "*" or etag in (t.strip() for t in if_none_match.split(",")):
        return _picture_headers(HttpResponseNotModified(), picture)
    content = ExercisePicture.objects.filter(pk=picture.pk).values_list("content", flat=True)
    response = HttpResponse(bytes(content.get()), content_type=picture.content_type)
    return _picture_headers(response, picture)
