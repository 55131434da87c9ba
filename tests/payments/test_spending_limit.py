"""A customer's monthly spending limit on automatic charges: a charge that would pass it is
not made but held, with an event and one email; the customer confirms it on the invoice page
and it is made at once. Charges within the limit, payments by hand and last month's charges
are not held."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.customers.services import customer_preferences_set
from paydesk.events.models import Event
from paydesk.invoicing.services import NewLine
from paydesk.ledger.checks import ledger_check
from paydesk.messaging.models import Message
from paydesk.messaging.notifications import message_bodies
from paydesk.payments.automatic_charges import (
    automatic_charge_confirm,
    automatic_charge_create,
    automatic_charges_sweep,
    automatic_spending,
)
from paydesk.payments.models import AutomaticCharge, Payment
from paydesk.payments.services import payment_create
from tests.conftest import card, make_invoice

UTC = datetime.timezone.utc
MAY_3 = datetime.datetime(2026, 5, 3, 12, 0, tzinfo=UTC)
MAY_20 = datetime.datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
JUNE_2 = datetime.datetime(2026, 6, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def saved_card(business, customer, open_invoice):
    """A Visa ending 4242 the customer saved by paying another invoice with it (as
    tests/terms/conftest.py's fixture of the same name)."""
    payment = payment_create(invoice=open_invoice, card=card(), save_card=True)
    payment.saved_method.refresh_from_db()
    return payment.saved_method


def set_limit(customer, limit_minor):
    customer_preferences_set(
        customers=[customer],
        locale="en",
        channels={},
        notify_every_charge=False,
        monthly_spending_limit=limit_minor,
        non_essential_opt_out=False,
    )
    customer.refresh_from_db()


def invoice_of(business, customer, amount_minor):
    return make_invoice(business, customer, lines=[NewLine("Boiler service", 1, amount_minor)])


def charge_now(business, invoice, saved_card) -> AutomaticCharge:
    """An automatic charge of the invoice, due now, and the sweep that makes its try."""
    charge = automatic_charge_create(invoice=invoice, saved_method=saved_card)
    AutomaticCharge.objects.filter(pk=charge.pk).update(next_attempt_at=clock.now())
    assert automatic_charges_sweep(business=business, livemode=False) == 1
    charge.refresh_from_db()
    return charge


def test_a_charge_that_would_pass_the_limit_is_held_and_the_customer_asked_once(business, customer, saved_card):
    # given a monthly limit of 250.00 and an invoice of 300.00 to be charged automatically
    set_limit(customer, 25000)
    invoice = invoice_of(business, customer, 30000)

    # when its charge comes due
    charge = charge_now(business, invoice, saved_card)

    # then nothing is charged: the charge waits for the customer
    assert (charge.status, charge.last_decline_code, charge.attempt_count, charge.next_attempt_at) == (
        "needs_customer", "spending_limit", 0, None,
    )
    assert not Payment.objects.filter(invoice=invoice).exists()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("open", 0)
    # an event says so, with the charge as the API shows it
    held = Event.objects.get(type="automatic_charge.held")
    assert (held.data["id"], held.data["status"], held.data["last_decline_code"]) == (
        charge.public_id, "needs_customer", "spending_limit",
    )
    # and the customer gets one email with the amount, the limit and where to confirm
    message = Message.objects.get(template="automatic_charge_held")
    assert (message.to, message.channel) == ("ada@example.test", "email")
    assert message.subject == f"Please confirm the charge of $300.00 for invoice {invoice.number}"
    text, html = message_bodies(message)
    assert (
        f"We did not charge $300.00 to your Visa •••• 4242 for invoice {invoice.number}: it would pass your "
        "monthly limit of $250.00 on automatic charges. Nothing has been charged."
    ) in text
    assert f"http://127.0.0.1:8000/i/{invoice.hosted_token}" in text and "$250.00" in html
    # a later sweep neither charges nor writes again
    automatic_charges_sweep(business=business, livemode=False)
    assert Message.objects.filter(template="automatic_charge_held").count() == 1
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_the_customer_confirms_a_held_charge_on_the_invoice_page_and_it_is_made(business, customer, saved_card):
    set_limit(customer, 25000)
    invoice = invoice_of(business, customer, 30000)
    charge = charge_now(business, invoice, saved_card)
    client = Client()
    page_url = reverse("hosted-invoice", kwargs={"token": invoice.hosted_token})
    confirm_url = reverse("hosted-invoice-confirm-charge", kwargs={"token": invoice.hosted_token, "charge_id": charge.public_id})

    # with the invoice link alone (a forwarded bill), the charge cannot be confirmed
    page = client.get(page_url).content.decode()
    assert "A charge of $300.00 was held" in page and "Confirm and charge" not in page
    assert "Email me a link to confirm" in page
    assert client.post(confirm_url)["Location"] == page_url
    assert not Payment.objects.filter(invoice=invoice).exists()

    # signed in to the portal, the invoice page says why the charge waits and offers to make it
    from paydesk.portal.access import portal_session_create

    _, portal_url = portal_session_create(customer=customer)
    client.get(portal_url.split("127.0.0.1:8000", 1)[-1])
    page = client.get(page_url).content.decode()
    assert "A charge of $300.00 was held because it would pass your monthly limit of $250.00." in page
    assert "Confirm and charge $300.00 to Visa •••• 4242" in page
    assert f'action="{confirm_url}"' in page

    # when the customer confirms
    response = client.post(confirm_url)

    # then the card is charged at once, past the limit, and the receipt is shown
    payment = Payment.objects.get(invoice=invoice)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "receipt", kwargs={"token": invoice.hosted_token, "payment_id": payment.public_id}
    ) + "?new=1"
    charge.refresh_from_db()
    invoice.refresh_from_db()
    assert (payment.status, payment.amount, payment.automatic_charge_id) == ("succeeded", 30000, charge.pk)
    assert (charge.status, charge.attempt_count, invoice.status) == ("succeeded", 1, "paid")
    assert Event.objects.filter(type="automatic_charge.confirmed", data__id=charge.public_id).count() == 1
    # a second click (or a retried request) charges nothing more and shows the same receipt
    again = client.post(confirm_url)
    assert again["Location"] == response["Location"]
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert "was held because" not in client.get(page_url).content.decode()
    assert ledger_check()["balanced"]


def test_a_confirmed_charge_that_is_declined_is_retried_without_asking_again(business, customer, saved_card):
    from paydesk.providers.sandbox.models import SandboxCard

    set_limit(customer, 25000)
    invoice = invoice_of(business, customer, 30000)
    charge = charge_now(business, invoice, saved_card)
    SandboxCard.objects.filter(token=saved_card.provider_token).update(decline_code="insufficient_funds")

    charge = automatic_charge_confirm(charge)

    assert (charge.status, charge.last_decline_code, charge.attempt_count) == ("retrying", "insufficient_funds", 1)
    # the retry comes, the card has money again, and the limit does not hold it back
    SandboxCard.objects.filter(token=saved_card.provider_token).update(decline_code="")
    AutomaticCharge.objects.filter(pk=charge.pk).update(next_attempt_at=clock.now())
    automatic_charges_sweep(business=business, livemode=False)
    charge.refresh_from_db()
    assert (charge.status, charge.attempt_count) == ("succeeded", 2)
    assert Event.objects.filter(type="automatic_charge.held").count() == 1


def test_only_a_charge_held_for_the_limit_can_be_confirmed(business, customer, saved_card):
    invoice = invoice_of(business, customer, 30000)
    charge = automatic_charge_create(invoice=invoice, saved_method=saved_card)

    with pytest.raises(PaydeskError) as refused:
        automatic_charge_confirm(charge)

    assert refused.value.code == "automatic_charge_not_held"
    charge.refresh_from_db()
    assert (charge.status, charge.attempt_count) == ("scheduled", 0)
    assert not Event.objects.filter(type="automatic_charge.confirmed").exists()
    # the page refuses quietly too: back to the invoice, nothing charged
    response = Client().post(
        reverse("hosted-invoice-confirm-charge", kwargs={"token": invoice.hosted_token, "charge_id": charge.public_id})
    )
    assert response["Location"] == reverse("hosted-invoice", kwargs={"token": invoice.hosted_token})
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_another_invoices_charge_cannot_be_confirmed_through_this_invoices_page(business, customer, saved_card):
    set_limit(customer, 25000)
    held_invoice = invoice_of(business, customer, 30000)
    charge = charge_now(business, held_invoice, saved_card)
    other_invoice = invoice_of(business, customer, 1000)

    response = Client().post(
        reverse("hosted-invoice-confirm-charge", kwargs={"token": other_invoice.hosted_token, "charge_id": charge.public_id})
    )

    assert response.status_code == 404
    charge.refresh_from_db()
    assert charge.status == "needs_customer"


def test_a_charge_within_the_limit_is_made(business, customer, saved_card):
    set_limit(customer, 50000)
    invoice = invoice_of(business, customer, 30000)

    charge = charge_now(business, invoice, saved_card)

    assert (charge.status, charge.attempt_count) == ("succeeded", 1)
    assert Payment.objects.get(invoice=invoice).status == "succeeded"
    assert not Event.objects.filter(type="automatic_charge.held").exists()
    assert not Message.objects.filter(template="automatic_charge_held").exists()


def test_a_charge_exactly_at_the_limit_is_made(business, customer, saved_card):
    set_limit(customer, 30000)
    charge = charge_now(business, invoice_of(business, customer, 30000), saved_card)
    assert charge.status == "succeeded"


def test_the_limit_counts_this_months_automatic_charges_only(business, customer, saved_card):
    # given a limit of 150.00 a month
    set_limit(customer, 15000)
    with clock.frozen_at(MAY_3):
        # an automatic charge of 100.00 early in May is within it
        first = charge_now(business, invoice_of(business, customer, 10000), saved_card)
        # and a payment the customer makes by hand does not count against it
        payment_create(invoice=invoice_of(business, customer, 20000), card=card())
        assert automatic_spending(customer=customer, currency="usd", now=clock.now()) == 10000
    assert first.status == "succeeded"

    # when a second charge of 100.00 comes later in May, it would pass the limit: held
    with clock.frozen_at(MAY_20):
        second = charge_now(business, invoice_of(business, customer, 10000), saved_card)
    assert (second.status, second.last_decline_code) == ("needs_customer", "spending_limit")

    # in June the month starts afresh: the same amount is made
    with clock.frozen_at(JUNE_2):
        third = charge_now(business, invoice_of(business, customer, 10000), saved_card)
        assert automatic_spending(customer=customer, currency="usd", now=clock.now()) == 10000
    assert third.status == "succeeded"


def test_the_month_is_the_businesss_calendar_month(business, customer, saved_card):
    # given a business in Vladivostok (UTC+10): 20:00 UTC on May 31 is already June 1 there
    business.time_zone = "Asia/Vladivostok"
    business.save(update_fields=["time_zone"])
    set_limit(customer, 15000)
    with clock.frozen_at(datetime.datetime(2026, 5, 31, 12, 0, tzinfo=UTC)):  # 22:00 on May 31 there
        assert charge_now(business, invoice_of(business, customer, 10000), saved_card).status == "succeeded"

    with clock.frozen_at(datetime.datetime(2026, 5, 31, 20, 0, tzinfo=UTC)):  # 06:00 on June 1 there
        charge = charge_now(business, invoice_of(business, customer, 10000), saved_card)

    assert charge.status == "succeeded"


def test_a_plan_part_over_the_limit_is_held_and_the_email_names_the_part(business, customer, saved_card):
    from paydesk.jobs import advance_test_clock
    from paydesk.terms.services import plan_create

    # given a plan of two weekly parts of 150.00 charged automatically, and a limit of 100.00
    set_limit(customer, 10000)
    plan = plan_create(invoice=invoice_of(business, customer, 30000), parts=2, interval="week", auto_charge=True, saved_method=saved_card)

    # when the first part's charge comes due
    advance_test_clock(business=business, seconds=86400)

    # then it is held, and the customer is asked to confirm it
    charge = AutomaticCharge.objects.get(plan_part=plan.parts.first())
    assert (charge.status, charge.last_decline_code) == ("needs_customer", "spending_limit")
    assert not Payment.objects.filter(automatic_charge=charge).exists()
    message = Message.objects.get(template="automatic_charge_held")
    assert message.context["held"]["amount"] == "$150.00" and message.context["part"]["position"] == 1
    assert "would pass your monthly limit of $100.00" in message_bodies(message)[0]

    # and confirming it pays the part
    charge = automatic_charge_confirm(charge)
    plan.refresh_from_db()
    assert charge.status == "succeeded"
    assert [part.amount_paid for part in plan.parts.all()] == [15000, 0]
    assert ledger_check()["problems"] == []


def test_a_charge_in_another_currency_than_the_limit_is_held_too(business, customer, saved_card):
    # given a limit of 1,000.00 set in the business's dollars, and a small invoice in euros
    customer_preferences_set(
        customers=[customer], locale="en", channels={}, notify_every_charge=False,
        monthly_spending_limit=100000, non_essential_opt_out=False, spending_limit_currency="usd",
    )
    invoice = make_invoice(business, customer, lines=[NewLine("Spare part", 1, 1000)], currency="eur")

    # when it falls due, it cannot be weighed against the limit: it waits for the customer
    charge = charge_now(business, invoice, saved_card)
    assert (charge.status, charge.last_decline_code) == ("needs_customer", "spending_limit")
    assert not Payment.objects.filter(invoice=invoice).exists()
