"""The portal's "Your data" page: in plain words what is kept about the customer, why and for
how long, who holds their saved cards; "download my data" (JSON of exactly the records this
session opens) and "delete my data" (contact details go; financial records stay, detached)."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from paydesk.core import clock
from paydesk.customers.services import customer_erase
from paydesk.payments.saved_methods import saved_method_list

from .access import session_end
from .data_export import customer_data_export, provider_name
from .portal_access_views import portal_page, portal_view
from .views import page_locale, render_customer_page


def _saved_cards(visit) -> list[dict]:
    return [
        {
            "brand": method.card_brand.title(),
            "last4": method.card_last4,
            "expiry": f"{method.card_exp_month:02d}/{method.card_exp_year}",
            "held_by": provider_name(method.provider),
        }
        for customer in visit.customers
        for method in saved_method_list(customer=customer)
    ]


def _data_page(request, *, errors: dict | None = None, status: int = 200):
    visit = request.portal
    context = {
        "saved_cards": _saved_cards(visit),
        "financial_records_years": settings.FINANCIAL_RECORDS_YEARS,
        "record_count": len(visit.customers),
        "errors": errors or {},
    }
    return portal_page(request, "portal/your_data.html", context, section="data", status=status)


@require_GET
@portal_view
def your_data(request):
    return _data_page(request)


@require_GET
@portal_view
def download(request):
    visit = request.portal
    export = customer_data_export(business=visit.business, customers=visit.customers)
    response = HttpResponse(
        json.dumps(export, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"my-data-{clock.today().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@portal_view
def delete(request):
    visit = request.portal
    locale = page_locale(request, customer=visit.customer, business=visit.business)
    if request.POST.get("confirm") != "yes":
        with translation.override(locale):
            errors = {"confirm": _("Tick the box to confirm that your data should be deleted.")}
        return _data_page(request, errors=errors, status=400)
    for customer in visit.customers:
        customer_erase(customer)
    session_end(request.session)
    # Shown here rather than after a redirect: the session that could show it has ended. A
    # reload asks the portal again, which now sends the browser to "find my bill".
    context = {
        "business": visit.business,
        "financial_records_years": settings.FINANCIAL_RECORDS_YEARS,
    }
    return render_customer_page(request, "portal/data_deleted.html", context, locale)


urlpatterns = [
    path("portal/data", your_data, name="portal-data"),
    path("portal/data/download", download, name="portal-data-download"),
    path("portal/data/delete", delete, name="portal-data-delete"),
]
