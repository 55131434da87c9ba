"""Automatic charges: an invoice charged to the customer's saved card on its due date, with
smart retries by decline reason (``retry_schedule``) and a polite word to the customer.

The sweep finds due charges in the database (rule 5). Each try happens under the invoice's
row lock and is an ordinary payment; the charge's row records where the retries stand.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.models import Invoice
from paydesk.invoicing.services import invoice_lock
from paydesk.messaging.notifications import message_queue

from .enums import PaymentStatus
from .models import AutomaticCharge, Payment, SavedPaymentMethod
from .retry_schedule import asks_the_customer, next_retry_at
from .saved_methods import saved_method_default
from .services import payment_create

Status = AutomaticCharge.Status
UPCOMING_NOTICE = datetime.timedelta(days=3)


def _due_moment(invoice: Invoice) -> datetime.datetime:
    if invoice.due_date is None:
        return clock.now()
    return datetime.datetime.combine(invoice.due_date, datetime.time(9, 0), tzinfo=datetime.timezone.utc)


@transaction.atomic
def automatic_charge_create(*, invoice: Invoice, saved_method: SavedPaymentMethod | None = None) -> AutomaticCharge:
    """Charge this open invoice to a saved card on its due date (the customer's default card
    when none is named). Refuses an invoice that is not open, a customer with no saved card,
    and a card of another customer."""
    invoice = invoice_lock(invoice.pk)
    if invoice.status != InvoiceStatus.OPEN:
        raise PaydeskError("invoice_not_open", "Only an open invoice can be charged automatically.", param="invoice")
    method = saved_method or saved_method_default(customer=invoice.customer)
    if method is None or method.customer_id != invoice.customer_id or not method.active or method.removed_at:
        raise PaydeskError(
            "payment_method_missing", "The customer has no saved card to charge.", param="payment_method", http_status=400
        )
    charge, _ = AutomaticCharge.objects.update_or_create(
        invoice=invoice,
        plan_part=None,
        defaults={
            "business": invoice.business,
            "livemode": invoice.livemode,
            "saved_method": method,
            "status": Status.SCHEDULED,
            "next_attempt_at": _due_moment(invoice),
            "created": clock.now(),
        },
    )
    return charge


def _try(charge_id: int) -> str:
    """One try of a due charge, under the invoice's lock. Answers what happened."""
    with transaction.atomic():
        charge = AutomaticCharge.objects.select_for_update(of=("self",)).select_related("saved_method").get(pk=charge_id)
        now = clock.now()
        if charge.status not in (Status.SCHEDULED, Status.RETRYING) or not charge.next_attempt_at or charge.next_attempt_at > now:
            return "not_due"
        invoice = Invoice.objects.select_related("business", "customer").get(pk=charge.invoice_id)
        part = _plan_part(charge)
        if part is not None and part.plan.status == "paused":
            return "not_due"  # held until staff resume the plan
        amount = None if part is None else part.amount_remaining
        plan_ended = part is not None and part.plan.status not in ("active", "past_due")
        if invoice.status != InvoiceStatus.OPEN or invoice.amount_remaining <= 0 or amount == 0 or plan_ended:
            charge.status, charge.next_attempt_at = Status.CANCELED, None
            charge.save(update_fields=["status", "next_attempt_at"])
            return "canceled"
        first_try = charge.attempt_count == 0
        try:
            payment = payment_create(invoice=invoice, saved_method=charge.saved_method, amount=amount)
        except PaydeskError as error:  # the card was removed, the invoice changed...
            charge.status, charge.next_attempt_at, charge.last_decline_code = Status.NEEDS_CUSTOMER, None, error.code
            charge.save(update_fields=["status", "next_attempt_at", "last_decline_code"])
            return "needs_customer"
        Payment.objects.filter(pk=payment.pk).update(automatic_charge=charge)
        charge.attempt_count += 1
        if first_try:
            charge.first_attempt_at = now
        if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING):
            charge.status, charge.next_attempt_at = Status.SUCCEEDED, None
            charge.save(update_fields=["status", "next_attempt_at", "attempt_count", "first_attempt_at"])
            return "succeeded"
        decline_code = payment.decline_code or payment.failure_code or "card_declined"
        charge.last_decline_code = decline_code
        retry_at = next_retry_at(
            decline_code=decline_code,
            first_attempt_at=charge.first_attempt_at,
            failed_at=now,
            tries_so_far=charge.attempt_count,
        )
        if asks_the_customer(decline_code):
            charge.status, charge.next_attempt_at = Status.NEEDS_CUSTOMER, None
        elif retry_at is None:
            charge.status, charge.next_attempt_at = Status.EXHAUSTED, None
        else:
            charge.status, charge.next_attempt_at = Status.RETRYING, retry_at
        charge.save(update_fields=["status", "next_attempt_at", "attempt_count", "first_attempt_at", "last_decline_code"])
        # Told once, politely, at the first failure (retries are quiet); a card only the
        # customer can fix gets the "update your card" note instead.
        if asks_the_customer(decline_code):
            template = "automatic_charge_update_card"
        else:
            template = "automatic_charge_failed" if part is None else "plan_part_failed"
        _tell(charge, invoice, part, template, payment=payment)
        return "failed"


def _plan_part(charge: AutomaticCharge):
    """The plan part the charge pays (with its plan), or None for a whole-invoice charge."""
    if charge.plan_part_id is None:
        return None
    from paydesk.terms.models import PlanPart

    return PlanPart.objects.select_related("plan__business", "plan__saved_method").get(pk=charge.plan_part_id)


def _tell(charge: AutomaticCharge, invoice: Invoice, part, template: str, payment=None):
    dedupe_key = f"{template}:{charge.public_id}"
    if part is None:
        return message_queue(invoice=invoice, template=template, dedupe_key=dedupe_key, payment=payment)
    from paydesk.terms.messages import plan_message

    return plan_message(part.plan, invoice, template, dedupe_key=dedupe_key, part=part, payment=payment)


def _notify_upcoming(charge: AutomaticCharge) -> bool:
    """The customer hears 3 days before their card is charged (once)."""
    invoice = Invoice.objects.select_related("business", "customer").prefetch_related("lines").get(pk=charge.invoice_id)
    if invoice.status != InvoiceStatus.OPEN:
        return False
    part = _plan_part(charge)
    if part is not None and (part.plan.status not in ("active", "past_due") or part.amount_remaining == 0):
        return False
    template = "automatic_charge_upcoming" if part is None else "plan_part_upcoming"
    with transaction.atomic():
        return _tell(charge, invoice, part, template) is not None


def automatic_charges_sweep(*, business=None, livemode: bool | None = None) -> int:
    """Send upcoming-charge notices and make every try that is due; answers how many tries.

    With a business, its rows in that mode at the current clock (the caller sets the
    business's time); without, every business and mode at its own time.
    """
    charges = AutomaticCharge.objects.filter(status__in=(Status.SCHEDULED, Status.RETRYING))
    if business is not None:
        return _sweep(charges.filter(business=business, livemode=bool(livemode)))
    tried = 0
    pairs = charges.values_list("business_id", "livemode").distinct()
    from paydesk.businesses.models import Business

    for business_id, mode in pairs:
        owner = Business.objects.get(pk=business_id)
        with clock.business_time(owner, livemode=mode):
            tried += _sweep(charges.filter(business_id=business_id, livemode=mode))
    return tried


def _sweep(charges) -> int:
    now = clock.now()
    # Only charges still ahead: a charge due now is made now, and its receipt says so.
    for charge in charges.filter(
        status=Status.SCHEDULED, next_attempt_at__gt=now, next_attempt_at__lte=now + UPCOMING_NOTICE
    ).select_related("invoice"):
        _notify_upcoming(charge)
    tried = 0
    for charge_id in charges.filter(next_attempt_at__lte=now).values_list("pk", flat=True):
        if _try(charge_id) != "not_due":
            tried += 1
    return tried


def retry_effect(*, business, livemode: bool) -> list[dict]:
    """What smart retries recovered, by the reason of the first decline: how many automatic
    charges were retried, how many of those were paid in the end, and the amount recovered."""
    from collections import defaultdict

    from django.db.models import Sum

    rows: dict[str, dict] = defaultdict(lambda: {"retried": 0, "recovered": 0, "amounts": defaultdict(int)})
    charges = AutomaticCharge.objects.filter(business=business, livemode=livemode, attempt_count__gt=1)
    for charge in charges.prefetch_related("attempts"):
        attempts = sorted(charge.attempts.all(), key=lambda payment: payment.pk)
        first_reason = next((payment.decline_code or payment.failure_code for payment in attempts if payment.status == "failed"), "")
        row = rows[first_reason or "unknown"]
        row["retried"] += 1
        if charge.status == Status.SUCCEEDED:
            row["recovered"] += 1
            paid = charge.attempts.filter(status="succeeded").aggregate(total=Sum("amount"))["total"] or 0
            row["amounts"][charge.invoice.currency] += paid
    return [
        {"decline_code": reason, "retried": row["retried"], "recovered": row["recovered"], "amounts": dict(row["amounts"])}
        for reason, row in sorted(rows.items())
    ]
