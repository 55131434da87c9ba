"""Refunds: full or partial, never more than what was paid and not yet refunded."""

from __future__ import annotations

from django.db import transaction

from paydesk.api.objects import payment_object, refund_object
from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.core.money import MAX_AMOUNT_MINOR
from paydesk.events.services import event_record
from paydesk.ledger.enums import JournalKind, LedgerAccount
from paydesk.ledger.services import Posting, ledger_post
from paydesk.providers.registry import provider_named

from paydesk.core.transitions import check_transition

from .enums import REFUND_TRANSITIONS, PaymentStatus, RefundStatus
from .models import Payment, Refund
from .settlement import cash_account_for

REFUND_REASONS = frozenset({"", "requested_by_customer", "duplicate", "fraudulent"})


@transaction.atomic
def refund_create(*, payment: Payment, amount: int | None = None, reason: str = "") -> Refund:
    """Give back ``amount`` (default: everything still refundable) of a succeeded payment.

    Refuses: a payment that did not succeed, a zero or negative amount, more than remains
    refundable, an unknown reason. The payment row is locked so two refunds at once cannot
    together pass the limit.
    """
    if reason not in REFUND_REASONS:
        raise PaydeskError("reason_invalid", "Unknown refund reason.", param="reason")
    payment = Payment.objects.select_for_update(of=("self",)).select_related("business").get(pk=payment.pk)
    if payment.status != PaymentStatus.SUCCEEDED:
        raise PaydeskError(
            "payment_not_refundable", "Only a succeeded payment can be refunded.", param="payment"
        )
    refundable = payment.amount - payment.amount_refunded
    if amount is None:
        amount = refundable
    if amount <= 0 or amount > MAX_AMOUNT_MINOR:
        if refundable == 0:
            raise PaydeskError("charge_already_refunded", "This payment has been refunded in full.", param="payment")
        raise PaydeskError("amount_invalid", "The refund amount must be positive.", param="amount")
    if amount > refundable:
        raise PaydeskError(
            "amount_too_large",
            f"The refund is more than the {refundable} that can still be refunded.",
            param="amount",
        )
    refund = Refund.objects.create(
        business=payment.business,
        livemode=payment.livemode,
        payment=payment,
        amount=amount,
        currency=payment.currency,
        reason=reason,
        created=clock.now(),
    )
    result = provider_named(payment.provider, business=payment.business, livemode=payment.livemode).refund_create(
        payment.provider_reference, amount=amount, currency=payment.currency, reference=refund.public_id
    )
    if not result.succeeded:
        check_transition("refund", REFUND_TRANSITIONS, refund.status, RefundStatus.FAILED)
        refund.status = RefundStatus.FAILED.value
        refund.failure_reason = result.failure_reason
        refund.save(update_fields=["status", "failure_reason"])
        event_record(business=payment.business, livemode=payment.livemode, type="refund.failed", data=refund_object(refund))
        return refund
    check_transition("refund", REFUND_TRANSITIONS, refund.status, RefundStatus.SUCCEEDED)
    refund.status = RefundStatus.SUCCEEDED.value
    refund.provider_reference = result.provider_reference
    refund.save(update_fields=["status", "provider_reference"])
    payment.amount_refunded += amount
    assert payment.amount_refunded <= payment.amount
    payment.save(update_fields=["amount_refunded"])
    ledger_post(
        business=payment.business,
        livemode=payment.livemode,
        kind=JournalKind.REFUND_SUCCEEDED,
        description=f"Refund {refund.public_id} of {payment.public_id}",
        currency=payment.currency,
        postings=[
            Posting(LedgerAccount.REFUNDS, amount),
            Posting(cash_account_for(payment.provider), -amount),
        ],
        invoice=payment.invoice,
        payment=payment,
        refund=refund,
    )
    event_record(business=payment.business, livemode=payment.livemode, type="refund.succeeded", data=refund_object(refund))
    event_record(business=payment.business, livemode=payment.livemode, type="payment.refunded", data=payment_object(payment))
    return refund
