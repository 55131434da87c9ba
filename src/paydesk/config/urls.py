from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path

from paydesk.api.main import api
from paydesk.providers.paypal import webhooks as paypal_webhooks


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("dashboard/", include("paydesk.dashboard.urls")),
    path("", include("paydesk.portal.urls")),
    path("sandbox/", include("paydesk.providers.sandbox.urls")),
    path("providers/stripe/", include("paydesk.providers.stripe.urls")),
    path("providers/paypal/webhook", paypal_webhooks.webhook_receive, name="paypal-webhook"),
    path("healthz", health, name="health"),
]
