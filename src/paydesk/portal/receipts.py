"""Receipts (the confirmation after paying) and the PDF downloads linked from pages and emails."""

from __future__ import annotations

from django.http import Http404
from django.views.decorators.http import require_http_methods

from paydesk.payments.enums import PaymentStatus
from paydesk.payments.models import Payment

from .pdf import pdf_response
from .presentation import invoice_view, payment_view
from .views import invoice_for_token, page_locale, render_customer_page


def _succeeded_payment(invoice, payment_id: str) -> Payment:
    """A succeeded payment that paid this invoice (alone, or with others in one payment)."""
    payment = (
        Payment.objects.filter(allocations__invoice=invoice, public_id=payment_id, status=PaymentStatus.SUCCEEDED)
        .distinct()
        .first()
    )
    if payment is None:
        raise Http404("No such receipt")
    return payment


def _paid_together(payment: Payment, locale: str) -> list[dict]:
    """For a payment of several invoices, each invoice and its share (else empty)."""
    from paydesk.core.formatting import money_text

    return [
        {"number": allocation.invoice.number, "amount": money_text(allocation.amount, payment.currency, locale)}
        for allocation in payment.allocations.select_related("invoice").order_by("invoice_id")
    ] if payment.several_invoices else []


def _safe_filename(text: str) -> str:
    return "".join(character if character.isalnum() or character in "-_" else "-" for character in text) or "document"


@require_http_methods(["GET"])
def receipt(request, token: str, payment_id: str):
    invoice = invoice_for_token(token)
    payment = _succeeded_payment(invoice, payment_id)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    context = {
        **invoice_view(invoice, locale),
        **payment_view(payment, locale),
        "paid_together": _paid_together(payment, locale),
        "just_paid": request.GET.get("new") == "1",
    }
    return render_customer_page(request, "portal/receipt.html", context, locale)


@require_http_methods(["GET"])
def receipt_pdf(request, token: str, payment_id: str):
    invoice = invoice_for_token(token)
    payment = _succeeded_payment(invoice, payment_id)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    context = {**invoice_view(invoice, locale), **payment_view(payment, locale), "paid_together": _paid_together(payment, locale)}
    return pdf_response(
        template="portal/receipt_pdf.html", context=context, locale=locale,
        filename=f"receipt-{_safe_filename(invoice.number)}-{payment.public_id[-6:]}.pdf",
    )


@require_http_methods(["GET"])
def invoice_pdf(request, token: str):
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    return pdf_response(
        template="portal/invoice_pdf.html", context=invoice_view(invoice, locale), locale=locale,
        filename=f"invoice-{_safe_filename(invoice.number)}.pdf",
    )
