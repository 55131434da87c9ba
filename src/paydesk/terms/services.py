"""Every write to payment plans: start one (staff, the API, or a customer within policy),
approve or decline a request, pause, resume, cancel, and choose the card that pays it.

Each write holds the invoice's row lock (``invoicing.services.invoice_lock``), the same lock
payments take, so a plan never changes under a payment being applied to its parts.

While a plan runs, the invoice's due date is its last part's date (so the invoice is not
"overdue" while the customer keeps to the plan); when a part is missed past the grace days
it becomes that part's date, and reminders take over (``terms.autopay``). The date the
invoice had before is kept on the plan.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from paydesk.api.objects import invoice_object, payment_plan_object
from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.core.transitions import check_transition
from paydesk.events.services import event_record
from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.services import invoice_lock

from .enums import LIVE_STATUSES, PLAN_TRANSITIONS, PlanInterval, PlanKind, PlanStatus
from .messages import plan_message
from .models import PaymentPlan, PlanPart, PlanPolicy
from .schedule import ScheduledPart, plan_schedule, schedule_problem

MAX_PARTS = 60
LONGEST_SPAN = datetime.timedelta(days=5 * 366)

_SCHEDULE_REFUSALS = {
    "nothing_owed": "Nothing remains to be paid on this invoice.",
    "installments_invalid": f"A plan has from 1 to {MAX_PARTS} parts.",
    "deposit_invalid": "The deposit must be less than what remains, with at least one part after it.",
    "installments_too_small": "What remains is too small to split into that many parts.",
}


def plan_record(plan: PaymentPlan, type: str) -> None:
    event_record(business=plan.business, livemode=plan.livemode, type=type, data=payment_plan_object(plan), subject=plan)


def _move(plan: PaymentPlan, target: PlanStatus) -> None:
    check_transition("payment_plan", PLAN_TRANSITIONS, plan.status, target)
    plan.status = target.value


def _locked_plan(plan_id: int) -> PaymentPlan:
    return (
        PaymentPlan.objects.select_for_update(of=("self",))
        .select_related("business", "customer", "saved_method")
        .get(pk=plan_id)
    )


def _check_method(method, invoice) -> None:
    if method is not None and (method.customer_id != invoice.customer_id or not method.active or method.removed_at):
        raise PaydeskError("resource_missing", "No such payment method.", param="payment_method", http_status=404)


def _schedule_for(
    invoice, *, parts: int, interval: PlanInterval, start_date: datetime.date, deposit_amount: int
) -> list[ScheduledPart]:
    problem = schedule_problem(amount=invoice.amount_remaining, parts=parts, deposit_amount=deposit_amount)
    if problem:
        param = "deposit_amount" if problem == "deposit_invalid" else "installments"
        raise PaydeskError(problem, _SCHEDULE_REFUSALS[problem], param=param)
    schedule = plan_schedule(
        amount=invoice.amount_remaining, parts=parts, interval=interval, start_date=start_date, deposit_amount=deposit_amount
    )
    if schedule[-1].due_date - clock.today() > LONGEST_SPAN:
        raise PaydeskError("plan_too_long", "A plan may last at most five years.", param="installments")
    return schedule


def plan_create(
    *,
    invoice,
    parts: int,
    interval: PlanInterval | str = PlanInterval.MONTH,
    start_date: datetime.date | None = None,
    deposit_amount: int = 0,
    auto_charge: bool = False,
    saved_method=None,
    requested_by: str = "staff",
    needs_review: bool = False,
) -> PaymentPlan:
    """A plan for what remains of an open invoice: ``parts`` parts, the first on
    ``start_date`` (today when not given) and one each ``interval`` after; one part is
    "pay later", all of it on that date.

    With ``auto_charge`` each part is charged to ``saved_method`` (the customer's default
    card when none is named) when due. A customer asking from the invoice page may agree to
    automatic charges before their card is saved: the card they pay the first part with is
    used. With ``needs_review`` the plan waits for staff (``plan_approve``).

    Refuses: an invoice that is not open, one that already has a plan, a start date in the
    past, a schedule that does not fit (too many parts for what remains, a deposit too
    large), a plan longer than five years, a card of another customer.
    """
    try:
        interval = PlanInterval(interval)
    except ValueError:
        raise PaydeskError("interval_invalid", "The interval is week or month.", param="interval") from None
    if not 1 <= parts <= MAX_PARTS:
        raise PaydeskError("installments_invalid", _SCHEDULE_REFUSALS["installments_invalid"], param="installments")
    with transaction.atomic():
        invoice = invoice_lock(invoice.pk)
        if invoice.status != InvoiceStatus.OPEN or invoice.amount_remaining <= 0:
            raise PaydeskError("invoice_not_open", "Only an open invoice with something owed can have a plan.", param="invoice")
        today = clock.today()
        start_date = start_date or today
        if start_date < today:
            raise PaydeskError("start_date_invalid", "The first part cannot be due in the past.", param="start_date")
        schedule = _schedule_for(invoice, parts=parts, interval=interval, start_date=start_date, deposit_amount=deposit_amount)
        if auto_charge and saved_method is None and requested_by == "staff":
            from paydesk.payments.saved_methods import saved_method_default

            saved_method = saved_method_default(customer=invoice.customer)
            if saved_method is None:
                raise PaydeskError(
                    "payment_method_missing", "The customer has no saved card to charge.", param="auto_charge"
                )
        _check_method(saved_method if auto_charge else None, invoice)
        kind = PlanKind.PAY_LATER if parts == 1 else PlanKind.INSTALLMENTS
        try:
            with transaction.atomic():
                plan = PaymentPlan.objects.create(
                    business=invoice.business,
                    livemode=invoice.livemode,
                    invoice=invoice,
                    customer=invoice.customer,
                    kind=kind.value,
                    status=PlanStatus.REQUESTED.value,
                    interval=interval.value,
                    amount=invoice.amount_remaining,
                    currency=invoice.currency,
                    deposit_amount=deposit_amount,
                    auto_charge=auto_charge,
                    saved_method=saved_method if auto_charge else None,
                    requested_by=requested_by,
                    created=clock.now(),
                )
        except IntegrityError:
            raise PaydeskError(
                "plan_exists", "This invoice already has a payment plan; cancel it first.", param="invoice"
            ) from None
        _write_parts(plan, schedule)
        plan_record(plan, "payment_plan.created")
        if needs_review:
            plan_message(plan, invoice, "payment_plan_requested", dedupe_key=f"payment_plan_requested:{plan.public_id}")
        else:
            _start(plan, invoice)
    return plan


def _write_parts(plan: PaymentPlan, schedule: list[ScheduledPart]) -> None:
    plan.parts.all().delete()
    PlanPart.objects.bulk_create(
        [
            PlanPart(plan=plan, position=position, due_date=part.due_date, amount=part.amount)
            for position, part in enumerate(schedule, start=1)
        ]
    )


def _set_due_date(invoice, due_date: datetime.date) -> None:
    if invoice.due_date != due_date:
        invoice.due_date = due_date
        invoice.save(update_fields=["due_date"])
        event_record(business=invoice.business, livemode=invoice.livemode, type="invoice.updated", data=invoice_object(invoice))


def _start(plan: PaymentPlan, invoice) -> None:
    """Requested → active: the invoice's due date becomes the last part's, a charge of the
    whole invoice waiting for its due date gives way to the plan's, and the customer gets
    the schedule."""
    from paydesk.payments.models import AutomaticCharge

    _move(plan, PlanStatus.ACTIVE)
    plan.started_at = clock.now()
    plan.original_due_date = invoice.due_date
    plan.save(update_fields=["status", "started_at", "original_due_date"])
    parts = list(plan.parts.all())
    _set_due_date(invoice, parts[-1].due_date)
    AutomaticCharge.objects.filter(
        invoice=invoice, plan_part=None, status__in=(AutomaticCharge.Status.SCHEDULED, AutomaticCharge.Status.RETRYING)
    ).update(status=AutomaticCharge.Status.CANCELED, next_attempt_at=None)
    plan_record(plan, "payment_plan.activated")
    plan_message(plan, invoice, "payment_plan_confirmed", dedupe_key=f"payment_plan_confirmed:{plan.public_id}")


def plan_approve(*, plan: PaymentPlan, message: str = "") -> PaymentPlan:
    """Staff say yes to a customer's request. If something was paid meanwhile, the same
    parts and dates share what remains now; a first date already passed moves to today."""
    with transaction.atomic():
        invoice = invoice_lock(plan.invoice_id)
        plan = _locked_plan(plan.pk)
        if plan.status != PlanStatus.REQUESTED:  # only a request is approved (not a paused or past-due plan)
            raise PaydeskError("payment_plan_unexpected_state", f"This payment_plan is {plan.status} and cannot be approved.")
        if invoice.status != InvoiceStatus.OPEN or invoice.amount_remaining <= 0:
            raise PaydeskError("invoice_not_open", "The invoice is no longer open; decline the request instead.")
        parts = list(plan.parts.all())
        if invoice.amount_remaining != plan.amount or parts[0].due_date < clock.today():
            start = max(parts[0].due_date, clock.today())
            deposit = plan.deposit_amount if plan.deposit_amount < invoice.amount_remaining else 0
            schedule = _schedule_for(
                invoice, parts=len(parts), interval=PlanInterval(plan.interval), start_date=start, deposit_amount=deposit
            )
            plan.amount, plan.deposit_amount = invoice.amount_remaining, deposit
            _write_parts(plan, schedule)
        plan.staff_message = message.strip()[:1000]
        plan.save(update_fields=["amount", "deposit_amount", "staff_message"])
        _start(plan, invoice)
    return plan


def plan_decline(*, plan: PaymentPlan, message: str = "") -> PaymentPlan:
    """Staff say no to a customer's request, with a word for the customer; the invoice stays
    as it was."""
    with transaction.atomic():
        invoice = invoice_lock(plan.invoice_id)
        plan = _locked_plan(plan.pk)
        _move(plan, PlanStatus.DECLINED)
        plan.staff_message = message.strip()[:1000]
        plan.ended_at = clock.now()
        plan.save(update_fields=["status", "staff_message", "ended_at"])
        plan_record(plan, "payment_plan.declined")
        plan_message(plan, invoice, "payment_plan_declined", dedupe_key=f"payment_plan_declined:{plan.public_id}")
    return plan


def plan_pause(*, plan: PaymentPlan) -> PaymentPlan:
    """Hold a running plan: no automatic charges and no reminders until it is resumed."""
    with transaction.atomic():
        invoice_lock(plan.invoice_id)
        plan = _locked_plan(plan.pk)
        _move(plan, PlanStatus.PAUSED)
        plan.save(update_fields=["status"])
        plan_record(plan, "payment_plan.paused")
    return plan


def plan_resume(*, plan: PaymentPlan) -> PaymentPlan:
    """Run a paused plan again, due when its last part is; a part still missed makes it past
    due again at the next sweep. Only a paused plan resumes (a past-due one is put back on
    track by the customer catching up, not by staff)."""
    with transaction.atomic():
        invoice = invoice_lock(plan.invoice_id)
        plan = _locked_plan(plan.pk)
        if plan.status != PlanStatus.PAUSED:
            raise PaydeskError("payment_plan_unexpected_state", f"This payment_plan is {plan.status} and cannot be resumed.")
        _move(plan, PlanStatus.ACTIVE)
        plan.save(update_fields=["status"])
        _set_due_date(invoice, list(plan.parts.all())[-1].due_date)
        plan_record(plan, "payment_plan.resumed")
    return plan


def plan_cancel(*, plan: PaymentPlan, tell_customer: bool = True) -> PaymentPlan:
    """End a plan before it is paid: its automatic charges stop and what remains is owed on
    the invoice's current due date, with reminders as usual."""
    with transaction.atomic():
        invoice = invoice_lock(plan.invoice_id)
        plan = _locked_plan(plan.pk)
        _end(plan, PlanStatus.CANCELED)
        plan_record(plan, "payment_plan.canceled")
        if tell_customer and invoice.status == InvoiceStatus.OPEN:
            plan_message(plan, invoice, "payment_plan_canceled", dedupe_key=f"payment_plan_canceled:{plan.public_id}")
    return plan


def _end(plan: PaymentPlan, target: PlanStatus) -> None:
    from paydesk.payments.models import AutomaticCharge

    _move(plan, target)
    plan.ended_at = clock.now()
    plan.save(update_fields=["status", "ended_at"])
    AutomaticCharge.objects.filter(
        plan_part__plan=plan, status__in=(AutomaticCharge.Status.SCHEDULED, AutomaticCharge.Status.RETRYING)
    ).update(status=AutomaticCharge.Status.CANCELED, next_attempt_at=None)


def plans_end_for_invoice(invoice) -> None:
    """The invoice was voided or written off (under its lock): its plan ends with it."""
    for plan in PaymentPlan.objects.filter(invoice=invoice, status__in=[status.value for status in LIVE_STATUSES]):
        plan = _locked_plan(plan.pk)
        _end(plan, PlanStatus.DECLINED if plan.status == PlanStatus.REQUESTED else PlanStatus.CANCELED)
        plan_record(plan, f"payment_plan.{plan.status}")


def plan_set_payment_method(*, plan: PaymentPlan, saved_method) -> PaymentPlan:
    """Charge the plan's parts to this card from now on (``None``: the customer pays each part)."""
    with transaction.atomic():
        invoice = invoice_lock(plan.invoice_id)
        plan = _locked_plan(plan.pk)
        if plan.status not in [status.value for status in LIVE_STATUSES]:
            raise PaydeskError("plan_not_live", "This plan has ended.", param="payment_plan")
        _check_method(saved_method, invoice)
        plan.auto_charge = saved_method is not None
        plan.saved_method = saved_method
        plan.save(update_fields=["auto_charge", "saved_method"])
        _move_pending_charges(plan, saved_method)
        plan_record(plan, "payment_plan.updated")
    return plan


def _move_pending_charges(plan: PaymentPlan, saved_method) -> None:
    """Charges already scheduled for the plan's parts follow the new card (or stop)."""
    from paydesk.payments.models import AutomaticCharge

    pending = AutomaticCharge.objects.filter(
        plan_part__plan=plan, status__in=(AutomaticCharge.Status.SCHEDULED, AutomaticCharge.Status.RETRYING)
    )
    if saved_method is None:
        pending.update(status=AutomaticCharge.Status.CANCELED, next_attempt_at=None)
    else:
        pending.update(saved_method=saved_method)


POLICY_FIELDS = (
    "plans_enabled", "max_installments", "longest_span_days", "smallest_part", "deposit_percent", "minimum_total",
    "require_good_standing", "auto_approve", "pay_later_enabled", "pay_later_max_days", "grace_days",
)


def plan_policy_update(*, business, values: dict) -> PlanPolicy:
    """Keep the business's plan policy as staff set it (the row is made on the first save),
    with a ``plan_policy.updated`` event. The caller has checked each value's range."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise PaydeskError("parameter_unknown", f"Unknown policy settings: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        policy, _ = PlanPolicy.objects.update_or_create(business=business, defaults=values)
        event_record(
            business=business,
            livemode=False,
            type="plan_policy.updated",
            data={"object": "plan_policy", **{name: getattr(policy, name) for name in POLICY_FIELDS}},
        )
    return policy
