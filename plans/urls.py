from django.urls import path

from hipcare import views as account_views
from plans import care_views, export_views, session_views, views

# Adding a patient and re-sending the invitation are account views (hipcare); they keep their
# plans: URL names and paths, which templates, tests and sent links use.
app_name = "plans"
urlpatterns = [
    # Physio
    path("caseload/", views.caseload, name="caseload"),
    path("patients/add/", account_views.patient_add, name="patient-add"),
    path("patients/<int:pk>/", views.patient_detail, name="patient-detail"),
    path("patients/<int:pk>/invite/", account_views.patient_invite_resend, name="patient-invite"),
    path(
        "patients/<int:pk>/start-code/", account_views.patient_start_code, name="patient-start-code"
    ),
    path("patients/<int:pk>/assign/", views.plan_assign, name="plan-assign"),
    path("patients/<int:pk>/take-over/", care_views.patient_take_over, name="patient-take-over"),
    path("covers/", care_views.covers, name="covers"),
    path("covers/<int:pk>/end/", care_views.cover_end, name="cover-end"),
    path("patients/<int:pk>/suggestion/", views.suggestion_decide, name="suggestion-decide"),
    path("patients/<int:pk>/contact/", views.contact_record, name="contact-record"),
    path("programs/<int:pk>/pain-rule/", views.plan_pain_mode, name="plan-pain-mode"),
    path("programs/<int:pk>/handout/", views.plan_handout, name="plan-handout"),
    path("prescriptions/<int:pk>/change/", views.prescription_change, name="prescription-change"),
    path("patients/<int:pk>/export/", export_views.patient_export, name="patient-export"),
    path(
        "patients/<int:pk>/export.json",
        export_views.patient_export_fhir,
        name="patient-export-fhir",
    ),
    # Patient
    path("today/", session_views.today, name="today"),
    path("today/<str:day>/start/", session_views.session_start, name="session-start"),
    path(
        "today/<str:day>/tick/<int:prescription_id>/",
        session_views.entry_tick,
        name="entry-tick",
    ),
    path("today/<str:day>/finish/", session_views.session_finish, name="session-finish"),
    path("history/", session_views.history_view, name="history"),
    path("my-data/", export_views.my_data, name="my-data"),
    path("my-data/fhir.json", export_views.my_data_fhir, name="my-data-fhir"),
    # Both roles (scoped queryset)
    path("sessions/<int:pk>/", session_views.session_detail, name="session-detail"),
    path("my-program/", views.my_program, name="my-program"),
    path("my-program/print/", views.my_program_print, name="my-program-print"),
]
