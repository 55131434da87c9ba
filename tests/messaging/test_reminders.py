"""Payment reminders: each step on its day through the test clock, the stop rules checked at
send time, one reminder per step per invoice ever, quiet hours in the customer's zone, SMS
with a fallback to email, and delivery through a real SMTP server on loopback."""

from __future__ import annotations

import datetime
import io
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from django.db import IntegrityError, connection, transaction
from django.utils.translation.template import templatize

import paydesk
from paydesk.businesses.models import Business
from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.core.formatting import date_text
from paydesk.customers.models import Customer
from paydesk.customers.services import customer_create
from paydesk.events.models import Event
from paydesk.invoicing.models import Invoice
from paydesk.invoicing.services import NewLine, invoice_create, invoice_finalize, invoice_void
from paydesk.messaging import reminder_rules
from paydesk.messaging.delivery import messages_deliver_due
from paydesk.messaging.models import Message, ReminderPolicy, ReminderSent, ReminderStep
from paydesk.messaging.notifications import _context
from paydesk.messaging.reminder_effect import reminder_effect
from paydesk.messaging.reminder_pauses import (
    customer_reminder_preferences_set,
    customer_reminders_pause,
    invoice_reminders_pause,
)
from paydesk.messaging.reminder_policy import StepChange, due_step, reminder_policy_for, reminder_policy_update
from paydesk.messaging.reminder_preview import sample_context
from paydesk.messaging.reminder_rules import ReminderOutcome, hour_is_quiet
from paydesk.messaging.reminders import reminder_candidates, reminder_send, reminders_sweep
from paydesk.payments.services import payment_create

from ..conftest import card

UTC = datetime.timezone.utc
# Noon on the wall clock, so no test meets quiet hours by the hour it happens to run at.
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
GOOD_CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
REMINDER_TEMPLATES = ("reminder_before_due", "reminder_due", "reminder_overdue")


@pytest.fixture(autouse=True)
def wall_clock_at_noon():
    with clock.frozen_at(NOON):
        yield


# ---- helpers ----


def advance(api, *, days: int = 0, hours: int = 0) -> dict:
    answer = api.post("/test_helpers/advance_clock", {"days": days, "hours": hours})
    assert answer.status_code == 200, answer.content
    return answer.json()


def business_today(business) -> datetime.date:
    business.refresh_from_db()
    with clock.business_time(business, livemode=False):
        return clock.today()


def open_invoice_over_api(api, business, *, customer_id: str, due_in_days: int) -> str:
    due_date = business_today(business) + datetime.timedelta(days=due_in_days)
    draft = api.post(
        "/invoices",
        {
            "customer": customer_id,
            "currency": "usd",
            "due_date": due_date.isoformat(),
            "lines": [
                {"description": "Call-out", "quantity": 1, "unit_amount": 10000, "tax_rate_percent": "20"},
                {"description": "Washer", "quantity": 4, "unit_amount": 250},
            ],
        },
    ).json()
    assert api.post(f"/invoices/{draft['id']}/finalize").json()["status"] == "open"
    return draft["id"]


def reminder_rows(api, invoice_id: str) -> list[tuple[str, str, str]]:
    """(template, channel, status) of the invoice's reminders, oldest first, from the API."""
    listed = api.get("/messages", invoice=invoice_id, limit=100).json()["data"]
    return [
        (message["template"], message["channel"], message["status"])
        for message in reversed(listed)
        if message["template"].startswith("reminder_")
    ]


def mail_to(inbox, address: str) -> list:
    """What reached the SMTP server for ``address`` (staff get their own digests meanwhile)."""
    return [message for message in inbox.messages if message["To"] == address]


def new_customer(business, **fields):
    defaults = {"name": "Ada Lovelace", "email": "ada@example.test"}
    return customer_create(business=business, livemode=False, **{**defaults, **fields})


def invoice_due(business, customer, due_date: datetime.date):
    draft = invoice_create(
        business=business, livemode=False, customer=customer, currency="usd",
        lines=[NewLine("Call-out", 1, 10000, Decimal("20"))], due_date=due_date,
    )
    return invoice_finalize(invoice=draft)


def sweep(business) -> int:
    business.refresh_from_db()
    return reminders_sweep(business=business, livemode=False)


def policy_steps(business):
    policy = reminder_policy_for(business=business)
    return policy, list(policy.steps.all())


def step_at(business, offset_days: int) -> ReminderStep:
    return ReminderStep.objects.get(policy__business=business, offset_days=offset_days)


def use_steps(business, *changes: tuple[int, str]) -> None:
    """Keep only the steps given as (offset days, channel); switch the others off."""
    policy, steps = policy_steps(business)
    wanted = dict(changes)
    edits = [
        StepChange(step.pk, step.offset_days, wanted.get(step.offset_days, "email"), step.offset_days in wanted) for step in steps
    ]
    reminder_policy_update(
        business=business, livemode=False, enabled=True, quiet_start_hour=policy.quiet_start_hour,
        quiet_end_hour=policy.quiet_end_hour, time_zone=business.time_zone, steps=edits,
    )


# ---- the done-when scenario, through the API and a real SMTP server ----


def test_an_invoice_due_in_five_days_gets_each_step_on_its_day_by_email(api, business, smtp_inbox):
    # given an invoice due in five days
    ada = api.post("/customers", {"name": "Ada Lovelace", "email": "ada@example.test"}).json()
    invoice_id = open_invoice_over_api(api, business, customer_id=ada["id"], due_in_days=5)
    # when one day passes, nothing is due yet (the first step is 3 days before)
    assert advance(api, days=1)["work_done"]["reminders"] == 0
    assert reminder_rows(api, invoice_id) == []
    # then two days in, the "upcoming" reminder goes out and reaches the SMTP server
    assert advance(api, days=1)["work_done"]["reminders"] == 1
    assert reminder_rows(api, invoice_id) == [("reminder_before_due", "email", "sent")]
    # and the day before the due date brings nothing
    assert advance(api, days=2)["work_done"]["reminders"] == 0
    # the due date brings the "due" reminder, and 3, 7 and 14 days after, one overdue each
    assert advance(api, days=1)["work_done"]["reminders"] == 1
    assert advance(api, days=3)["work_done"]["reminders"] == 1
    assert advance(api, days=4)["work_done"]["reminders"] == 1
    assert advance(api, days=6)["work_done"]["reminders"] == 0
    assert advance(api, days=1)["work_done"]["reminders"] == 1
    # and after the last step nothing more, however long it stays unpaid
    assert advance(api, days=30)["work_done"]["reminders"] == 0
    assert reminder_rows(api, invoice_id) == [
        ("reminder_before_due", "email", "sent"),
        ("reminder_due", "email", "sent"),
        ("reminder_overdue", "email", "sent"),
        ("reminder_overdue", "email", "sent"),
        ("reminder_overdue", "email", "sent"),
    ]
    number = api.get(f"/invoices/{invoice_id}").json()["number"]
    subjects = [message["Subject"].strip() for message in mail_to(smtp_inbox, "ada@example.test")]
    due_text = date_text(datetime.date(2026, 3, 7), "en")
    assert subjects == [
        f"Reminder: invoice {number} from Riverside Plumbing is due on {due_text}",
        f"Invoice {number} from Riverside Plumbing is due today",
        *[f"Invoice {number} from Riverside Plumbing was due on {due_text}"] * 3,
    ]
    # each step is recorded once, against its own step
    offsets = sorted(ReminderSent.objects.filter(invoice__public_id=invoice_id).values_list("offset_days", flat=True))
    assert offsets == [-3, 0, 3, 7, 14]


def test_a_reminder_says_what_is_owed_why_by_when_and_how_to_pay_or_get_help(api, business, smtp_inbox):
    ada = api.post("/customers", {"name": "Ada Lovelace", "email": "ada@example.test"}).json()
    invoice_id = open_invoice_over_api(api, business, customer_id=ada["id"], due_in_days=3)
    invoice = api.get(f"/invoices/{invoice_id}").json()

    advance(api, hours=1)

    (received,) = mail_to(smtp_inbox, "ada@example.test")
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "Hello Ada Lovelace," in text
    assert "- Call-out: $100.00" in text and "- Washer × 4: $10.00" in text  # why
    assert "Amount due: $130.00" in text  # what
    assert f"Due date: {date_text(datetime.date(2026, 3, 5), 'en')}" in text  # by when
    assert f"Pay $130.00 now: {invoice['hosted_url']}" in text  # one tap
    assert "Can't pay it all at once? Reply to this email and we'll find a plan or a later date that works." in text
    assert "Questions? Just reply to this email or write to owner@riverside.test." in text  # help
    assert f'href="{invoice["hosted_url"]}"' in html
    assert received["Reply-To"] == "owner@riverside.test"


def test_a_russian_customer_is_reminded_in_russian(api, business, smtp_inbox):
    anna = api.post("/customers", {"name": "Анна", "email": "anna@example.test", "preferred_locales": ["ru"]}).json()
    invoice_id = open_invoice_over_api(api, business, customer_id=anna["id"], due_in_days=5)
    number = api.get(f"/invoices/{invoice_id}").json()["number"]

    advance(api, days=2)
    advance(api, days=3)

    received = mail_to(smtp_inbox, "anna@example.test")
    subjects = [message["Subject"].strip() for message in received]
    assert subjects == [
        f"Напоминание: срок оплаты счёта {number} от «Riverside Plumbing» — 7 марта 2026 г.",
        f"Сегодня срок оплаты счёта {number} от «Riverside Plumbing»",
    ]
    text = received[1].get_body(preferencelist=("plain",)).get_content()
    assert "Здравствуйте, Анна!" in text
    assert "К оплате: 130,00\xa0$" in text
    assert "Не получается оплатить всё сразу? Ответьте на это письмо" in text
    assert Message.objects.filter(template="reminder_due").get().locale == "ru"


def test_paying_stops_every_later_step(api, business, smtp_inbox):
    ada = api.post("/customers", {"name": "Ada Lovelace", "email": "ada@example.test"}).json()
    invoice_id = open_invoice_over_api(api, business, customer_id=ada["id"], due_in_days=5)
    advance(api, days=2)
    advance(api, days=3)
    # when the customer pays on the due date
    paid = api.post("/payments", {"invoice": invoice_id, "payment_method": {"type": "card", "card": GOOD_CARD}})
    assert paid.json()["status"] == "succeeded"
    # then no later step is ever sent
    for days in (3, 4, 7, 30):
        assert advance(api, days=days)["work_done"]["reminders"] == 0
    assert reminder_rows(api, invoice_id) == [("reminder_before_due", "email", "sent"), ("reminder_due", "email", "sent")]
    assert sorted(message["Subject"].split()[0] for message in mail_to(smtp_inbox, "ada@example.test")) == [
        "Invoice", "Receipt", "Reminder:"
    ]


@pytest.mark.parametrize(
    "stop",
    ["customer_paused", "customer_opted_out", "invoice_paused", "invoice_voided"],
)
def test_a_stopped_invoice_gets_no_reminder_at_all(api, business, stop):
    ada = new_customer(business)
    invoice_id = open_invoice_over_api(api, business, customer_id=ada.public_id, due_in_days=5)
    invoice = Invoice.objects.get(public_id=invoice_id)
    if stop == "customer_paused":
        customer_reminders_pause(customer=ada, paused=True)
    elif stop == "customer_opted_out":
        customer_reminder_preferences_set(customer=ada, time_zone="", non_essential_opt_out=True)
    elif stop == "invoice_paused":
        invoice_reminders_pause(invoice=invoice, paused=True)
    else:
        invoice_void(invoice=invoice)

    sent = [advance(api, days=days)["work_done"]["reminders"] for days in (2, 3, 3, 4, 7)]

    assert sent == [0, 0, 0, 0, 0]
    assert reminder_rows(api, invoice_id) == []
    assert ReminderSent.objects.count() == 0


def test_resuming_sends_only_the_step_due_now_not_the_ones_missed(api, business):
    ada = new_customer(business)
    invoice_id = open_invoice_over_api(api, business, customer_id=ada.public_id, due_in_days=5)
    customer_reminders_pause(customer=ada, paused=True)
    advance(api, days=9)  # 4 days overdue: the "before", "due" and "+3" steps passed while paused

    customer_reminders_pause(customer=ada, paused=False)

    assert advance(api, hours=1)["work_done"]["reminders"] == 1
    assert reminder_rows(api, invoice_id) == [("reminder_overdue", "email", "stored")]
    assert list(ReminderSent.objects.values_list("offset_days", flat=True)) == [3]
    assert Event.objects.filter(type__in=["customer.reminders_paused", "customer.reminders_resumed"]).count() == 2


# ---- the stop rules hold at send time, not only when the candidates were found ----


def _make_paid(invoice):
    payment_create(invoice=invoice, card=card())


def _schedule_automatic_charge(invoice, status="scheduled"):
    from paydesk.payments.models import AutomaticCharge, SavedPaymentMethod

    method = SavedPaymentMethod.objects.create(
        business=invoice.business, customer=invoice.customer, provider="sandbox", provider_token="tok_test",
        card_brand="visa", card_last4="4242", card_exp_month=12, card_exp_year=2030, active=True, created=clock.now(),
    )
    return AutomaticCharge.objects.create(
        business=invoice.business, invoice=invoice, saved_method=method, status=status,
        next_attempt_at=clock.now(), created=clock.now(),
    )


def _stop_by_hook(name):
    def stop(invoice, monkeypatch):
        monkeypatch.setattr(reminder_rules, name, lambda invoice: True)

    return stop


SEND_TIME_STOPS = [
    ("paid", lambda invoice, monkeypatch: _make_paid(invoice), ReminderOutcome.INVOICE_NOT_OPEN),
    ("voided", lambda invoice, monkeypatch: invoice_void(invoice=invoice), ReminderOutcome.INVOICE_NOT_OPEN),
    (
        "invoice paused",
        lambda invoice, monkeypatch: invoice_reminders_pause(invoice=invoice, paused=True),
        ReminderOutcome.INVOICE_PAUSED,
    ),
    (
        "customer paused",
        lambda invoice, monkeypatch: customer_reminders_pause(customer=invoice.customer, paused=True),
        ReminderOutcome.CUSTOMER_PAUSED,
    ),
    (
        "customer opted out",
        lambda invoice, monkeypatch: customer_reminder_preferences_set(
            customer=invoice.customer, time_zone="", non_essential_opt_out=True
        ),
        ReminderOutcome.CUSTOMER_OPTED_OUT,
    ),
    (
        "charged automatically",
        lambda invoice, monkeypatch: _schedule_automatic_charge(invoice),
        ReminderOutcome.CHARGED_AUTOMATICALLY,
    ),
    ("on a payment plan", _stop_by_hook("invoice_on_active_payment_plan"), ReminderOutcome.ON_PAYMENT_PLAN),
    ("disputed", _stop_by_hook("invoice_disputed"), ReminderOutcome.DISPUTED),
    ("open support request", _stop_by_hook("invoice_has_open_support_request"), ReminderOutcome.OPEN_SUPPORT_REQUEST),
]


@pytest.mark.parametrize(("name", "change", "outcome"), SEND_TIME_STOPS, ids=[row[0] for row in SEND_TIME_STOPS])
def test_every_stop_rule_is_checked_again_at_send_time(business, monkeypatch, name, change, outcome):
    # given an invoice found as a candidate for its "3 days before" step
    invoice = invoice_due(business, new_customer(business), clock.today() + datetime.timedelta(days=3))
    policy, steps = policy_steps(business)
    found = reminder_candidates(business=business, livemode=False, policy=policy, steps=steps, now=clock.now())
    assert found == [(invoice.pk, step_at(business, -3).pk)]
    # when something stops it before the send
    change(invoice, monkeypatch)
    # then the send refuses, names the rule, and records nothing
    assert reminder_send(invoice_id=invoice.pk, step=step_at(business, -3), steps=steps, policy=policy) == outcome
    assert ReminderSent.objects.count() == 0
    assert not Message.objects.filter(template__startswith="reminder_").exists()


def test_an_automatic_charge_replaces_reminders_until_it_needs_the_customer(business):
    invoice = invoice_due(business, new_customer(business), clock.today())
    charge = _schedule_automatic_charge(invoice)

    assert sweep(business) == 0
    charge.status = "retrying"
    charge.save()
    assert sweep(business) == 0
    charge.status = "needs_customer"  # an expired card: only the customer can fix it now
    charge.save()
    assert sweep(business) == 1


def test_the_candidate_query_already_leaves_out_what_the_stop_rules_stop(business):
    # given one invoice due today for each rule the database can answer, and one plain one
    today = clock.today()
    plain = invoice_due(business, new_customer(business), today)
    invoice_reminders_pause(invoice=invoice_due(business, new_customer(business), today), paused=True)
    customer_reminders_pause(customer=invoice_due(business, new_customer(business), today).customer, paused=True)
    opted_out = invoice_due(business, new_customer(business), today).customer
    customer_reminder_preferences_set(customer=opted_out, time_zone="", non_essential_opt_out=True)
    payment_create(invoice=invoice_due(business, new_customer(business), today), card=card())
    invoice_void(invoice=invoice_due(business, new_customer(business), today))
    _schedule_automatic_charge(invoice_due(business, new_customer(business), today))
    policy, steps = policy_steps(business)

    found = reminder_candidates(business=business, livemode=False, policy=policy, steps=steps, now=clock.now())

    assert found == [(plain.pk, step_at(business, 0).pk)]


def test_the_hooks_for_later_domains_answer_no_today(open_invoice):
    assert reminder_rules.invoice_on_active_payment_plan(open_invoice) is False
    assert reminder_rules.invoice_disputed(open_invoice) is False
    assert reminder_rules.invoice_has_open_support_request(open_invoice) is False


# ---- once per step per invoice, ever ----


def test_sweeping_twice_sends_nothing_twice(business):
    invoice = invoice_due(business, new_customer(business), clock.today())

    assert sweep(business) == 1
    assert sweep(business) == 0

    assert ReminderSent.objects.filter(invoice=invoice).count() == 1
    assert Message.objects.filter(invoice=invoice, template="reminder_due").count() == 1
    assert Event.objects.filter(type="invoice.reminder_sent").count() == 1


def test_the_database_refuses_a_second_row_for_the_same_step(business):
    invoice = invoice_due(business, new_customer(business), clock.today())
    sweep(business)
    first = ReminderSent.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(
            business=business, livemode=False, invoice=invoice, step=first.step, offset_days=0,
            template="reminder_due", created=clock.now(),
        )


def test_no_step_is_sent_after_a_later_one_even_when_found_before_it(business):
    # given an invoice found as a candidate for its due-date step
    invoice = invoice_due(business, new_customer(business), clock.today())
    policy, steps = policy_steps(business)
    assert reminder_candidates(business=business, livemode=False, policy=policy, steps=steps, now=clock.now())
    # when, before it is sent, a later step is recorded (a step edited onto another day)
    ReminderSent.objects.create(
        business=business, livemode=False, invoice=invoice, step=step_at(business, 3), offset_days=3,
        template="reminder_overdue", created=clock.now(),
    )
    # then the earlier step is not sent after it
    outcome = reminder_send(invoice_id=invoice.pk, step=step_at(business, 0), steps=steps, policy=policy)
    assert outcome == ReminderOutcome.ALREADY_SENT
    assert not Message.objects.exists()


def test_an_invoice_made_long_overdue_gets_only_the_latest_step(business):
    # given an invoice made already 20 days overdue
    invoice = invoice_due(business, new_customer(business), clock.today() - datetime.timedelta(days=20))
    # when the sweep runs, again and again
    assert sweep(business) == 1
    assert sweep(business) == 0
    # then only the 14-days-after step went out: no burst of the four it missed
    assert list(ReminderSent.objects.filter(invoice=invoice).values_list("offset_days", "template")) == [(14, "reminder_overdue")]


def test_a_step_moved_later_is_not_sent_again_nor_an_earlier_one_after_a_later(business):
    invoice = invoice_due(business, new_customer(business), clock.today() - datetime.timedelta(days=8))
    assert sweep(business) == 1  # the 7-days-after step
    policy, steps = policy_steps(business)
    # staff move the 7-day step to 10 days: the invoice's latest due step is now the 3-day one
    edits = [StepChange(step.pk, 10 if step.offset_days == 7 else step.offset_days, "email", True) for step in steps]
    reminder_policy_update(
        business=business, livemode=False, enabled=True, quiet_start_hour=21, quiet_end_hour=8, time_zone="UTC", steps=edits
    )

    assert sweep(business) == 0
    assert ReminderSent.objects.filter(invoice=invoice).count() == 1


@pytest.mark.django_db(transaction=True)
def test_workers_sweeping_at_once_send_each_step_once(created_business):
    business = created_business.business
    invoices = [invoice_due(business, new_customer(business), clock.today()) for _ in range(3)]
    barrier = threading.Barrier(4)
    outcomes: list[object] = []

    def worker():
        try:
            barrier.wait(timeout=30)
            outcomes.append(reminders_sweep(business=Business.objects.get(pk=business.pk), livemode=False))
        except Exception as error:  # noqa: BLE001 (asserted on below)
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(count, int) for count in outcomes), outcomes
    assert sum(outcomes) == 3
    assert ReminderSent.objects.count() == 3
    assert Message.objects.filter(template="reminder_due").count() == 3
    assert {message.invoice_id for message in Message.objects.all()} == {invoice.pk for invoice in invoices}


# ---- the sweep is set-based ----


def test_finding_candidates_is_one_query_however_many_invoices(business, django_assert_num_queries):
    customer = new_customer(business)
    for days in range(-20, 10):
        invoice_due(business, customer, clock.today() + datetime.timedelta(days=days))
    policy, steps = policy_steps(business)

    with django_assert_num_queries(1):
        found = reminder_candidates(business=business, livemode=False, policy=policy, steps=steps, now=clock.now())

    # due dates from 20 days ago to 3 days ahead are due a step; later ones are not
    assert len(found) == 24


def test_a_sweep_with_nothing_due_costs_the_same_for_many_invoices(business, django_assert_max_num_queries):
    customer = new_customer(business)
    for _ in range(25):
        invoice_due(business, customer, clock.today())
    sweep(business)
    business.refresh_from_db()

    # the policy, its steps and the one candidate query
    with django_assert_max_num_queries(3):
        assert reminders_sweep(business=business, livemode=False) == 0


def test_the_sweep_without_a_business_visits_each_business_at_its_own_time(api, business, other_api):
    # given two businesses, one whose test clock runs five days ahead
    near = invoice_due(business, new_customer(business), clock.today() + datetime.timedelta(days=5))
    other = Business.objects.exclude(pk=business.pk).get()
    far = invoice_due(other, new_customer(other), clock.today() + datetime.timedelta(days=5))
    Business.objects.filter(pk=business.pk).update(test_clock_offset_seconds=5 * 86400)
    # when the worker's sweep runs on the wall clock
    assert reminders_sweep() == 1
    # then only the business whose clock reached the due date was reminded
    assert list(ReminderSent.objects.values_list("invoice_id", "template")) == [(near.pk, "reminder_due")]
    assert not ReminderSent.objects.filter(invoice=far).exists()


# ---- quiet hours and time zones ----


def test_quiet_hours_wrap_past_midnight():
    assert [hour for hour in range(24) if hour_is_quiet(hour, start_hour=21, end_hour=8)] == [0, 1, 2, 3, 4, 5, 6, 7, 21, 22, 23]
    assert [hour for hour in range(24) if hour_is_quiet(hour, start_hour=1, end_hour=3)] == [1, 2]
    assert not any(hour_is_quiet(hour, start_hour=5, end_hour=5) for hour in range(24))


def test_a_step_due_at_23_00_in_the_customers_zone_waits_until_08_00(business):
    # Cape Verde is an hour behind UTC all year: the step's day begins there at 23:00.
    islander = new_customer(business, email="joao@example.test")
    customer_reminder_preferences_set(customer=islander, time_zone="Atlantic/Cape_Verde", non_essential_opt_out=False)
    step_day = datetime.date(2026, 3, 10)
    invoice = invoice_due(business, islander, step_day + datetime.timedelta(days=3))

    def sweep_at(hour, minute=0):
        with clock.frozen_at(datetime.datetime.combine(step_day, datetime.time(hour, minute), tzinfo=UTC)):
            return sweep(business)

    assert sweep_at(0, 0) == 0  # 23:00 the evening before, in Cape Verde
    assert sweep_at(8, 59) == 0  # 07:59 there
    assert sweep_at(9, 0) == 1  # 08:00 there
    assert ReminderSent.objects.get(invoice=invoice).created == datetime.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_quiet_hours_follow_each_customers_zone(business):
    tokyo = new_customer(business, email="yuki@example.test")
    customer_reminder_preferences_set(customer=tokyo, time_zone="Asia/Tokyo", non_essential_opt_out=False)
    local = new_customer(business, email="local@example.test")  # no zone: the business's (UTC)
    step_day = datetime.date(2026, 3, 10)
    for customer in (tokyo, local):
        invoice_due(business, customer, step_day)

    with clock.frozen_at(datetime.datetime(2026, 3, 10, 0, 30, tzinfo=UTC)):  # 09:30 in Tokyo, 00:30 in UTC
        assert sweep(business) == 1
    with clock.frozen_at(datetime.datetime(2026, 3, 10, 8, 0, tzinfo=UTC)):
        assert sweep(business) == 1

    assert list(ReminderSent.objects.order_by("id").values_list("invoice__customer__email", flat=True)) == [
        "yuki@example.test", "local@example.test"
    ]


def test_the_candidate_query_already_leaves_out_customers_in_quiet_hours(business):
    awake = new_customer(business, email="yuki@example.test")
    customer_reminder_preferences_set(customer=awake, time_zone="Asia/Tokyo", non_essential_opt_out=False)
    asleep = new_customer(business, email="local@example.test")
    invoices = {customer.email: invoice_due(business, customer, datetime.date(2026, 3, 10)) for customer in (awake, asleep)}
    policy, steps = policy_steps(business)

    found = reminder_candidates(
        business=business, livemode=False, policy=policy, steps=steps, now=datetime.datetime(2026, 3, 10, 0, 30, tzinfo=UTC)
    )

    assert [invoice_id for invoice_id, _step in found] == [invoices["yuki@example.test"].pk]


def test_a_zone_the_database_cannot_judge_is_still_kept_quiet_at_send_time(business):
    # a zone name the tz database does not know falls back to the business's zone (UTC)
    odd = new_customer(business)
    Customer.objects.filter(pk=odd.pk).update(time_zone="Atlantis/Lost_City")
    invoice_due(business, odd, datetime.date(2026, 3, 10))

    with clock.frozen_at(datetime.datetime(2026, 3, 10, 0, 30, tzinfo=UTC)):
        assert sweep(business) == 0
    with clock.frozen_at(datetime.datetime(2026, 3, 10, 8, 0, tzinfo=UTC)):
        assert sweep(business) == 1


def test_a_steps_day_is_the_businesss_calendar_day(business):
    Business.objects.filter(pk=business.pk).update(time_zone="America/New_York")
    policy, steps = policy_steps(business)
    reminder_policy_update(
        business=business, livemode=False, enabled=True, quiet_start_hour=0, quiet_end_hour=0,
        time_zone="America/New_York", steps=[StepChange(step.pk, step.offset_days, "email", True) for step in steps],
    )
    invoice_due(business, new_customer(business), datetime.date(2026, 3, 10))

    with clock.frozen_at(datetime.datetime(2026, 3, 10, 3, 0, tzinfo=UTC)):  # still the 9th in New York
        assert sweep(business) == 1
    assert ReminderSent.objects.get().offset_days == -3  # not yet the due-date step
    with clock.frozen_at(datetime.datetime(2026, 3, 10, 5, 0, tzinfo=UTC)):  # the 10th in New York
        assert sweep(business) == 1
    assert sorted(ReminderSent.objects.values_list("offset_days", flat=True)) == [-3, 0]


# ---- SMS, with email as the fallback ----


def test_an_sms_step_texts_a_customer_with_a_phone_through_the_sandbox(api, business, settings):
    settings.EMAIL_URL = ""
    use_steps(business, (-3, "sms"), (0, "email"))
    grace = new_customer(business, name="Grace", email="grace@example.test", phone="+1 555 0100")
    invoice = invoice_due(business, grace, clock.today() + datetime.timedelta(days=3))

    assert sweep(business) == 1

    text_message = Message.objects.get(template="reminder_before_due")
    assert (text_message.channel, text_message.status, text_message.to) == ("sms", "stored", "•••• 0100")
    assert "555" not in text_message.to and "+1" not in text_message.to  # the number stays encrypted on the customer
    assert text_message.body_text == (
        f"Riverside Plumbing: invoice {invoice.number}, $120.00, is due on March 5, 2026. "
        f"Pay: http://127.0.0.1:8000/i/{invoice.hosted_token}"
    )
    assert len(text_message.body_text) < 160
    assert reminder_rows(api, invoice.public_id) == [("reminder_before_due", "sms", "stored")]
    # the SMTP worker leaves texts alone
    messages_deliver_due()
    text_message.refresh_from_db()
    assert text_message.status == "stored" and text_message.attempt_count == 1


def test_an_sms_step_falls_back_to_email_without_a_phone(api, business):
    use_steps(business, (-3, "sms"))
    invoice = invoice_due(business, new_customer(business), clock.today() + datetime.timedelta(days=3))

    assert sweep(business) == 1

    assert reminder_rows(api, invoice.public_id) == [("reminder_before_due", "email", "queued")]
    assert ReminderSent.objects.get().channel == "email"


def test_a_customer_with_no_address_spends_the_step_without_a_message(business):
    invoice = invoice_due(business, new_customer(business, email=""), clock.today())

    assert sweep(business) == 0
    assert sweep(business) == 0

    reminder = ReminderSent.objects.get(invoice=invoice)
    assert (reminder.message, reminder.channel) == (None, "")
    assert not Message.objects.exists()


def test_plain_texts_keep_an_ampersand_as_typed(business):
    Business.objects.filter(pk=business.pk).update(name="Smith & Sons")
    use_steps(business, (-3, "sms"), (0, "email"))
    invoice = invoice_due(business, new_customer(business, phone="+1 555 0100"), clock.today() + datetime.timedelta(days=3))
    sweep(business)
    Invoice.objects.filter(pk=invoice.pk).update(due_date=clock.today())
    sweep(business)

    text_message, email = Message.objects.order_by("id")
    assert text_message.body_text.startswith("Smith & Sons: invoice")
    assert email.subject == f"Invoice {invoice.number} from Smith & Sons is due today"


def test_a_russian_sms_is_in_russian(business):
    use_steps(business, (0, "sms"))
    anna = new_customer(business, name="Анна", phone="+7 900 000 0000", preferred_locales=["ru"])
    invoice = invoice_due(business, anna, clock.today())

    sweep(business)

    expected = f"Riverside Plumbing: сегодня последний день оплаты счёта {invoice.number} на 120,00"
    assert Message.objects.get().body_text.startswith(expected)


# ---- the policy ----


def test_a_new_policy_has_the_friendly_defaults(business):
    policy, steps = policy_steps(business)

    assert (policy.enabled, policy.quiet_start_hour, policy.quiet_end_hour) == (True, 21, 8)
    assert [(step.offset_days, step.channel, step.enabled, step.template) for step in steps] == [
        (-3, "email", True, "reminder_before_due"),
        (0, "email", True, "reminder_due"),
        (3, "email", True, "reminder_overdue"),
        (7, "email", True, "reminder_overdue"),
        (14, "email", True, "reminder_overdue"),
    ]
    assert reminder_policy_for(business=business).pk == policy.pk
    assert ReminderPolicy.objects.count() == 1


def test_the_latest_due_step_is_chosen():
    steps = [ReminderStep(pk=index, offset_days=offset) for index, offset in enumerate((-3, 0, 3, 7, 14))]
    due = datetime.date(2026, 3, 10)

    def chosen(today):
        step = due_step(steps, due_date=due, today=today)
        return step.offset_days if step else None

    days = (6, 7, 9, 10, 12, 13, 17, 24, 31)
    assert [chosen(datetime.date(2026, 3, day)) for day in days] == [None, -3, -3, 0, 0, 3, 7, 14, 14]
    assert due_step(steps, due_date=None, today=due) is None


def test_steps_can_swap_days_and_be_added_in_one_edit(business):
    policy, steps = policy_steps(business)
    by_offset = {step.offset_days: step for step in steps}
    edits = [
        StepChange(by_offset[3].pk, 7, "sms", True),
        StepChange(by_offset[7].pk, 3, "email", False),
        StepChange(None, 30, "email", True),
    ]

    reminder_policy_update(
        business=business, livemode=False, enabled=True, quiet_start_hour=22, quiet_end_hour=7,
        time_zone="Europe/Moscow", steps=edits,
    )

    rows = list(ReminderStep.objects.filter(policy=policy).values_list("pk", "offset_days", "channel", "enabled"))
    assert sorted(rows, key=lambda row: row[1]) == [
        (by_offset[-3].pk, -3, "email", True),
        (by_offset[0].pk, 0, "email", True),
        (by_offset[7].pk, 3, "email", False),
        (by_offset[3].pk, 7, "sms", True),
        (by_offset[14].pk, 14, "email", True),
        (rows[-1][0], 30, "email", True),
    ]
    business.refresh_from_db()
    assert business.time_zone == "Europe/Moscow"
    assert Event.objects.filter(type="reminder_policy.updated").count() == 1


@pytest.mark.parametrize(
    ("changes", "zone", "hours", "code", "param"),
    [
        ([(None, 3)], "UTC", (21, 8), "offset_repeated", "steps[0][offset_days]"),
        ([(None, 91)], "UTC", (21, 8), "offset_out_of_range", "steps[0][offset_days]"),
        ([(None, 1), (None, 1)], "UTC", (21, 8), "offset_repeated", "steps[1][offset_days]"),
        ([], "Mars/Olympus", (21, 8), "time_zone_unknown", "time_zone"),
        ([], "UTC", (24, 8), "parameter_invalid_value", "quiet_start_hour"),
        ([(None, day) for day in range(20, 26)], "UTC", (21, 8), "too_many_steps", "steps"),
    ],
)
def test_a_bad_policy_is_refused_and_nothing_changes(business, changes, zone, hours, code, param):
    policy_steps(business)
    with pytest.raises(PaydeskError) as refused:
        reminder_policy_update(
            business=business, livemode=False, enabled=True, quiet_start_hour=hours[0], quiet_end_hour=hours[1], time_zone=zone,
            steps=[StepChange(step_id, offset, "email", True) for step_id, offset in changes],
        )
    assert (refused.value.code, refused.value.param) == (code, param)
    assert ReminderStep.objects.count() == 5


def test_another_businesss_step_cannot_be_edited(business, other_api):
    other = Business.objects.exclude(pk=business.pk).get()
    foreign = reminder_policy_for(business=other).steps.first()

    with pytest.raises(PaydeskError) as refused:
        reminder_policy_update(
            business=business, livemode=False, enabled=True, quiet_start_hour=21, quiet_end_hour=8, time_zone="UTC",
            steps=[StepChange(foreign.pk, 5, "email", True)],
        )
    assert refused.value.code == "step_unknown"
    foreign.refresh_from_db()
    assert foreign.offset_days == -3


def test_a_policy_switched_off_sends_nothing(business):
    invoice_due(business, new_customer(business), clock.today())
    policy, steps = policy_steps(business)
    reminder_policy_update(
        business=business, livemode=False, enabled=False, quiet_start_hour=21, quiet_end_hour=8, time_zone="UTC",
        steps=[StepChange(step.pk, step.offset_days, step.channel, True) for step in steps],
    )

    assert sweep(business) == 0


# ---- measured effect ----


def test_the_measured_effect_counts_invoices_paid_within_three_days_and_the_money(api, business):
    quick, slow, never = (new_customer(business, email=f"{name}@example.test") for name in ("quick", "slow", "never"))
    invoices = {customer.email: invoice_due(business, customer, clock.today()) for customer in (quick, slow, never)}
    sweep(business)  # three "due" reminders

    def pay_at_business_time(email):
        business.refresh_from_db()
        with clock.business_time(business, livemode=False):
            payment_create(invoice=invoices[email], card=card())

    advance(api, days=2)
    pay_at_business_time("quick@example.test")  # 2 days after: counts
    advance(api, days=2)
    pay_at_business_time("slow@example.test")  # 4 days after: does not

    effects = {effect.step.offset_days: effect for effect in reminder_effect(business=business, livemode=False)}

    due = effects[0]
    assert (due.sent, due.paid_within_window, due.recovered, due.paid_percent) == (3, 1, {"usd": 12000}, 33)
    # the "+3" step went out (on day 4) to the two still open, and the slow payer paid just after
    overdue = effects[3]
    assert (overdue.sent, overdue.paid_within_window, overdue.recovered) == (2, 1, {"usd": 12000})
    assert (effects[-3].sent, effects[-3].paid_percent) == (0, None)


# ---- templates and translations ----

MESSAGING = Path(paydesk.__file__).parent / "messaging" / "templates" / "messaging"
CATALOGUE = Path(paydesk.__file__).parent / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def test_every_reminder_text_has_a_russian_translation():
    sources = sorted(MESSAGING.glob("email/*reminder*")) + sorted(MESSAGING.glob("sms/reminder_*"))
    assert len(sources) == 14
    catalogue = read_po(CATALOGUE.open("rb"), locale="ru")
    missing = []
    for path in sources:
        python = io.BytesIO(templatize(path.read_text(), origin=str(path)).encode())
        for _line, message, _comments, _message_context in extract("python", python, keywords=DEFAULT_KEYWORDS):
            entry = catalogue.get(message)
            if entry is None or not entry.string or entry.fuzzy:
                missing.append(message)
    assert missing == []


def test_the_preview_sample_has_every_field_a_real_message_has(business, open_invoice):
    _policy, steps = policy_steps(business)
    real = _context(invoice=open_invoice, locale="en")

    sample = sample_context(business=business, step=steps[0], locale="en")

    assert set(sample) == set(real)
    assert set(sample["business"]) == set(real["business"]) and set(sample["lines"][0]) == set(real["lines"][0])
