"""Everything a customer page, an email or a PDF shows about an invoice, in one locale."""

from __future__ import annotations

from django.urls import reverse

from paydesk.core import clock
from paydesk.core.formatting import date_text, money_text
from paydesk.messaging.notifications import portal_links


def invoice_view(invoice, locale: str) -> dict:
    currency = invoice.currency

    def money(amount: int) -> str:
        return money_text(amount, currency, locale)

    lines = []
    for line in invoice.lines.all():
        rate = line.tax_rate_percent.normalize()
        lines.append(
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_amount": money(line.unit_amount),
                "amount": money(line.amount),
                "tax_rate": format(rate, "f") + " %" if rate else "",
            }
        )
    return {
        "invoice": invoice,
        "business": invoice.business,
        "customer": invoice.customer,
        "lines": lines,
        "subtotal": money(invoice.subtotal),
        "discount": money(invoice.discount_amount) if invoice.discount_amount else "",
        "tax": money(invoice.tax),
        "total": money(invoice.total),
        "amount_paid": money(invoice.amount_paid),
        "amount_remaining": money(invoice.amount_remaining),
        "amount_remaining_minor": invoice.amount_remaining,
        "due_date": date_text(invoice.due_date, locale),
        "issued_date": date_text(invoice.finalized_at, locale),
        "is_overdue": bool(invoice.due_date and invoice.status == "open" and invoice.due_date < clock.today()),
        "locale": locale,
        # Pages link within the site; emails and PDFs (which leave it) use absolute links.
        "invoice_url": reverse("hosted-invoice", kwargs={"token": invoice.hosted_token}),
        "invoice_pdf_url": reverse("hosted-invoice-pdf", kwargs={"token": invoice.hosted_token}),
        "absolute_invoice_url": portal_links(invoice)["invoice_url"],
    }


def payment_view(payment, locale: str) -> dict:
    return {
        "payment": payment,
        "payment_amount": money_text(payment.amount, payment.currency, locale),
        "payment_refunded": money_text(payment.amount_refunded, payment.currency, locale) if payment.amount_refunded else "",
        "payment_date": date_text(payment.succeeded_at or payment.created, locale),
        "payment_method_text": (
            f"{payment.card_brand.title()} •••• {payment.card_last4}" if payment.card_last4 else payment.method_type
        ),
    }


def payment_options(invoice, locale: str) -> dict:
    """Which ways to pay the page offers, and what the customer already chose."""
    from paydesk.payments.bank_transfers import (
        amount_major_text,
        bank_transfer_available,
        epc_qr_payload,
        transfer_details,
    )
    from paydesk.payments.models import Payment
    from paydesk.payments.saved_methods import saved_method_default, saved_method_expiring

    business = invoice.business
    from .stripe_checkout import stripe_connection_for

    # Live cards and wallets go through the business's Stripe account and its Payment
    # Element; the card form on this page is the sandbox's, for test mode only.
    stripe_enabled = business.accepts_cards and stripe_connection_for(invoice) is not None
    options = {
        "stripe_enabled": stripe_enabled,
        "cards_enabled": business.accepts_cards and not invoice.livemode,
        # The sandbox's test wallet in test mode; real wallets come with a connected provider.
        "wallet_enabled": business.accepts_wallets and not invoice.livemode,
        "bank_transfer_enabled": bank_transfer_available(business),
        "pay_on_delivery_enabled": business.accepts_pay_on_delivery,
        "paypal_enabled": _paypal_available(invoice),
        "pay_on_delivery_chosen": invoice.pay_on_delivery,
        "saved_method": None,
        "bank_transfer": None,
    }
    options["save_card_offered"] = invoice.payment_link_id is None
    if business.accepts_cards and not invoice.livemode and invoice.payment_link_id is None:
        saved = saved_method_default(customer=invoice.customer)
        if saved is not None:
            options["saved_method"] = saved
            options["saved_method_expiring"] = saved_method_expiring(saved)
    pending = (
        Payment.objects.select_related("business", "invoice")
        .filter(invoice=invoice, provider="bank_transfer", status="processing")
        .first()
    )
    if pending is not None:
        details = transfer_details(pending)
        qr_payload = epc_qr_payload(details)
        qr_image = ""
        if qr_payload:
            import segno

            qr_image = segno.make(qr_payload, error="m").svg_data_uri(scale=4, border=2)
        options["bank_transfer"] = {
            "details": details,
            "amount_text": money_text(details.amount, details.currency, locale),
            "amount_plain": amount_major_text(details.amount, details.currency),
            "qr_image": qr_image,
        }
    return options


def _paypal_available(invoice) -> bool:
    from .methods import paypal_available

    return paypal_available(invoice)
