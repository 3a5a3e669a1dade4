from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    # Physio
    path("caseload/", views.caseload, name="caseload"),
    path("patients/add/", views.patient_add, name="patient-add"),
    path("patients/<int:pk>/", views.patient_detail, name="patient-detail"),
    path("patients/<int:pk>/invite/", views.patient_invite_resend, name="patient-invite"),
    path("patients/<int:pk>/assign/", views.plan_assign, name="plan-assign"),
    path("programs/<int:pk>/handout/", views.plan_handout, name="plan-handout"),
    path("prescriptions/<int:pk>/change/", views.prescription_change, name="prescription-change"),
    # Patient
    path("today/", views.today, name="today"),
    path("my-program/", views.my_program, name="my-program"),
    path("my-program/print/", views.my_program_print, name="my-program-print"),
]
