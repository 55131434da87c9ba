"""Plans against the payment service: parts are paid oldest first, one payment may pay
several, nothing is overpaid; missed parts make the plan past due and reminders resume;
"pay later" moves the due date; ending the invoice ends its plan."""

from __future__ import annotations

import datetime

import pytest

from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.invoicing.services import invoice_void
from paydesk.jobs import run_due_work, advance_test_clock
from paydesk.ledger.checks import ledger_check
from paydesk.messaging.reminder_rules import ReminderOutcome, candidate_filter, reminder_stop_reason
from paydesk.invoicing.models import Invoice
from paydesk.payments.models import AutomaticCharge
from paydesk.payments.services import payment_create, payment_record_offline
from paydesk.payments.enums import PaymentMethodType
from paydesk.terms.models import PaymentPlan
from paydesk.terms.services import plan_approve, plan_cancel, plan_create, plan_pause, plan_resume

from tests.conftest import card


def parts_paid(plan):
    return [part.amount_paid for part in PaymentPlan.objects.get(pk=plan.pk).parts.all()]


def test_a_payment_pays_the_oldest_open_part_first_and_may_cover_several(invoice_300):
    plan = plan_create(invoice=invoice_300, parts=3)
    payment_create(invoice=invoice_300, card=card(), amount=4000)
    assert parts_paid(plan) == [4000, 0, 0]
    payment_record_offline(invoice=invoice_300, method=PaymentMethodType.CASH, amount=17000)
    assert parts_paid(plan) == [10000, 10000, 1000]
    with pytest.raises(PaydeskError) as refused:
        payment_create(invoice=invoice_300, card=card(), amount=9001)
    assert refused.value.code == "amount_too_large"
    assert parts_paid(plan) == [10000, 10000, 1000]
    payment_create(invoice=invoice_300, card=card())
    plan.refresh_from_db()
    invoice_300.refresh_from_db()
    assert plan.status == "completed" and invoice_300.status == "paid"
    assert ledger_check()["problems"] == []


def test_reminders_rest_while_a_plan_is_kept_and_resume_when_it_is_missed(business, invoice_300, policy):
    plan = plan_create(invoice=invoice_300, parts=3)
    invoice = Invoice.objects.select_related("customer").get(pk=invoice_300.pk)
    assert reminder_stop_reason(invoice) == ReminderOutcome.ON_PAYMENT_PLAN
    assert not Invoice.objects.filter(candidate_filter(), pk=invoice.pk).exists()
    # The first part (due today) is not paid; after the grace days the plan is past due.
    advance_test_clock(business=business, seconds=(policy.grace_days + 1) * 86400)
    plan.refresh_from_db()
    invoice.refresh_from_db()
    assert plan.status == "past_due"
    assert invoice.due_date == plan.parts.first().due_date
    assert reminder_stop_reason(invoice) is None
    assert Invoice.objects.filter(candidate_filter(), pk=invoice.pk).exists()
    # Catching up puts the plan back on track, due when its last part is.
    with clock.business_time(business, livemode=False):
        payment_create(invoice=invoice_300, card=card(), amount=10000)
    plan.refresh_from_db()
    invoice.refresh_from_db()
    assert plan.status == "active" and invoice.due_date == plan.parts.last().due_date
    assert ledger_check()["problems"] == []


def test_a_paused_plan_is_not_charged_until_resumed(business, invoice_300, saved_card):
    plan = plan_create(invoice=invoice_300, parts=2, interval="week", auto_charge=True, saved_method=saved_card)
    plan_pause(plan=plan)
    advance_test_clock(business=business, seconds=86400)
    assert parts_paid(plan) == [0, 0]
    plan_resume(plan=plan)
    with clock.business_time(business, livemode=False):
        run_due_work(business=business)
    assert parts_paid(plan) == [15000, 0]


def test_canceling_stops_the_charges_and_keeps_what_was_paid(business, invoice_300, saved_card):
    plan = plan_create(invoice=invoice_300, parts=2, interval="week", auto_charge=True, saved_method=saved_card)
    advance_test_clock(business=business, seconds=86400)
    assert parts_paid(plan) == [15000, 0]
    advance_test_clock(business=business, seconds=4 * 86400)  # the second charge is scheduled
    plan_cancel(plan=plan)
    assert not AutomaticCharge.objects.filter(plan_part__plan=plan, status="scheduled").exists()
    advance_test_clock(business=business, seconds=5 * 86400)
    invoice_300.refresh_from_db()
    assert invoice_300.amount_paid == 15000 and invoice_300.status == "open"
    assert ledger_check()["problems"] == []


def test_a_plan_replaces_the_invoices_own_automatic_charge(invoice_300, saved_card):
    from paydesk.payments.automatic_charges import automatic_charge_create

    charge = automatic_charge_create(invoice=invoice_300, saved_method=saved_card)
    plan_create(invoice=invoice_300, parts=3)
    charge.refresh_from_db()
    assert charge.status == "canceled"


def test_voiding_the_invoice_ends_its_plan(invoice_300):
    plan = plan_create(invoice=invoice_300, parts=3)
    invoice_void(invoice=invoice_300)
    plan.refresh_from_db()
    assert plan.status == "canceled" and plan.ended_at is not None


def test_approving_a_request_after_a_part_payment_shares_what_remains_now(invoice_300):
    plan = plan_create(invoice=invoice_300, parts=3, requested_by="customer", needs_review=True)
    assert plan.status == "requested"
    payment_create(invoice=invoice_300, card=card(), amount=3001)
    plan_approve(plan=plan, message="Happy to help.")
    plan.refresh_from_db()
    assert plan.status == "active" and plan.amount == 26999 and plan.staff_message == "Happy to help."
    assert [part.amount for part in plan.parts.all()] == [9001, 8999, 8999]
    assert ledger_check()["problems"] == []


def test_a_payment_while_a_request_waits_is_not_spread_over_its_parts(invoice_300):
    plan = plan_create(invoice=invoice_300, parts=3, requested_by="customer", needs_review=True)
    payment_create(invoice=invoice_300, card=card(), amount=5000)
    assert parts_paid(plan) == [0, 0, 0]


def test_pay_later_keeps_reminders_on_the_new_date(invoice_300):
    later = clock.today() + datetime.timedelta(days=30)
    plan = plan_create(invoice=invoice_300, parts=1, start_date=later)
    invoice = Invoice.objects.select_related("customer").get(pk=invoice_300.pk)
    assert plan.kind == "pay_later" and invoice.due_date == later
    assert reminder_stop_reason(invoice) is None


def test_a_manual_plan_sends_a_note_three_days_before_each_part(business, invoice_300):
    from paydesk.messaging.models import Message

    plan_create(invoice=invoice_300, parts=2, interval="week")  # parts today and in 7 days
    notes = Message.objects.filter(invoice=invoice_300, template="plan_part_due_soon")
    advance_test_clock(business=business, seconds=3 * 86400)
    assert notes.count() == 0
    advance_test_clock(business=business, seconds=86400)
    assert notes.count() == 1
    assert notes.get().context["part"]["position"] == 2
    advance_test_clock(business=business, seconds=86400)
    assert notes.count() == 1


def test_pay_later_moves_the_reminder_schedule_with_the_date(business, invoice_300):
    from paydesk.messaging.models import Message

    # Noon on the wall clock, so the reminders never meet quiet hours.
    noon = datetime.datetime.combine(clock.today(), datetime.time(12, 0), tzinfo=datetime.timezone.utc)
    with clock.frozen_at(noon):
        later = invoice_300.due_date + datetime.timedelta(days=20)
        plan_create(invoice=invoice_300, parts=1, start_date=later)
        reminders = Message.objects.filter(invoice=invoice_300, template__startswith="reminder_")
        # The old date was in 14 days, the new one is in 34. Past the old one: nothing.
        advance_test_clock(business=business, seconds=15 * 86400)
        assert not reminders.exists()
        # The new date's steps come on their days: 3 days before, then on the day.
        advance_test_clock(business=business, seconds=16 * 86400)  # 3 days before the new date
        assert list(reminders.values_list("template", flat=True)) == ["reminder_before_due"]
        advance_test_clock(business=business, seconds=3 * 86400)
        assert list(reminders.order_by("id").values_list("template", flat=True)) == ["reminder_before_due", "reminder_due"]


def test_what_customers_may_ask_for_follows_the_policy(business, customer, invoice_300, policy):
    from paydesk.invoicing.services import NewLine, invoice_mark_uncollectible
    from paydesk.terms.enums import PlanKind
    from paydesk.terms.policy import customer_schedule, why_not_offered
    from tests.conftest import make_invoice

    today = clock.today()
    assert why_not_offered(invoice_300, policy, PlanKind.INSTALLMENTS, today) == ""
    policy.minimum_total = 50000
    assert why_not_offered(invoice_300, policy, PlanKind.INSTALLMENTS, today) == "invoice_too_small"
    policy.minimum_total = 0
    policy.deposit_percent = 25
    assert [part.amount for part in customer_schedule(invoice_300, policy, parts=3, interval="month", today=today)] == [
        7500, 11250, 11250,
    ]
    policy.longest_span_days = 45
    assert customer_schedule(invoice_300, policy, parts=3, interval="month", today=today) is None
    assert customer_schedule(invoice_300, policy, parts=3, interval="week", today=today) is not None
    policy.pay_later_enabled = False
    assert why_not_offered(invoice_300, policy, PlanKind.PAY_LATER, today) == "plans_disabled"
    # A customer with a debt written off is not offered a plan.
    old_debt = make_invoice(business, customer, lines=[NewLine("Old job", 1, 5000)])
    invoice_mark_uncollectible(invoice=old_debt)
    assert why_not_offered(invoice_300, policy, PlanKind.INSTALLMENTS, today) == "customer_not_in_good_standing"
    policy.require_good_standing = False
    assert why_not_offered(invoice_300, policy, PlanKind.INSTALLMENTS, today) == ""


def test_resuming_puts_the_due_date_back_and_only_a_paused_plan_resumes(business, invoice_300, policy):
    plan = plan_create(invoice=invoice_300, parts=3)
    advance_test_clock(business=business, seconds=(policy.grace_days + 1) * 86400)
    plan.refresh_from_db()
    assert plan.status == "past_due"
    with pytest.raises(PaydeskError) as refused:
        plan_resume(plan=plan)
    assert refused.value.code == "payment_plan_unexpected_state"
    plan_pause(plan=plan)
    with clock.business_time(business, livemode=False):
        payment_create(invoice=invoice_300, card=card(), amount=10000)  # caught up while paused
        plan_resume(plan=plan)
    plan.refresh_from_db()
    invoice_300.refresh_from_db()
    assert plan.status == "active" and invoice_300.due_date == plan.parts.last().due_date


def test_only_a_request_is_approved(invoice_300):
    plan = plan_create(invoice=invoice_300, parts=3)
    plan_pause(plan=plan)
    payment_create(invoice=invoice_300, card=card(), amount=10000)
    with pytest.raises(PaydeskError) as refused:
        plan_approve(plan=plan)
    assert refused.value.code == "payment_plan_unexpected_state"
    assert parts_paid(plan) == [10000, 0, 0]


def test_a_part_paid_by_hand_before_its_charge_is_not_charged_again(business, invoice_300, saved_card):
    from paydesk.payments.automatic_charges import automatic_charges_sweep
    from paydesk.payments.models import Payment

    plan = plan_create(invoice=invoice_300, parts=2, interval="week", auto_charge=True, saved_method=saved_card)
    with clock.business_time(business, livemode=False):
        from paydesk.terms.autopay import plans_sweep

        plans_sweep(business=business, livemode=False)  # the first part's charge is scheduled
        payment_create(invoice=invoice_300, card=card(), amount=15000)  # and the customer pays it first
        AutomaticCharge.objects.filter(plan_part__plan=plan).update(next_attempt_at=clock.now())
        automatic_charges_sweep(business=business, livemode=False)
    assert Payment.objects.filter(invoice=invoice_300, status="succeeded").count() == 1
    assert AutomaticCharge.objects.get(plan_part__plan=plan).status == "canceled"
    assert parts_paid(plan) == [15000, 0]
