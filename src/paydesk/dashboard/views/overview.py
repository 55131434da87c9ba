"""The overview: today's takings, what is owed and overdue, and a live list of payments."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from paydesk.support.selectors import open_support_request_count

from .. import summaries
from ..access import staff_view
from ..pages import dashboard_page
from ..templatetags.dashboard_format import moment, money, payment_method, payment_status

# How often the page asks for new payments; the script reads it from the page.
POLL_INTERVAL_SECONDS = 5


@require_GET
@staff_view()
def overview(request):
    scope = request.staff.scoped()
    today = summaries.payments_today(**scope)
    context = {
        "payments_today": today,
        "payments_today_count": _count_text(today),
        "open_totals": summaries.open_totals(**scope),
        "overdue_totals": summaries.overdue_totals(**scope),
        "latest_payments": summaries.latest_payments(**scope),
        "plan_requests_waiting": summaries.plan_requests_waiting(**scope),
        "support_requests_open": open_support_request_count(**scope),
        "poll_url": reverse("dashboard:latest-payments"),
        "poll_interval_milliseconds": POLL_INTERVAL_SECONDS * 1000,
    }
    return dashboard_page(request, "dashboard/overview.html", context, section="overview")


def _count_text(today: list[summaries.CurrencyTotal]) -> str:
    count = sum(total.count for total in today)
    return ngettext("%(count)d payment", "%(count)d payments", count) % {"count": count}


def _payment_row(payment) -> dict:
    amount = money(payment.amount, payment.currency)
    customer = str(payment.customer) if payment.customer else ""
    status = payment_status(payment.status)
    return {
        "id": payment.public_id,
        "url": reverse("dashboard:payment-detail", kwargs={"payment_id": payment.public_id}),
        "time": moment(payment.succeeded_at or payment.created),
        "customer": customer,
        "invoice": str(payment.invoice) if payment.invoice else "",
        "amount": amount,
        "method": payment_method(payment),
        "status": payment.status,
        "status_text": status,
        "announcement": _announcement(payment.status, amount=amount, customer=customer, status=status),
    }


def _announcement(code: str, *, amount: str, customer: str, status: str) -> str:
    """One sentence for a screen reader to say when a payment appears."""
    words = {"amount": amount, "customer": customer or _("an unknown customer"), "status": status}
    if code == "succeeded":
        return _("Payment received: %(amount)s from %(customer)s.") % words
    if code == "failed":
        return _("Payment failed: %(amount)s from %(customer)s.") % words
    return _("New payment: %(amount)s from %(customer)s (%(status)s).") % words


@require_GET
@staff_view(as_json=True)
def latest_payments(request):
    """The newest payments and today's figures as data, for the overview's script to show.

    The script tells new payments from known ones by id, so this stays stateless.
    """
    scope = request.staff.scoped()
    today = summaries.payments_today(**scope)
    response = JsonResponse(
        {
            "payments": [_payment_row(payment) for payment in summaries.latest_payments(**scope)],
            "today": {
                "count": sum(total.count for total in today),
                "count_text": _count_text(today),
                "amounts": [money(total.amount, total.currency) for total in today] or [_("Nothing")],
            },
        }
    )
    response["Cache-Control"] = "no-store"
    return response
