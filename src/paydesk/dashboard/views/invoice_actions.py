"""What staff can do to one invoice: finalize, send, void, write off, record money received.

Each action answers with a redirect back to the invoice (so a reload never repeats it) and
a message saying what happened; a refusal is shown at the top, or next to its field.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from paydesk.core.errors import PaydeskError
from paydesk.invoicing.services import invoice_finalize, invoice_mark_uncollectible, invoice_void
from paydesk.messaging.notifications import invoice_send
from paydesk.payments.enums import PaymentMethodType
from paydesk.payments.services import payment_record_offline

from ..access import staff_view
from ..forms import OfflinePaymentForm, place_refusal_on
from ..lookups import invoice_for
from ..refusals import refusal_text
from ..templatetags.dashboard_format import money
from .invoices import invoice_page


def _back_to(invoice):
    return redirect("dashboard:invoice-detail", invoice_id=invoice.public_id)


def _attempt(request, invoice, action, success_text):
    """Run ``action``; say ``success_text(result)`` or the refusal, then go back to the invoice."""
    try:
        result = action(invoice=invoice)
    except PaydeskError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, success_text(result))
    return _back_to(invoice)


@require_POST
@staff_view()
def invoice_finalize_action(request, invoice_id: str):
    return _attempt(
        request,
        invoice_for(request, invoice_id),
        invoice_finalize,
        lambda invoice: _("Invoice %(number)s is finalized. Send it to the customer when ready.") % {"number": invoice.number},
    )


@require_POST
@staff_view()
def invoice_send_action(request, invoice_id: str):
    return _attempt(
        request,
        invoice_for(request, invoice_id),
        invoice_send,
        lambda message: _("The invoice was emailed to %(address)s.") % {"address": message.to},
    )


@require_POST
@staff_view()
def invoice_void_action(request, invoice_id: str):
    return _attempt(request, invoice_for(request, invoice_id), invoice_void, lambda invoice: _("The invoice is void."))


@require_POST
@staff_view()
def invoice_write_off_action(request, invoice_id: str):
    return _attempt(
        request,
        invoice_for(request, invoice_id),
        invoice_mark_uncollectible,
        lambda invoice: _("The invoice is written off as uncollectible."),
    )


@require_POST
@staff_view()
def invoice_record_payment(request, invoice_id: str):
    invoice = invoice_for(request, invoice_id)
    form = OfflinePaymentForm(request.POST, currency=invoice.currency)
    if not form.is_valid():
        return invoice_page(request, invoice, payment_form=form, status=400)
    try:
        payment = payment_record_offline(
            invoice=invoice,
            method=PaymentMethodType(form.cleaned_data["method"]),
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"].strip(),
        )
    except PaydeskError as error:
        invoice = invoice_for(request, invoice_id)
        place_refusal_on(
            form, error, fields={"amount": "amount", "method": "method"}, limit_text=money(invoice.amount_remaining, invoice.currency)
        )
        return invoice_page(request, invoice, payment_form=form, status=400)
    messages.success(
        request, _("Recorded %(amount)s received. It is on the invoice below.") % {"amount": money(payment.amount, payment.currency)}
    )
    return _back_to(invoice)
