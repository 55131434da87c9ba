"""The portal's help page: the business's answers to common questions and how to pay it
(plain text staff wrote in the dashboard), how to reach it, and a contact form that reaches
staff with the customer and the invoice attached. The form answers with a redirect back to
the page, which thanks the customer once (post, redirect, get)."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from paydesk.core.errors import PaydeskError
from paydesk.core.formatting import money_text
from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.models import Invoice
from paydesk.support.models import MAX_MESSAGE_LENGTH
from paydesk.support.services import support_request_create

from .portal_access_views import portal_page, portal_view
from .views import page_locale

# The newest invoices offered in the form's list; older ones are still reachable by
# choosing "not about one invoice" and naming the number.
INVOICE_CHOICES_LIMIT = 100
# The session key that carries the thank-you from the form's redirect to the page, once.
SENT_KEY = "portal_help_sent"


def _visit_invoices(visit):
    """Every invoice of the records this session opens, newest first (never a draft)."""
    return (
        Invoice.objects.filter(customer__in=visit.customers, business=visit.business, livemode=visit.livemode)
        .exclude(status=InvoiceStatus.DRAFT)
        .select_related("customer")
        .order_by("-created", "-id")[:INVOICE_CHOICES_LIMIT]
    )


def _invoice_label(invoice: Invoice, locale: str) -> str:
    words = {"number": invoice.number, "amount": money_text(invoice.amount_remaining, invoice.currency, locale)}
    if invoice.status == InvoiceStatus.OPEN and invoice.amount_remaining > 0:
        return _("%(number)s, %(amount)s to pay") % words
    if invoice.status == InvoiceStatus.PAID:
        return _("%(number)s, paid") % words
    return invoice.number


def _help_page(request, *, errors: dict | None = None, values: dict | None = None, status: int = 200):
    visit = request.portal
    locale = page_locale(request, customer=visit.customer, business=visit.business)
    with translation.override(locale):
        choices = [{"id": invoice.public_id, "label": _invoice_label(invoice, locale)} for invoice in _visit_invoices(visit)]
    if values is None:
        # "Ask about this invoice" links elsewhere may name one in the query.
        asked = request.GET.get("invoice", "")
        values = {"invoice": asked if any(choice["id"] == asked for choice in choices) else "", "message": ""}
    context = {
        "invoice_choices": choices,
        "errors": errors or {},
        "values": values,
        "sent": request.session.pop(SENT_KEY, False) if request.method == "GET" else False,
        "max_message_length": MAX_MESSAGE_LENGTH,
    }
    return portal_page(request, "portal/help.html", context, section="help", status=status)


@require_GET
@portal_view
def help_page(request):
    return _help_page(request)


def _form_errors(message: str, invoice_id: str, invoice: Invoice | None) -> dict:
    errors = {}
    if invoice_id and invoice is None:
        errors["invoice"] = _("Choose one of your invoices, or “Not about one invoice”.")
    if not message:
        errors["message"] = _("Write your message.")
    elif len(message) > MAX_MESSAGE_LENGTH:
        errors["message"] = _("Your message is %(count)s characters long; please shorten it to %(limit)s.") % {
            "count": len(message),
            "limit": MAX_MESSAGE_LENGTH,
        }
    return errors


_REFUSALS = {
    "card_number_in_message": lambda: _(
        "Please take out the card number: it is never needed, and we do not keep card numbers."
    ),
    "too_many_support_requests": lambda: _(
        "You have sent many messages today. Please write again tomorrow, or email us at the address above."
    ),
}


@require_POST
@portal_view
def contact(request):
    visit = request.portal
    locale = page_locale(request, customer=visit.customer, business=visit.business)
    # Counted as the service counts: a line end is one character, as the browser counts it.
    message = request.POST.get("message", "").replace("\r\n", "\n").strip()
    invoice_id = request.POST.get("invoice", "").strip()
    invoice = next((each for each in _visit_invoices(visit) if each.public_id == invoice_id), None) if invoice_id else None
    values = {"invoice": invoice_id, "message": message}
    with translation.override(locale):
        errors = _form_errors(message, invoice_id, invoice)
        if not errors:
            try:
                # The request hangs on the record the invoice belongs to (a magic link may
                # open several records of one person).
                customer = invoice.customer if invoice is not None else visit.customer
                support_request_create(customer=customer, message=message, invoice=invoice)
            except PaydeskError as error:
                refusal = _REFUSALS.get(error.code)
                errors["message"] = refusal() if refusal else _("Your message could not be sent. Please try again.")
    if errors:
        return _help_page(request, errors=errors, values=values, status=400)
    request.session[SENT_KEY] = True
    return HttpResponseRedirect(reverse("portal-help") + "#contact-heading")


urlpatterns = [
    path("portal/help", help_page, name="portal-help"),
    path("portal/help/contact", contact, name="portal-contact"),
]
