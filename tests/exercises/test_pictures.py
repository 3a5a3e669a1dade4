"""Issue 17, pictures of every exercise: stored in the database, served cacheable by digest to
whoever may see the exercise, uploaded in the admin (PNG, JPEG, WebP only), loaded with the
catalogue, and shown on the catalogue, the checklist, "My program" and the handout."""

import datetime
import hashlib
import json
import struct
import zlib

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exercises import pictures
from exercises.admin import ExercisePictureForm
from exercises.catalogue import load_pictures
from exercises.models import ExercisePicture
from hipcare.middleware import LAST_ACTIVITY_KEY
from tests.exercises.test_constraints import admin_post_data
from tests.factories import (
    ClinicFactory,
    ExerciseFactory,
    PatientFactory,
    PhysioFactory,
    PlanFactory,
    PrescriptionFactory,
    SessionFactory,
    clinic_of,
)

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300"><path d="M0 0H9"/></svg>'


def png(width=4, height=3):
    """A real (tiny) PNG of this size."""

    def chunk(kind, body):
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg(width=640, height=480):
    """The start of a baseline JPEG: SOI, an APP0 segment, SOF0 with the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def webp(width=800, height=600):
    """A WebP file's extended header (VP8X) with the size."""
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    body += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def make_picture(exercise, position="start", content=None, content_type=pictures.PNG, **extra):
    values = {"alt_en": f"{position} position", "alt_da": f"{position}stilling", **extra}
    return ExercisePicture.objects.create(
        exercise=exercise,
        position=position,
        content=png() if content is None else content,
        content_type=content_type,
        **values,
    )


def with_pictures(exercise, **extra):
    make_picture(exercise, "start", alt_en="Lie on your back", alt_da="Lig på ryggen", **extra)
    make_picture(exercise, "end", alt_en="Hips lifted", alt_da="Hofterne løftet", **extra)
    return exercise


# --- The model ----------------------------------------------------------------------------------


def test_the_digest_and_size_follow_the_bytes():
    picture = make_picture(ExerciseFactory(), content=png(40, 30))
    assert picture.digest == hashlib.sha256(png(40, 30)).hexdigest()
    assert (picture.width, picture.height) == (40, 30)
    old_url = picture.url
    assert picture.digest in old_url
    picture.content = png(8, 6)
    picture.save()
    picture.refresh_from_db()
    assert picture.digest == hashlib.sha256(png(8, 6)).hexdigest()
    assert (picture.width, picture.height) == (8, 6)
    assert picture.url != old_url  # new bytes, new URL: the old one may stay cached for ever


def test_saving_without_the_bytes_keeps_them_and_the_digest():
    picture = make_picture(ExerciseFactory())
    light = ExercisePicture.objects.defer("content").get(pk=picture.pk)
    light.alt_en = "Changed"
    light.save()
    picture.refresh_from_db()
    assert (bytes(picture.content), picture.digest, picture.alt_en) == (
        png(),
        hashlib.sha256(png()).hexdigest(),
        "Changed",
    )


def test_one_picture_per_position():
    exercise = ExerciseFactory()
    make_picture(exercise, "start")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_picture(exercise, "start")


def test_the_database_refuses_an_unknown_content_type():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_picture(ExerciseFactory(), content_type="text/html")


@pytest.mark.parametrize(
    ("data", "content_type", "size"),
    [
        (png(12, 7), pictures.PNG, (12, 7)),
        (jpeg(640, 480), pictures.JPEG, (640, 480)),
        (webp(800, 600), pictures.WEBP, (800, 600)),
        (SVG, pictures.SVG, (400, 300)),
        (b'<svg width="120" height="90px" viewBox="0 0 1 1">', pictures.SVG, (120, 90)),
    ],
)
def test_sizes_are_read_from_the_bytes(data, content_type, size):
    assert pictures.image_size(data, content_type) == size


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (png(), pictures.PNG),
        (jpeg(), pictures.JPEG),
        (webp(), pictures.WEBP),
        (SVG, None),
        (b"just some text, named picture.png", None),
        (b"", None),
    ],
)
def test_uploads_are_recognised_by_their_bytes(data, expected):
    assert pictures.sniff(data) == expected


def test_the_order_is_start_then_end():
    exercise = ExerciseFactory()
    make_picture(exercise, "end")
    make_picture(exercise, "start")
    assert [p.position for p in exercise.pictures_in_order] == ["start", "end"]


@pytest.mark.parametrize(
    ("url", "ok"),
    [("https://video.example.org/bridge", True), ("http://video.example.org/bridge", False),
     ("javascript:alert(1)", False), ("", True)],
)  # fmt: skip
def test_the_video_link_is_https_only(url, ok):
    exercise = ExerciseFactory(video_url=url)
    if ok:
        exercise.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            exercise.full_clean()
        assert "video_url" in error.value.message_dict


# --- Serving ------------------------------------------------------------------------------------


def test_a_picture_is_served_with_its_headers(client, physio):
    picture = make_picture(ExerciseFactory(), content=png(5, 5))
    client.force_login(physio)
    response = client.get(picture.url)
    assert response.status_code == 200
    assert response.content == png(5, 5)
    assert response["Content-Type"] == "image/png"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=31536000", "immutable"}
    assert response["ETag"] == f'"{picture.digest}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )


def test_a_response_that_sets_a_cookie_is_private(client, physio):
    """A physio's idle clock is written at most once a minute, sometimes with a picture: that
    answer carries the session cookie, so only the browser may keep it."""
    picture = make_picture(ExerciseFactory())
    client.force_login(physio)
    client.get(reverse("exercises:list"))
    session = client.session
    session[LAST_ACTIVITY_KEY] -= 120
    session.save()
    response = client.get(picture.url)
    assert settings.SESSION_COOKIE_NAME in response.cookies
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"private", "max-age=31536000", "immutable"}


def test_a_shipped_svg_is_served_sandboxed(client, patient):
    picture = make_picture(ExerciseFactory(), content=SVG, content_type=pictures.SVG)
    client.force_login(patient)
    response = client.get(picture.url)
    assert response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_page_is_still_no_store(client, physio):
    """The middleware's exception is for the picture view only."""
    client.force_login(physio)
    response = client.get(reverse("exercises:list"))
    assert "no-store" in response["Cache-Control"]


def test_an_unchanged_picture_answers_304(client, physio, django_assert_num_queries):
    picture = make_picture(ExerciseFactory())
    client.force_login(physio)
    client.get(reverse("exercises:list"))  # the second factor's first look
    # session, user, the second factor's device, the picture without its bytes
    with django_assert_num_queries(4):
        response = client.get(picture.url, headers={"if-none-match": f'"{picture.digest}"'})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == f'"{picture.digest}"'
    assert "immutable" in response["Cache-Control"]
    # Another ETag: the bytes, read with one more query.
    with django_assert_num_queries(5):
        assert client.get(picture.url, headers={"if-none-match": '"other"'}).status_code == 200


def test_a_stale_or_wrong_digest_is_404(client, physio):
    picture = make_picture(ExerciseFactory())
    client.force_login(physio)
    wrong = reverse("exercises:picture", args=[picture.pk, "0" * 64])
    assert client.get(wrong).status_code == 404
    old_url = picture.url
    picture.content = png(9, 9)
    picture.save()
    assert client.get(old_url).status_code == 404
    assert client.get(picture.url).status_code == 200
    assert (
        client.get(reverse("exercises:picture", args=[999999, picture.digest])).status_code == 404
    )


def test_anonymous_is_sent_to_log_in(client):
    picture = make_picture(ExerciseFactory())
    response = client.get(picture.url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_only_reading_is_allowed(client, physio):
    picture = make_picture(ExerciseFactory())
    client.force_login(physio)
    assert client.post(picture.url).status_code == 405


def test_a_clinics_own_exercise_is_shown_to_that_clinic_only(client, physio):
    clinic = clinic_of(physio)
    picture = make_picture(ExerciseFactory(clinic=clinic))
    colleague = PhysioFactory(clinic=clinic)
    own_patient = PatientFactory(physio=physio)
    assert own_patient.clinic_id == clinic.pk
    other_physio = PhysioFactory(clinic=ClinicFactory())
    other_patient = PatientFactory(physio=other_physio)
    for user, status in [
        (physio, 200),
        (colleague, 200),
        (own_patient, 200),
        (other_physio, 404),
        (other_patient, 404),
    ]:
        client.force_login(user)
        assert client.get(picture.url).status_code == status, user


def test_the_catalogue_editor_sees_every_picture(admin_client):
    picture = make_picture(ExerciseFactory(clinic=ClinicFactory()))
    assert admin_client.get(picture.url).status_code == 200


# --- The admin's upload -------------------------------------------------------------------------


def upload_form(exercise, upload, *, instance=None, position="start"):
    data = {"position": position, "alt_en": "Lying down", "alt_da": "Liggende"}
    files = {"upload": upload} if upload is not None else {}
    instance = instance or ExercisePicture(exercise=exercise)
    return ExercisePictureForm(data, files, instance=instance)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(png(), pictures.PNG), (jpeg(), pictures.JPEG), (webp(), pictures.WEBP)],
)
def test_an_upload_is_stored_in_the_database(data, content_type):
    exercise = ExerciseFactory()
    form = upload_form(exercise, SimpleUploadedFile("anything.bin", data))
    assert form.is_valid(), form.errors
    picture = form.save()
    picture.refresh_from_db()
    assert (bytes(picture.content), picture.content_type) == (data, content_type)
    assert picture.digest == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("drawing.svg", SVG, "not a PNG, JPEG or WebP"),
        ("drawing.png", SVG, "not a PNG, JPEG or WebP"),
        ("notes.png", b"This is text, not a picture.", "not a PNG, JPEG or WebP"),
        ("cut.png", b"\x89PNG\r\n\x1a\n\x00", "not a PNG, JPEG or WebP"),  # no size: not a PNG
        ("big.png", png() + b"\x00" * pictures.UPLOAD_MAX_BYTES, "too large"),
    ],
)
def test_a_bad_upload_is_refused_at_the_field(name, data, message):
    form = upload_form(ExerciseFactory(), SimpleUploadedFile(name, data))
    assert not form.is_valid()
    assert message in " ".join(form.errors["upload"])
    assert not ExercisePicture.objects.exists()


def test_a_new_picture_needs_a_file():
    form = upload_form(ExerciseFactory(), None)
    assert not form.is_valid()
    assert "Choose a picture file" in " ".join(form.errors["upload"])


def test_without_a_file_the_current_picture_stays():
    picture = make_picture(ExerciseFactory(), content=png(6, 6))
    light = ExercisePicture.objects.defer("content").get(pk=picture.pk)
    form = upload_form(picture.exercise, None, instance=light)
    assert form.is_valid(), form.errors
    form.save()
    picture.refresh_from_db()
    assert (bytes(picture.content), picture.alt_en) == (png(6, 6), "Lying down")


def _admin_data(exercise, **extra):
    return {**admin_post_data(exercise), **extra}


def test_the_admin_uploads_and_replaces_a_picture(admin_client):
    exercise = ExerciseFactory()
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    page = admin_client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="video_url"' in page
    row = {
        "pictures-TOTAL_FORMS": 1,
        "pictures-0-position": "start",
        "pictures-0-alt_en": "Lie on your back",
        "pictures-0-alt_da": "Lig på ryggen",
        "pictures-0-exercise": exercise.pk,
    }
    data = _admin_data(exercise, video_url="https://video.example.org/b", **row)
    data["pictures-0-upload"] = SimpleUploadedFile("start.png", png(4, 3))
    assert admin_client.post(url, data).status_code == 302
    picture = exercise.pictures.get()
    assert (bytes(picture.content), picture.alt_da) == (png(4, 3), "Lig på ryggen")
    exercise.refresh_from_db()
    assert exercise.video_url == "https://video.example.org/b"
    # The change page shows a thumbnail of it, labelled for screen readers.
    page = admin_client.get(url).content.decode()
    assert f'src="{picture.url}"' in page and 'alt="Lie on your back"' in page
    # Replaced: the new bytes, a new digest.
    data = _admin_data(exercise, **row, **{"pictures-INITIAL_FORMS": 1})
    data["pictures-0-id"] = picture.pk
    data["pictures-0-upload"] = SimpleUploadedFile("again.png", png(8, 6))
    assert admin_client.post(url, data).status_code == 302
    replaced = exercise.pictures.get()
    assert (bytes(replaced.content), replaced.width) == (png(8, 6), 8)
    assert replaced.digest != picture.digest


def test_the_admin_refuses_an_svg_upload_with_a_message(admin_client):
    exercise = ExerciseFactory()
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    data = _admin_data(
        exercise,
        **{
            "pictures-TOTAL_FORMS": 1,
            "pictures-0-position": "start",
            "pictures-0-alt_en": "Start",
            "pictures-0-alt_da": "Start",
            "pictures-0-exercise": exercise.pk,
            "pictures-0-upload": SimpleUploadedFile("x.png", SVG),
        },
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "not a PNG, JPEG or WebP" in response.content.decode()
    assert not exercise.pictures.exists()


def test_the_admin_refuses_an_http_video_link(admin_client):
    exercise = ExerciseFactory()
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    response = admin_client.post(url, _admin_data(exercise, video_url="http://example.org/v"))
    assert response.status_code == 200
    assert "video_url" in response.context["adminform"].form.errors


# --- Loading with the catalogue -----------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "pictures"
    folder.mkdir()
    (folder / "bridge-start.svg").write_bytes(SVG)
    (folder / "bridge-end.png").write_bytes(png(40, 30))
    (folder / "fake.png").write_bytes(b"not really a png")
    spec = {
        "bridge": {
            "start": {"file": "bridge-start.svg", "alt_en": "Lying", "alt_da": "Liggende"},
            "end": {"file": "bridge-end.png", "alt_en": "Lifted", "alt_da": "Løftet"},
        },
        "clam-shell": {
            "start": {"file": "clam-shell-start.svg", "alt_en": "Side", "alt_da": "Side"},
            "end": {"file": "fake.png", "alt_en": "Open", "alt_da": "Åben"},
        },
        "no-such-exercise": {"start": {"file": "bridge-start.svg", "alt_en": "x", "alt_da": "x"}},
    }
    (tmp_path / "pictures.json").write_text(json.dumps(spec), encoding="utf-8")
    return tmp_path


def test_the_loader_loads_pictures_and_warns_about_missing_files(data_dir):
    bridge = ExerciseFactory(slug="bridge")
    ExerciseFactory(slug="clam-shell")
    result = load_pictures(data_dir / "pictures.json")
    assert result["pictures"] == 2
    warnings = "\n".join(result["warnings"])
    assert "clam-shell-start.svg" in warnings and "missing" in warnings
    assert "fake.png" in warnings
    assert "no-such-exercise" in warnings
    start, end = bridge.pictures_in_order
    assert (start.content_type, bytes(start.content), start.alt_da) == (
        pictures.SVG,
        SVG,
        "Liggende",
    )
    assert (end.content_type, end.width, end.height) == (pictures.PNG, 40, 30)


def test_loading_twice_changes_nothing_and_a_new_drawing_replaces_the_old(data_dir):
    bridge = ExerciseFactory(slug="bridge")
    load_pictures(data_dir / "pictures.json")
    before = {p.position: (p.pk, p.digest, p.updated_at) for p in bridge.pictures.all()}
    load_pictures(data_dir / "pictures.json")
    after = {p.position: (p.pk, p.digest, p.updated_at) for p in bridge.pictures.all()}
    assert after == before
    (data_dir / "pictures" / "bridge-start.svg").write_bytes(SVG.replace(b"H9", b"H8"))
    load_pictures(data_dir / "pictures.json")
    start = bridge.pictures.get(position="start")
    assert start.pk == before["start"][0]
    assert start.digest != before["start"][1]
    assert ExercisePicture.objects.count() == 2


def test_no_pictures_file_is_no_pictures(tmp_path):
    assert load_pictures(tmp_path / "pictures.json") == {"pictures": 0, "warnings": []}


def test_the_command_loads_pictures_and_prints_a_warning_line(data_dir, capsys):
    call_command("load_catalogue", "--pictures", str(data_dir / "pictures.json"))
    out, err = capsys.readouterr()
    assert "2 pictures" in out
    assert "Warning:" in err and "clam-shell-start.svg" in err
    assert ExercisePicture.objects.filter(exercise__slug="bridge").count() == 2


SEED = ["bridge", "clam-shell", "knee-lift", "side-step-band", "knee-to-chest", "knee-fall-out"]


def test_the_shipped_catalogue_has_both_drawings_of_the_seeds_six_exercises(capsys):
    call_command("load_catalogue")
    out, err = capsys.readouterr()
    assert "Warning" not in err, err
    for slug in SEED:
        drawings = ExercisePicture.objects.filter(exercise__slug=slug)
        assert sorted(p.position for p in drawings) == ["end", "start"], slug
        for drawing in drawings:
            assert drawing.content_type == pictures.SVG
            assert drawing.alt_en.strip() and drawing.alt_da.strip()
            assert drawing.alt_en != drawing.alt_da
            assert (drawing.width, drawing.height) != (0, 0)
    digests = set(ExercisePicture.objects.values_list("digest", flat=True))
    call_command("load_catalogue")
    assert set(ExercisePicture.objects.values_list("digest", flat=True)) == digests


# --- The pages ----------------------------------------------------------------------------------


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def _program(patient, exercises=2, video_url=""):
    plan = PlanFactory(patient=patient, start_date=days_ago(10))
    for order in range(exercises):
        exercise = with_pictures(ExerciseFactory(video_url=video_url))
        PrescriptionFactory(plan=plan, exercise=exercise, order=order)
    return plan


def _pages(plan):
    """(who, url) of each page that shows an exercise's pictures."""
    patient = plan.patient
    return [
        (patient, reverse("plans:today")),
        (patient, reverse("plans:my-program")),
        (patient, reverse("plans:my-program-print")),
        (plan.physio, reverse("plans:plan-handout", args=[plan.pk])),
    ]


@pytest.mark.parametrize(
    ("language", "start_alt", "end_alt", "caption"),
    [("en", "Lie on your back", "Hips lifted", "Start"), ("da", "Lig på ryggen", "Hofterne løftet", None)],
)  # fmt: skip
def test_the_pages_show_both_pictures_with_the_languages_alt(
    client, patient, language, start_alt, end_alt, caption
):
    plan = _program(patient, exercises=1, video_url="https://video.example.org/bridge")
    picture = plan.prescriptions.get().exercise.pictures.get(position="start")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    exercise = plan.prescriptions.get().exercise
    pages = [*_pages(plan), (plan.physio, exercise.get_absolute_url())]
    for user, url in pages:
        client.force_login(user)
        html = client.get(url).content.decode()
        assert f'src="{picture.url}"' in html, url
        assert f'alt="{start_alt}"' in html and f'alt="{end_alt}"' in html, url
        assert 'width="4" height="3"' in html, url
        assert html.index(start_alt) < html.index(end_alt), url
        if caption:
            assert f'text-body-secondary">{caption}</figcaption>' in html, url
        assert 'href="https://video.example.org/bridge" target="_blank" rel="noopener"' in html
    # The screens load them lazily; the print loads them at once (a lazy one may not print).
    client.force_login(patient)
    assert 'loading="lazy"' in client.get(reverse("plans:my-program")).content.decode()
    assert 'loading="eager"' in client.get(reverse("plans:my-program-print")).content.decode()


def test_the_pictures_are_inside_the_how_to_do_it_fold(client, patient):
    _program(patient, exercises=1)
    client.force_login(patient)
    for url, summary in (
        (reverse("plans:today"), "How to do it</summary>"),
        (reverse("plans:my-program"), "Show how to do it"),
    ):
        html = client.get(url).content.decode()
        fold = html[html.index(summary) :]
        assert fold[: fold.index("</details>")].count("<img") == 2, url


def test_without_pictures_or_video_nothing_is_shown(client, patient):
    plan = PlanFactory(patient=patient, start_date=days_ago(10))
    PrescriptionFactory(plan=plan)
    client.force_login(patient)
    for url in (reverse("plans:today"), reverse("plans:my-program")):
        html = client.get(url).content.decode()
        assert "hc-pictures" not in html and "Watch a video" not in html


def test_a_tick_answer_shows_the_pictures_too(client, patient):
    plan = _program(patient, exercises=1)
    rx = plan.prescriptions.get()
    SessionFactory(plan=plan, date=timezone.localdate(), pain_before=2, red_flags=[])
    client.force_login(patient)
    response = client.post(
        reverse("plans:entry-tick", args=[timezone.localdate().isoformat(), rx.pk]),
        {"done": "on"},
        headers={"hx-request": "true"},
    )
    assert response.status_code == 200, response.content.decode()[:500]
    assert "Lie on your back" in response.content.decode()


# --- A fixed number of queries, and never the bytes ---------------------------------------------

PICTURE_BYTES = '"exercises_exercisepicture"."content"'


@pytest.mark.parametrize("size", [1, 6])
@pytest.mark.parametrize(
    ("page", "queries"),
    [
        # tests/plans/test_sessions.py's 10 and the pictures: session, user, plan, today's
        # session, prescriptions, their notes, their pictures, weekly figures, the access log's
        # INSERT, the course cards' course and next text
        ("today", 11),
        # session, user, plan, prescriptions, notes, pictures, the access log's INSERT
        ("my-program", 7),
        # the same, and the plan's patient for the heading (not joined there)
        ("my-program-print", 8),
        # the same, with the patient joined, and the second factor's device
        ("handout", 8),
    ],
)
def test_the_pages_queries_are_fixed_and_never_read_the_bytes(
    client, patient, django_assert_num_queries, size, page, queries
):
    plan = _program(patient, exercises=size)
    if page == "handout":
        user, url = plan.physio, reverse("plans:plan-handout", args=[plan.pk])
    else:
        user, url = patient, reverse(f"plans:{page}")
    client.force_login(user)
    client.get(url)  # the second factor's first look
    cache.clear()  # My program is kept in the shared cache: rendered again here
    with django_assert_num_queries(queries) as captured:
        response = client.get(url)
    assert response.content.decode().count("<img") == 2 * size
    assert not [q["sql"] for q in captured.captured_queries if PICTURE_BYTES in q["sql"]]


@pytest.mark.parametrize("pictures_", [0, 2])
def test_the_catalogue_page_reads_the_pictures_in_one_query(
    client, physio, django_assert_num_queries, pictures_
):
    exercise = ExerciseFactory()
    if pictures_:
        with_pictures(exercise)
    client.force_login(physio)
    client.get(exercise.get_absolute_url())
    cache.clear()  # the page is rendered again, not taken from the shared cache
    # session, user, the catalogue's version with the physio's clinics, exercise, its conditions,
    # notes, notes' conditions, its
    # pictures (the second factor's device is checked once per session: tests/exercises/
    # test_views.py counts it)
    with CaptureQueriesContext(connection) as captured, django_assert_num_queries(8):
        response = client.get(exercise.get_absolute_url())
    assert response.content.decode().count("<img") == pictures_
    assert not [q["sql"] for q in captured.captured_queries if PICTURE_BYTES in q["sql"]]
