from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path

from paydesk.api.main import api
from paydesk.portal import views as portal_views


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i/<str:token>", portal_views.hosted_invoice, name="hosted-invoice"),
    path("sandbox/", include("paydesk.providers.sandbox.urls")),
    path("healthz", health, name="health"),
]
