from django.urls import path

from reminders import views

app_name = "reminders"
urlpatterns = [
    path("reminders/", views.reminder_settings, name="settings"),
    path("reminders/push-subscription/", views.push_subscribe, name="push-subscribe"),
]
