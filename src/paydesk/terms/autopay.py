"""The plans' share of the worker's sweep, for parts falling due:

- a part to be charged automatically gets its automatic charge three days ahead (so the
  customer hears of it then); ``payments.automatic_charges`` makes the tries and retries;
- a part the customer pays themselves gets a note three days ahead, with the link;
- a part unpaid past the policy's grace days makes the plan past due: the invoice's due date
  becomes that part's date and reminders take over until the customer catches up.

Everything is found in the database (rule 5) and each step is idempotent.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F

from paydesk.core import clock
from paydesk.invoicing.services import invoice_lock

from .enums import PartStatus, PlanStatus, RUNNING_STATUSES
from .messages import plan_message
from .models import PaymentPlan, PlanPart
from .selectors import part_status, policy_for

NOTICE_AHEAD = datetime.timedelta(days=3)
# A customer who has just agreed to a plan pays its first part on the page; if they leave
# without paying, it is charged a day later rather than behind their back at once.
CUSTOMER_FIRST_CHARGE_DELAY = datetime.timedelta(days=1)
CHARGE_TIME = datetime.time(9, 0, tzinfo=datetime.timezone.utc)


def charge_moment(part: PlanPart, plan: PaymentPlan) -> datetime.datetime:
    """When an automatic charge of this part is made."""
    moment = datetime.datetime.combine(part.due_date, CHARGE_TIME)
    if plan.started_at is not None:
        delay = CUSTOMER_FIRST_CHARGE_DELAY if plan.requested_by == "customer" else datetime.timedelta(0)
        moment = max(moment, plan.started_at + delay)
    return moment


def plans_sweep(*, business=None, livemode: bool | None = None) -> int:
    """Schedule charges, send notes and mark missed plans; answers how many parts it acted on.

    With a business, its plans in that mode at the current clock (the caller set the
    business's time); without, every business and mode at its own time.
    """
    parts = PlanPart.objects.filter(plan__status__in=[status.value for status in RUNNING_STATUSES], amount_paid__lt=F("amount"))
    if business is not None:
        return _sweep(parts.filter(plan__business=business, plan__livemode=bool(livemode)))
    from paydesk.businesses.models import Business

    acted = 0
    for business_id, mode in parts.values_list("plan__business_id", "plan__livemode").distinct():
        owner = Business.objects.get(pk=business_id)
        with clock.business_time(owner, livemode=mode):
            acted += _sweep(parts.filter(plan__business_id=business_id, plan__livemode=mode))
    return acted


def _sweep(open_parts) -> int:
    today, now = clock.today(), clock.now()
    acted = 0
    soon = open_parts.filter(due_date__lte=today + NOTICE_AHEAD).select_related(
        "plan__business", "plan__saved_method", "plan__invoice"
    )
    for part in soon.order_by("plan_id", "position"):
        plan = part.plan
        if plan.auto_charge and plan.saved_method_id is not None:
            acted += _schedule_charge(part, plan, now)
        elif part.due_date > today:
            # Paid by hand (or automatic charges agreed but no card saved yet): a note.
            acted += _note_part_due_soon(part, plan)
    for plan_id in soon.values_list("plan_id", flat=True).distinct():
        acted += _mark_past_due(plan_id, today)
    return acted


def _schedule_charge(part: PlanPart, plan: PaymentPlan, now: datetime.datetime) -> int:
    from paydesk.payments.models import AutomaticCharge

    moment = charge_moment(part, plan)
    if moment > now + NOTICE_AHEAD:
        return 0
    with transaction.atomic():
        charge, made = AutomaticCharge.objects.get_or_create(
            plan_part=part,
            defaults={
                "business": plan.business,
                "livemode": plan.livemode,
                "invoice": plan.invoice,
                "saved_method": plan.saved_method,
                "status": AutomaticCharge.Status.SCHEDULED,
                "next_attempt_at": moment,
                "created": now,
            },
        )
        if not made and charge.status == AutomaticCharge.Status.CANCELED:
            # Stopped when the customer chose to pay by hand, and now back on a card.
            charge.status, charge.next_attempt_at = AutomaticCharge.Status.SCHEDULED, max(moment, now)
            charge.saved_method = plan.saved_method
            charge.save(update_fields=["status", "next_attempt_at", "saved_method"])
            made = True
    return int(made)


def _note_part_due_soon(part: PlanPart, plan: PaymentPlan) -> int:
    with transaction.atomic():
        invoice = invoice_lock(plan.invoice_id)
        message = plan_message(
            plan, invoice, "plan_part_due_soon", dedupe_key=f"plan_part_due_soon:{plan.public_id}:{part.position}", part=part
        )
    return int(message is not None)


def _mark_past_due(plan_id: int, today: datetime.date) -> int:
    from .services import _locked_plan, _move, _set_due_date, plan_record

    with transaction.atomic():
        plan = PaymentPlan.objects.select_related("business").get(pk=plan_id)
        if plan.status != PlanStatus.ACTIVE:
            return 0
        grace = policy_for(plan.business).grace_days
        missed = next(
            (part for part in plan.parts.all() if part_status(part, plan, today=today, grace_days=grace) == PartStatus.PAST_DUE),
            None,
        )
        if missed is None:
            return 0
        invoice = invoice_lock(plan.invoice_id)
        plan = _locked_plan(plan_id)
        if plan.status != PlanStatus.ACTIVE:
            return 0
        _move(plan, PlanStatus.PAST_DUE)
        plan.save(update_fields=["status"])
        _set_due_date(invoice, missed.due_date)
        plan_record(plan, "payment_plan.past_due")
    return 1
