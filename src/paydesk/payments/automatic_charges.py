"""Automatic charges: an invoice charged to the customer's saved card on its due date, with
smart retries by decline reason (``retry_schedule``) and a polite word to the customer.

The sweep finds due charges in the database (rule 5). Each try happens under the invoice's
row lock and is an ordinary payment; the charge's row records where the retries stand.

A customer may set a monthly spending limit on automatic charges (portal → preferences). A
try that would take this month's automatic charges past it is not made: the charge is held
(``needs_customer``, decline code ``spending_limit``) until the customer confirms it on the
invoice page (``automatic_charge_confirm``); a confirmed charge is never held again.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Sum

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
# The decline code of a charge held because it would pass the customer's monthly limit.
SPENDING_LIMIT = "spending_limit"
HELD_EVENT = "automatic_charge.held"
CONFIRMED_EVENT = "automatic_charge.confirmed"
# What counts against the limit: money an automatic charge took, or is taking.
_SPENT_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING)


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


def _try(charge_id: int, *, limit_confirmed: bool = False) -> str:
    """One try of a due charge, under the invoice's lock. Answers what happened ("held" when
    it would pass the customer's monthly limit and was not made). ``limit_confirmed``: the
    customer confirmed this charge, so their limit does not hold it."""
    with transaction.atomic():
        # The invoice's lock first, then the charge's (the order every plan and invoice
        # service takes); what the part still owes is read under it, so a payment made a
        # moment ago is never charged again.
        invoice_id = AutomaticCharge.objects.filter(pk=charge_id).values_list("invoice_id", flat=True).first()
        if invoice_id is None:
            return "not_due"
        invoice = invoice_lock(invoice_id)
        charge = AutomaticCharge.objects.select_for_update(of=("self",)).select_related("saved_method").get(pk=charge_id)
        now = clock.now()
        if charge.status not in (Status.SCHEDULED, Status.RETRYING) or not charge.next_attempt_at or charge.next_attempt_at > now:
            return "not_due"
        part = _plan_part(charge)
        if part is not None and part.plan.status == "paused":
            return "not_due"  # held until staff resume the plan
        amount = None if part is None else part.amount_remaining
        plan_ended = part is not None and part.plan.status not in ("active", "past_due")
        if invoice.status != InvoiceStatus.OPEN or invoice.amount_remaining <= 0 or amount == 0 or plan_ended:
            charge.status, charge.next_attempt_at = Status.CANCELED, None
            charge.save(update_fields=["status", "next_attempt_at"])
            return "canceled"
        if invoice.customer.monthly_spending_limit is not None and not limit_confirmed and not _confirmed(charge):
            held = _hold_over_limit(charge, invoice.pk, part, now)
            if held:
                return "held"
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


def month_bounds(business, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The calendar month around ``now`` in the business's time zone: [its start, the next's)."""
    from paydesk.messaging.reminder_rules import business_zone

    local = now.astimezone(business_zone(business))
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following


def automatic_spending(*, customer, currency: str, now: datetime.datetime) -> int:
    """What automatic charges took (or are taking) from the customer in the calendar month of
    ``now``, in minor units of ``currency``: the sum the monthly limit is held against."""
    start, following = month_bounds(customer.business, now)
    total = Payment.objects.filter(
        customer=customer,
        automatic_charge__isnull=False,
        currency=currency,
        status__in=_SPENT_STATUSES,
        created__gte=start,
        created__lt=following,
    ).aggregate(total=Sum("amount"))["total"]
    return total or 0


def automatic_charge_amount(charge: AutomaticCharge, invoice: Invoice | None = None) -> int:
    """What the charge's next try would take: the part's rest, or the invoice's."""
    part = _plan_part(charge)
    if part is not None:
        return part.amount_remaining
    invoice = invoice or charge.invoice
    return invoice.amount_remaining


def _confirmed(charge: AutomaticCharge) -> bool:
    """True once the customer confirmed this charge past their limit (its retries too)."""
    from paydesk.events.models import Event

    return Event.objects.filter(
        business_id=charge.business_id, livemode=charge.livemode, type=CONFIRMED_EVENT, data__id=charge.public_id
    ).exists()


def _hold_over_limit(charge: AutomaticCharge, invoice_id: int, part, now: datetime.datetime) -> bool:
    """Hold the charge (not made; the customer is asked to confirm it) when it would take this
    month's automatic charges past the customer's limit; answers whether it did.

    The invoice and then the customer row are locked (the order reminders lock them in), so
    two charges of one customer racing in one month cannot both slip under the limit.
    """
    from paydesk.customers.models import Customer

    invoice = invoice_lock(invoice_id)
    customer = Customer.objects.select_for_update(of=("self",)).select_related("business").get(pk=invoice.customer_id)
    limit = customer.monthly_spending_limit
    if limit is None:
        return False
    amount = automatic_charge_amount(charge, invoice)
    spent = automatic_spending(customer=customer, currency=invoice.currency, now=now)
    limit_currency = customer.monthly_spending_limit_currency or invoice.currency
    if limit_currency == invoice.currency and spent + amount <= limit:
        return False
    charge.status, charge.next_attempt_at, charge.last_decline_code = Status.NEEDS_CUSTOMER, None, SPENDING_LIMIT
    charge.save(update_fields=["status", "next_attempt_at", "last_decline_code"])
    from paydesk.api.objects import automatic_charge_object
    from paydesk.events.services import event_record

    event_record(business=invoice.business, livemode=invoice.livemode, type=HELD_EVENT, data=automatic_charge_object(charge))
    method = charge.saved_method

    def held(locale: str) -> dict:
        from paydesk.core.formatting import money_text

        return {
            "held": {
                "amount": money_text(amount, invoice.currency, locale),
                "limit": money_text(limit, limit_currency, locale),
                "spent": money_text(spent, invoice.currency, locale),
                "card": f"{method.card_brand.title()} •••• {method.card_last4}",
            }
        }

    _tell(charge, invoice, part, "automatic_charge_held", extra=held)
    return True


def automatic_charge_confirm(charge: AutomaticCharge) -> AutomaticCharge:
    """The customer confirms a charge held for their monthly limit: the try is made at once,
    the limit set aside for this charge (and any retries of it). Answers the charge as the
    try left it (succeeded, retrying, needs_customer...).

    Safe to repeat: a charge already made is answered as it is. Refuses a charge that is not
    held for the limit.
    """
    with transaction.atomic():
        invoice_lock(charge.invoice_id)  # the invoice first, as _try and the plan services take it
        locked = (
            AutomaticCharge.objects.select_for_update(of=("self",))
            .select_related("invoice", "saved_method")
            .get(pk=charge.pk)
        )
        if locked.status == Status.SUCCEEDED:  # confirmed twice (a double click): made once
            return locked
        if locked.status != Status.NEEDS_CUSTOMER or locked.last_decline_code != SPENDING_LIMIT:
            raise PaydeskError(
                "automatic_charge_not_held",
                "This charge is not waiting for the customer's confirmation.",
                param="automatic_charge",
                http_status=409,
            )
        locked.status, locked.next_attempt_at = Status.SCHEDULED, clock.now()
        locked.save(update_fields=["status", "next_attempt_at"])
        from paydesk.api.objects import automatic_charge_object
        from paydesk.events.services import event_record

        event_record(
            business=locked.invoice.business, livemode=locked.livemode, type=CONFIRMED_EVENT,
            data=automatic_charge_object(locked),
        )
        _try(locked.pk, limit_confirmed=True)
    locked.refresh_from_db()
    return locked


def _plan_part(charge: AutomaticCharge):
    """The plan part the charge pays (with its plan), or None for a whole-invoice charge."""
    if charge.plan_part_id is None:
        return None
    from paydesk.terms.models import PlanPart

    return PlanPart.objects.select_related("plan__business", "plan__saved_method").get(pk=charge.plan_part_id)


def _tell(charge: AutomaticCharge, invoice: Invoice, part, template: str, payment=None, extra=None):
    """Tell the customer about the charge, once per template (a plan part's message carries
    its plan and part). ``extra``: more of the snapshot, a function of the locale."""
    dedupe_key = f"{template}:{charge.public_id}"
    if part is None:
        return message_queue(invoice=invoice, template=template, dedupe_key=dedupe_key, payment=payment, extra=extra)
    from paydesk.terms.messages import plan_context, plan_message

    if extra is None:
        return plan_message(part.plan, invoice, template, dedupe_key=dedupe_key, part=part, payment=payment)
    plan_extra = plan_context(part.plan, part)
    return message_queue(
        invoice=invoice, template=template, dedupe_key=dedupe_key, payment=payment,
        extra=lambda locale: {**plan_extra(locale), **extra(locale)},
    )


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
