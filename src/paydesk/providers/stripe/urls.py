from django.urls import path

from . import views

app_name = "stripe_provider"
urlpatterns = [
    path("webhooks/<str:business_public_id>", views.webhook_receive, name="webhook"),
]
