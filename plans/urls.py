from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("today/", views.today, name="today"),
]
