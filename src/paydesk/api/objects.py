"""How each object looks to the outside: the API's responses and every event's ``data``.

Plain functions from a model to a dict, so services can put the same shape in events
without depending on the web layer. Timestamps are Unix seconds, like Stripe's.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def _timestamp(moment) -> int | None:
    return int(moment.timestamp()) if moment else None


def customer_object(customer) -> dict:
    return {
        "id": customer.public_id,
        "object": "customer",
        "livemode": customer.livemode,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "preferred_locales": list(customer.preferred_locales),
        "time_zone": customer.time_zone or None,
        "postal_code": customer.postal_code or None,
        # The customer's own choices, made in the portal.
        "channel_preferences": dict(customer.channel_preferences or {}),
        "notify_every_charge": customer.notify_every_charge,
        "monthly_spending_limit": customer.monthly_spending_limit,
        "monthly_spending_limit_currency": customer.monthly_spending_limit_currency or None,
        "erased_at": _timestamp(customer.erased_at),
        "non_essential_opt_out": customer.non_essential_opt_out,
        "reminders_paused": customer.reminders_paused,
        "created": _timestamp(customer.created),
    }


def invoice_hosted_url(invoice) -> str | None:
    if invoice.status == "draft":
        return None
    return settings.BASE_URL + reverse("hosted-invoice", kwargs={"token": invoice.hosted_token})


def invoice_line_object(line) -> dict:
    return {
        "id": line.public_id,
        "object": "line_item",
        "description": line.description,
        "quantity": line.quantity,
        "unit_amount": line.unit_amount,
        "tax_rate_percent": format(line.tax_rate_percent.normalize(), "f"),
        "amount": line.amount,
        "discount_amount": line.discount_amount,
        "tax_amount": line.tax_amount,
    }


def invoice_object(invoice) -> dict:
    return {
        "id": invoice.public_id,
        "object": "invoice",
        "livemode": invoice.livemode,
        "customer": invoice.customer.public_id,
        "number": invoice.number or None,
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
        "lines": [invoice_line_object(line) for line in invoice.lines.all()],
        "hosted_url": invoice_hosted_url(invoice),
        "pay_on_delivery": invoice.pay_on_delivery,
        "reminders_paused": invoice.reminders_paused,
        "transfer_reference": invoice.transfer_reference or None,
        "created": _timestamp(invoice.created),
        "finalized_at": _timestamp(invoice.finalized_at),
        "paid_at": _timestamp(invoice.paid_at),
        "voided_at": _timestamp(invoice.voided_at),
    }


def _invoice_shares(payment) -> list[dict] | None:
    if not payment.several_invoices:
        return None
    from paydesk.invoicing.models import Invoice

    numbers = dict(
        Invoice.objects.filter(pk__in=[row["invoice"] for row in payment.several_invoices]).values_list("pk", "public_id")
    )
    return [{"invoice": numbers[row["invoice"]], "amount": row["amount"]} for row in payment.several_invoices]


def payment_object(payment) -> dict:
    card = None
    if payment.card_last4:
        card = {
            "brand": payment.card_brand,
            "last4": payment.card_last4,
            "exp_month": payment.card_exp_month,
            "exp_year": payment.card_exp_year,
        }
    last_error = None
    if payment.failure_code:
        last_error = {
            "code": payment.failure_code,
            "decline_code": payment.decline_code or None,
            "message": payment.failure_message,
        }
    next_action = None
    if payment.status == "requires_action" and payment.next_action_url:
        next_action = {"type": "redirect_to_url", "redirect_url": payment.next_action_url}
    bank_transfer = None
    if payment.method_type == "bank_transfer" and payment.invoice_id:
        from paydesk.payments.bank_transfers import transfer_details

        bank_transfer = transfer_details(payment).as_dict()
    return {
        "id": payment.public_id,
        "object": "payment",
        "livemode": payment.livemode,
        "invoice": payment.invoice.public_id if payment.invoice_id else None,
        # A payment of several invoices at once (the customer portal): each and its share.
        "invoices": _invoice_shares(payment),
        "customer": payment.customer.public_id if payment.customer_id else None,
        "amount": payment.amount,
        "amount_refunded": payment.amount_refunded,
        "currency": payment.currency,
        "status": payment.status,
        "payment_method": {
            "type": payment.method_type,
            "card": card,
            "wallet": payment.wallet or None,
            "saved": payment.saved_method.public_id if payment.saved_method_id and payment.saved_method.active else None,
        },
        "bank_transfer": bank_transfer,
        "provider": payment.provider,
        "fee_amount": payment.fee_amount,
        "last_payment_error": last_error,
        "next_action": next_action,
        "created": _timestamp(payment.created),
    }


def refund_object(refund) -> dict:
    return {
        "id": refund.public_id,
        "object": "refund",
        "livemode": refund.livemode,
        "payment": refund.payment.public_id,
        "amount": refund.amount,
        "currency": refund.currency,
        "status": refund.status,
        "reason": refund.reason or None,
        "failure_reason": refund.failure_reason or None,
        "created": _timestamp(refund.created),
    }


def event_object(event) -> dict:
    return {
        "id": event.public_id,
        "object": "event",
        "livemode": event.livemode,
        "type": event.type,
        "created": _timestamp(event.created),
        "data": {"object": event.data},
    }


def webhook_endpoint_object(endpoint, *, include_secret: bool = False) -> dict:
    body = {
        "id": endpoint.public_id,
        "object": "webhook_endpoint",
        "livemode": endpoint.livemode,
        "url": endpoint.url,
        "enabled_events": list(endpoint.enabled_events),
        "status": "enabled" if endpoint.enabled else "disabled",
        "created": _timestamp(endpoint.created),
    }
    if include_secret:
        body["secret"] = endpoint.secret
    return body


def message_object(message) -> dict:
    return {
        "id": message.public_id,
        "object": "message",
        "livemode": message.livemode,
        "channel": message.channel,
        "to": message.to,
        "subject": message.subject,
        "template": message.template,
        "locale": message.locale,
        "status": message.status,
        "invoice": message.invoice.public_id if message.invoice_id else None,
        "customer": message.customer.public_id if message.customer_id else None,
        "payment": message.payment.public_id if message.payment_id else None,
        "created": _timestamp(message.created),
        "sent_at": _timestamp(message.sent_at),
    }


def payment_link_object(link) -> dict:
    return {
        "id": link.public_id,
        "object": "payment_link",
        "livemode": link.livemode,
        "amount": link.amount,
        "currency": link.currency,
        "description": link.description,
        "active": link.active,
        "url": settings.BASE_URL + reverse("payment-link", kwargs={"token": link.token}),
        "created": _timestamp(link.created),
    }


def saved_method_object(method) -> dict:
    from paydesk.payments.saved_methods import saved_method_expiring

    return {
        "id": method.public_id,
        "object": "payment_method",
        "livemode": method.livemode,
        "type": "card",
        "customer": method.customer.public_id,
        "card": {
            "brand": method.card_brand,
            "last4": method.card_last4,
            "exp_month": method.card_exp_month,
            "exp_year": method.card_exp_year,
        },
        "is_default": method.is_default,
        "expiring_soon": saved_method_expiring(method),
        "created": _timestamp(method.created),
    }


def automatic_charge_object(charge) -> dict:
    return {
        "id": charge.public_id,
        "object": "automatic_charge",
        "livemode": charge.livemode,
        "invoice": charge.invoice.public_id,
        "payment_method": charge.saved_method.public_id,
        "status": charge.status,
        "attempt_count": charge.attempt_count,
        "next_attempt_at": _timestamp(charge.next_attempt_at),
        "last_decline_code": charge.last_decline_code or None,
        "attempts": [
            {"payment": payment.public_id, "status": payment.status, "decline_code": payment.decline_code or None,
             "created": _timestamp(payment.created)}
            for payment in charge.attempts.order_by("id")
        ],
    }


def payment_plan_object(plan) -> dict:
    """A plan with its schedule; each part's status is worked out at the business's today."""
    from paydesk.core import clock
    from paydesk.terms.selectors import part_status, policy_for

    grace_days = policy_for(plan.business).grace_days
    today = clock.today()
    parts = list(plan.parts.all())
    return {
        "id": plan.public_id,
        "object": "payment_plan",
        "livemode": plan.livemode,
        "invoice": plan.invoice.public_id,
        "customer": plan.customer.public_id,
        "kind": plan.kind,
        "status": plan.status,
        "interval": plan.interval,
        "installments": len(parts),
        "currency": plan.currency,
        "amount": plan.amount,
        "amount_paid": sum(part.amount_paid for part in parts),
        "amount_remaining": sum(part.amount_remaining for part in parts),
        "deposit_amount": plan.deposit_amount,
        "auto_charge": plan.auto_charge,
        "payment_method": plan.saved_method.public_id if plan.saved_method_id else None,
        "requested_by": plan.requested_by,
        "staff_message": plan.staff_message or None,
        "original_due_date": plan.original_due_date.isoformat() if plan.original_due_date else None,
        "schedule": [
            {
                "due_date": part.due_date.isoformat(),
                "amount": part.amount,
                "amount_paid": part.amount_paid,
                "status": part_status(part, plan, today=today, grace_days=grace_days).value,
            }
            for part in parts
        ],
        "created": _timestamp(plan.created),
        "started_at": _timestamp(plan.started_at),
        "ended_at": _timestamp(plan.ended_at),
    }
