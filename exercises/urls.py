from django.urls import path

from exercises import views

app_name = "exercises"
urlpatterns = [
    path("", views.exercise_list, name="list"),
    path("pictures/<int:pk>/<str:digest>/", views.picture, name="picture"),
    path("<slug:slug>/", views.exercise_detail, name="detail"),
]
