"""What a paying customer sees. For now the hosted invoice page shows the invoice; the
one-page checkout, receipts and languages arrive with the customer pages."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from paydesk.core.money import Money, format_money
from paydesk.invoicing.models import Invoice


def hosted_invoice(request, token: str):
    invoice = (
        Invoice.objects.select_related("business", "customer")
        .prefetch_related("lines")
        .filter(hosted_token=token)
        .exclude(status="draft")
        .first()
    )
    if invoice is None:
        raise Http404("No such invoice")

    def money(amount: int) -> str:
        return format_money(Money(amount, invoice.currency), "en")

    lines = [
        {
            "description": line.description,
            "quantity": line.quantity,
            "unit_amount": money(line.unit_amount),
            "amount": money(line.amount),
        }
        for line in invoice.lines.all()
    ]
    context = {
        "invoice": invoice,
        "lines": lines,
        "subtotal": money(invoice.subtotal),
        "discount": money(invoice.discount_amount) if invoice.discount_amount else "",
        "tax": money(invoice.tax),
        "total": money(invoice.total),
        "amount_paid": money(invoice.amount_paid),
        "amount_remaining": money(invoice.amount_remaining),
    }
    response = render(request, "portal/hosted_invoice.html", context)
    response["Cache-Control"] = "no-store"
    return response
