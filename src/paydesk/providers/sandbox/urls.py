from django.urls import path

from . import views

app_name = "sandbox"
urlpatterns = [path("3ds/<str:reference>", views.challenge, name="challenge")]
