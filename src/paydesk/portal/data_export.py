"""What "download my data" answers: everything kept about the customer records a portal
session opens, as plain JSON, and nothing of anyone else.

Each part is read through the customer's own foreign keys, so another customer's rows can
only appear if they point at this customer. Card tokens, provider references and the
business's own figures (fees, the ledger) are left out: they are not about the customer.
"""

from __future__ import annotations

from django.db.models import Q

from paydesk.core import clock

# Who holds a saved card, in words a customer knows.
PROVIDER_NAMES = {"sandbox": "Paydesk test sandbox", "stripe": "Stripe", "paypal": "PayPal"}


def provider_name(code: str) -> str:
    return PROVIDER_NAMES.get(code, code.replace("_", " ").title())


def _moment(value) -> str | None:
    return value.isoformat() if value else None


def _invoices(customer) -> list[dict]:
    from paydesk.invoicing.enums import InvoiceStatus
    from paydesk.invoicing.models import Invoice

    invoices = (
        Invoice.objects.filter(customer=customer)
        .exclude(status=InvoiceStatus.DRAFT)  # not sent yet: the business's work in progress
        .prefetch_related("lines")
        .order_by("created", "id")
    )
    return [
        {
            "id": invoice.public_id,
            "number": invoice.number,
            "status": invoice.status,
            "currency": invoice.currency,
            "description": invoice.description,
            "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
            "subtotal": invoice.subtotal,
            "discount_amount": invoice.discount_amount,
            "tax": invoice.tax,
            "total": invoice.total,
            "amount_paid": invoice.amount_paid,
            "amount_remaining": invoice.amount_remaining,
            "lines": [
                {
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_amount": line.unit_amount,
                    "tax_rate_percent": format(line.tax_rate_percent.normalize(), "f"),
                    "amount": line.amount,
                    "discount_amount": line.discount_amount,
                    "tax_amount": line.tax_amount,
                }
                for line in invoice.lines.all()
            ],
            "issued": _moment(invoice.finalized_at),
            "paid": _moment(invoice.paid_at),
        }
        for invoice in invoices
    ]


def _customer_payments(customer):
    from paydesk.payments.models import Payment

    # A payment names its customer, or its invoice does, or (one payment for several
    # invoices) its allocations do.
    return (
        Payment.objects.filter(
            Q(customer=customer) | Q(invoice__customer=customer) | Q(allocations__invoice__customer=customer),
            business_id=customer.business_id,
            livemode=customer.livemode,
        )
        .distinct()
        .prefetch_related("allocations__invoice")
        .order_by("created", "id")
    )


def _payments(payments, customer) -> list[dict]:
    rows = []
    for payment in payments:
        card = None
        if payment.card_last4:
            card = {
                "brand": payment.card_brand,
                "last4": payment.card_last4,
                "exp_month": payment.card_exp_month,
                "exp_year": payment.card_exp_year,
            }
        rows.append(
            {
                "id": payment.public_id,
                "amount": payment.amount,
                "amount_refunded": payment.amount_refunded,
                "currency": payment.currency,
                "status": payment.status,
                "method": payment.method_type,
                "wallet": payment.wallet or None,
                "card": card,
                "provider": provider_name(payment.provider),
                # Only this customer's invoices, should one payment have covered another's.
                "invoices": [
                    allocation.invoice.number
                    for allocation in payment.allocations.all()
                    if allocation.invoice.customer_id == customer.pk
                ],
                "created": _moment(payment.created),
                "succeeded": _moment(payment.succeeded_at),
                "failed": _moment(payment.failed_at),
                "failure_message": payment.failure_message or None,
            }
        )
    return rows


def _refunds(payments) -> list[dict]:
    from paydesk.payments.models import Refund

    refunds = Refund.objects.filter(payment__in=payments).select_related("payment").order_by("created", "id")
    return [
        {
            "id": refund.public_id,
            "payment": refund.payment.public_id,
            "amount": refund.amount,
            "currency": refund.currency,
            "status": refund.status,
            "reason": refund.reason or None,
            "created": _moment(refund.created),
        }
        for refund in refunds
    ]


def _saved_cards(customer) -> list[dict]:
    from paydesk.payments.models import SavedPaymentMethod

    return [
        {
            "brand": method.card_brand,
            "last4": method.card_last4,
            "exp_month": method.card_exp_month,
            "exp_year": method.card_exp_year,
            "held_by": provider_name(method.provider),
            "default": method.is_default,
            "saved": _moment(method.created),
            "removed": _moment(method.removed_at),
        }
        for method in SavedPaymentMethod.objects.filter(customer=customer).order_by("created", "id")
    ]


def _payment_plans(customer) -> list[dict]:
    from paydesk.terms.models import PaymentPlan

    plans = PaymentPlan.objects.filter(customer=customer).select_related("invoice").prefetch_related("parts")
    return [
        {
            "id": plan.public_id,
            "invoice": plan.invoice.number,
            "kind": plan.kind,
            "status": plan.status,
            "amount": plan.amount,
            "currency": plan.currency,
            "automatic_charges": plan.auto_charge,
            "parts": [
                {"due_date": part.due_date.isoformat(), "amount": part.amount, "amount_paid": part.amount_paid}
                for part in plan.parts.all()
            ],
            "created": _moment(plan.created),
            "ended": _moment(plan.ended_at),
        }
        for plan in plans.order_by("created", "id")
    ]


def _support_requests(customer) -> list[dict]:
    from paydesk.support.models import SupportRequest

    requests = SupportRequest.objects.filter(customer=customer).select_related("invoice").order_by("created", "id")
    return [
        {
            "id": request.public_id,
            "invoice": request.invoice.number if request.invoice_id else None,
            "message": request.message,
            "status": request.status,
            "created": _moment(request.created),
            "closed": _moment(request.closed_at),
        }
        for request in requests
    ]


def _messages(customer) -> list[dict]:
    from paydesk.messaging.models import Message

    return [
        {"subject": subject, "channel": channel, "created": _moment(created), "sent": _moment(sent_at)}
        for subject, channel, created, sent_at in Message.objects.filter(customer=customer)
        .order_by("created", "id")
        .values_list("subject", "channel", "created", "sent_at")
    ]


def customer_record(customer) -> dict:
    payments = _customer_payments(customer)
    return {
        "id": customer.public_id,
        "test_mode": not customer.livemode,
        "created": _moment(customer.created),
        "contact_details": {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "postal_code": customer.postal_code,
        },
        "preferences": {
            "languages": list(customer.preferred_locales or []),
            "time_zone": customer.time_zone or None,
            "channels": dict(customer.channel_preferences or {}),
            "tell_me_about_every_charge": customer.notify_every_charge,
            "monthly_spending_limit": customer.monthly_spending_limit,
            "no_non_essential_messages": customer.non_essential_opt_out,
        },
        "invoices": _invoices(customer),
        "payments": _payments(payments, customer),
        "refunds": _refunds(payments),
        "saved_cards": _saved_cards(customer),
        "payment_plans": _payment_plans(customer),
        "support_requests": _support_requests(customer),
        "messages": _messages(customer),
    }


def customer_data_export(*, business, customers) -> dict:
    """Everything kept about ``customers`` (records of ``business``), as JSON-ready data."""
    if any(customer.business_id != business.pk for customer in customers):
        raise ValueError("every record exported must belong to the business")
    return {
        "object": "customer_data",
        "generated": _moment(clock.real_now()),
        "business": {"name": business.name, "email": business.email, "phone": business.phone or None},
        "notes": [
            "Amounts are whole minor units of their currency (cents): 12000 in usd is $120.00.",
            "Card numbers are never stored; for cards only the brand, last four digits and expiry are kept.",
        ],
        "customers": [customer_record(customer) for customer in customers],
    }
