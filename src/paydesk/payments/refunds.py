"""Refunds: full or partial, never more than what was paid and not yet refunded.

A refund is written in two steps around the provider's call, so a lost answer can never
give money back twice:
1. under the payment's row lock, a ``pending`` refund is recorded; pending refunds count
   against what can still be refunded, so racing refunds cannot together pass the limit;
2. the provider is asked, with the refund's own id as its idempotency key; its answer
   finishes the refund (``succeeded`` with the ledger entries, or ``failed``).
If the provider cannot be reached, the refund stays ``pending`` and the worker asks again
with the same id (``refunds_retry_pending``), which the provider recognises.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Sum

from paydesk.api.objects import payment_object, refund_object
from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.core.money import MAX_AMOUNT_MINOR
from paydesk.core.transitions import check_transition
from paydesk.events.services import event_record
from paydesk.ledger.enums import JournalKind, LedgerAccount
from paydesk.ledger.services import Posting, ledger_post
from paydesk.providers.base import RefundResult
from paydesk.providers.registry import provider_named

from .enums import REFUND_TRANSITIONS, PaymentStatus, RefundStatus
from .models import Payment, Refund
from .settlement import cash_account_for

REFUND_REASONS = frozenset({"", "requested_by_customer", "duplicate", "fraudulent"})
# A pending refund is asked about again after this long (its first answer was lost).
RETRY_PENDING_AFTER = datetime.timedelta(minutes=1)


def _pending_total(payment: Payment) -> int:
    return (
        Refund.objects.filter(payment=payment, status=RefundStatus.PENDING.value).aggregate(total=Sum("amount"))[
            "total"
        ]
        or 0
    )


@transaction.atomic
def _refund_reserve(*, payment: Payment, amount: int | None, reason: str) -> Refund:
    """Step 1: check what can still be refunded and record the refund as pending."""
    payment = Payment.objects.select_for_update(of=("self",)).select_related("business").get(pk=payment.pk)
    if payment.status != PaymentStatus.SUCCEEDED:
        raise PaydeskError(
            "payment_not_refundable", "Only a succeeded payment can be refunded.", param="payment"
        )
    refundable = payment.amount - payment.amount_refunded - _pending_total(payment)
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
    return Refund.objects.create(
        business=payment.business,
        livemode=payment.livemode,
        payment=payment,
        amount=amount,
        currency=payment.currency,
        reason=reason,
        created=clock.now(),
    )


@transaction.atomic
def _refund_finish(*, refund: Refund, result: RefundResult) -> Refund:
    """Step 2: apply the provider's answer to a pending refund, once."""
    payment = Payment.objects.select_for_update(of=("self",)).select_related("business", "invoice").get(
        pk=refund.payment_id
    )
    refund = Refund.objects.select_for_update(of=("self",)).select_related("payment").get(pk=refund.pk)
    if refund.status != RefundStatus.PENDING:
        return refund  # another worker finished it first
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
    payment.amount_refunded += refund.amount
    assert payment.amount_refunded <= payment.amount
    payment.save(update_fields=["amount_refunded"])
    ledger_post(
        business=payment.business,
        livemode=payment.livemode,
        kind=JournalKind.REFUND_SUCCEEDED,
        description=f"Refund {refund.public_id} of {payment.public_id}",
        currency=payment.currency,
        postings=[
            Posting(LedgerAccount.REFUNDS, refund.amount),
            Posting(cash_account_for(payment.provider), -refund.amount),
        ],
        invoice=payment.invoice,
        payment=payment,
        refund=refund,
    )
    event_record(business=payment.business, livemode=payment.livemode, type="refund.succeeded", data=refund_object(refund))
    event_record(business=payment.business, livemode=payment.livemode, type="payment.refunded", data=payment_object(payment))
    return refund


def _ask_provider(refund: Refund) -> Refund:
    payment = refund.payment
    provider = provider_named(payment.provider, business=payment.business, livemode=payment.livemode)
    try:
        result = provider.refund_create(
            payment.provider_reference, amount=refund.amount, currency=refund.currency, reference=refund.public_id
        )
    except PaydeskError as error:
        if error.http_status in (502, 503):
            return refund  # unreachable: stays pending, and the worker asks again
        raise
    return _refund_finish(refund=refund, result=result)


def refund_create(*, payment: Payment, amount: int | None = None, reason: str = "") -> Refund:
    """Give back ``amount`` (default: everything still refundable) of a succeeded payment.

    Refuses: a payment that did not succeed, a zero or negative amount, more than remains
    refundable (counting refunds still pending), an unknown reason. Answers with the refund
    as it stands: ``succeeded`` or ``failed`` once the provider answered, ``pending`` while
    it could not be reached.
    """
    if reason not in REFUND_REASONS:
        raise PaydeskError("reason_invalid", "Unknown refund reason.", param="reason")
    refund = _refund_reserve(payment=payment, amount=amount, reason=reason)
    refund = Refund.objects.select_related("payment__business").get(pk=refund.pk)
    return _ask_provider(refund)


def refunds_retry_pending(*, limit: int = 50) -> int:
    """Ask the provider again about refunds whose answer was lost (same id, so never twice).

    A refund's ``created`` is its business's time (a test clock may run ahead), so each is
    judged against its own business's clock.
    """
    pending = Refund.objects.filter(status=RefundStatus.PENDING.value).select_related("payment__business")[: limit * 4]
    finished = 0
    for refund in pending[:limit]:
        business_now = clock.real_now() + clock.offset_of(refund.payment.business, livemode=refund.livemode)
        if refund.created > business_now - RETRY_PENDING_AFTER:
            continue
        if _ask_provider(refund).status != RefundStatus.PENDING:
            finished += 1
    return finished
