"""The door of the customer portal: the page a link opens, the guard every portal page is
behind, and signing out."""

from __future__ import annotations

import functools

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from paydesk.businesses.models import Business
from paydesk.core import clock
from paydesk.customers.models import Customer

from .access import BROWSER_COOKIE, portal_link_open, session_access, session_end, session_start
from .views import page_locale, render_customer_page


class PortalVisit:
    """Who is in the portal: the business and the customer records this session opens."""

    def __init__(self, access: dict):
        self.business = Business.objects.get(pk=access["business"])
        self.livemode = access["livemode"]
        self.customers = list(
            Customer.objects.filter(pk__in=access["customers"], business=self.business, erased_at=None).order_by("pk")
        )
        self.return_url = access.get("return_url", "")

    @property
    def customer(self) -> Customer:
        """The record shown for contact details and preferences (the first opened)."""
        return self.customers[0]


def portal_view(view):
    """Let in a browser with portal access (else to the "find my bill" page), run the view at
    the business's time, and hand it ``request.portal``."""

    @functools.wraps(view)
    def wrapped(request, *arguments, **keywords):
        access = session_access(request.session)
        if access is None:
            return HttpResponseRedirect(reverse("portal-find") + "?expired=1")
        visit = PortalVisit(access)
        if not visit.customers:  # every record was deleted meanwhile
            session_end(request.session)
            return HttpResponseRedirect(reverse("portal-find"))
        request.portal = visit
        with clock.business_time(visit.business, livemode=visit.livemode):
            return view(request, *arguments, **keywords)

    return wrapped


def portal_page(request, template: str, context: dict, *, section: str, status: int = 200):
    visit = request.portal
    locale = page_locale(request, customer=visit.customer, business=visit.business)
    context = {"business": visit.business, "customer": visit.customer, "section": section, "portal": visit, **context}
    return render_customer_page(request, template, context, locale, status)


@require_http_methods(["GET"])
def portal_enter(request, token: str):
    """Where a magic link or portal session URL lands."""
    entry = portal_link_open(token=token, browser_nonce=request.COOKIES.get(BROWSER_COOKIE, ""))
    if entry.link is None:
        locale = page_locale(request)
        return render_customer_page(
            request, "portal/portal_link_refused.html", {"refusal": entry.refusal, "business": None}, locale, status=410
        )
    session_start(request.session, entry.link)
    return HttpResponseRedirect(reverse("portal-home"))


@require_http_methods(["POST"])
def portal_sign_out(request):
    session_end(request.session)
    return HttpResponseRedirect(reverse("portal-find") + "?signed_out=1")
