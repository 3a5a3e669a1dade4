from django.urls import path  # noqa: F401

# The course of care (issue #16). Physio pages: courses/physio_views.py; the patient's:
# courses/patient_views.py; the clinic admin's licensed measures: courses/clinic_views.py.
app_name = "courses"
urlpatterns = []
