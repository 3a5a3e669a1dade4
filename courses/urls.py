from django.urls import path

from courses import clinic_views, patient_views, physio_views

# The course of care (issue #16). Physio pages: courses/physio_views.py; the patient's:
# courses/patient_views.py; the clinic admin's licensed measures: courses/clinic_views.py.
app_name = "courses"
urlpatterns = [
    # The course page and the summary: the physio and the patient (scoped queryset).
    path("courses/<int:pk>/", physio_views.course_detail, name="course"),
    path("courses/<int:pk>/summary/", physio_views.summary, name="summary"),
    # Physio
    path("courses/<int:pk>/tests/<str:point>/", physio_views.tests_record, name="tests-record"),
    path("courses/<int:pk>/review/", physio_views.review, name="review"),
    path("courses/<int:pk>/ask-discharge/", physio_views.ask_discharge, name="ask-discharge"),
    path("courses/<int:pk>/discharge/", physio_views.discharge, name="discharge"),
    # Patient
    path(
        "courses/<int:pk>/questionnaire/<str:point>/",
        patient_views.questionnaire,
        name="questionnaire",
    ),
    path("courses/<int:pk>/weekly-pain/", patient_views.weekly_pain, name="weekly-pain"),
    path("education/", patient_views.education, name="education"),
    path("education/<int:pk>/read/", patient_views.education_mark_read, name="education-read"),
    # Clinic admin: the licensed measures of a clinic they administer
    path(
        "clinic/<int:clinic_pk>/measures/",
        clinic_views.clinic_instruments,
        name="clinic-instruments",
    ),
    path(
        "clinic/<int:clinic_pk>/measures/<slug:code>/load/",
        clinic_views.clinic_instrument_load,
        name="clinic-instrument-load",
    ),
    path(
        "clinic/<int:clinic_pk>/measures/<slug:code>/stop/",
        clinic_views.clinic_instrument_stop,
        name="clinic-instrument-stop",
    ),
]
