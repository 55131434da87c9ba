"""Automatic charges with smart retries, driven by the business's test clock over the API."""

from __future__ import annotations

import datetime

import pytest

from paydesk.core import clock
from paydesk.ledger.checks import ledger_check
from paydesk.messaging.models import Message
from paydesk.payments.retry_schedule import next_retry_at

START = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.timezone.utc)


def save_card(api, invoice_id, number):
    """Pay a small part of a first invoice with the card, saving it (the customer's consent)."""
    response = api.post(
        "/payments",
        {
            "invoice": invoice_id,
            "amount": 100,
            "save_payment_method": True,
            "payment_method": {"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}},
        },
    )
    return response


def open_invoice_due_in(api, customer_id, days):
    due = (clock.today() + datetime.timedelta(days=days)).isoformat()
    invoice = api.post(
        "/invoices",
        {"customer": customer_id, "currency": "usd", "due_date": due, "lines": [{"description": "Service", "quantity": 1, "unit_amount": 10000}]},
    ).json()
    return api.post(f"/invoices/{invoice['id']}/finalize").json()


def advance(api, days):
    return api.post("/test_helpers/advance_clock", {"days": days}).json()["work_done"]


@pytest.fixture
def frozen_start():
    with clock.frozen_at(START):
        yield


def test_insufficient_funds_is_retried_on_the_schedule_and_succeeds_once_funded(api, customer, frozen_start):
    # given a saved card that has no money and an invoice set to be charged in 5 days
    first = open_invoice_due_in(api, customer.public_id, 30)
    # (a card with insufficient funds cannot be saved by paying: save a good card, then swap
    # its behaviour at the sandbox to "no money", as when the account runs dry)
    assert save_card(api, first["id"], "4242424242424242").status_code == 200
    method = api.get(f"/customers/{customer.public_id}/payment_methods").json()["data"][0]
    from paydesk.payments.models import SavedPaymentMethod
    from paydesk.providers.sandbox.models import SandboxCard

    SandboxCard.objects.filter(token=SavedPaymentMethod.objects.get(public_id=method["id"]).provider_token).update(
        decline_code="insufficient_funds"
    )
    invoice = open_invoice_due_in(api, customer.public_id, 5)
    charge = api.post(f"/invoices/{invoice['id']}/charge_automatically", {}).json()
    assert charge["status"] == "scheduled" and charge["payment_method"] == method["id"]

    # when the clock reaches 3 days before: the customer hears about the coming charge
    advance(api, 2)
    assert [m["template"] for m in api.get("/messages", invoice=invoice["id"]).json()["data"]] == ["automatic_charge_upcoming"]
    # on the due date the charge is tried and declined for insufficient funds
    advance(api, 3)
    state = api.get(f"/invoices/{invoice['id']}/automatic_charge").json()
    assert (state["status"], state["attempt_count"], state["last_decline_code"]) == ("retrying", 1, "insufficient_funds")
    # the next try waits at least 3 days, for the 1st or the 15th of a month
    due_day = START + datetime.timedelta(days=5)
    expected = next_retry_at(decline_code="insufficient_funds", first_attempt_at=due_day, failed_at=due_day, tries_so_far=1)
    assert expected is not None and expected.day in (1, 15) and expected - due_day >= datetime.timedelta(days=3)
    assert state["next_attempt_at"] == int(expected.timestamp())
    templates = [m["template"] for m in api.get("/messages", invoice=invoice["id"]).json()["data"]]
    assert templates.count("automatic_charge_failed") == 1
    # nothing happens before the retry is due
    days_to_retry = (datetime.datetime.fromtimestamp(state["next_attempt_at"], datetime.timezone.utc) - due_day).days
    advance(api, days_to_retry - 1)
    assert api.get(f"/invoices/{invoice['id']}/automatic_charge").json()["attempt_count"] == 1
    # when the card is funded and the retry comes, the charge succeeds and the invoice is paid
    assert api.post(f"/test_helpers/payment_methods/{method['id']}/fund").json()["funded"] is True
    advance(api, 2)
    state = api.get(f"/invoices/{invoice['id']}/automatic_charge").json()
    assert (state["status"], state["attempt_count"]) == ("succeeded", 2)
    assert [attempt["decline_code"] for attempt in state["attempts"]] == ["insufficient_funds", None]
    assert api.get(f"/invoices/{invoice['id']}").json()["status"] == "paid"
    # the customer was told once about the failure, and got a receipt
    templates = [m["template"] for m in api.get("/messages", invoice=invoice["id"]).json()["data"]]
    assert templates.count("automatic_charge_failed") == 1 and templates.count("receipt") == 1
    assert ledger_check()["balanced"]


def test_an_expired_card_is_not_retried_and_the_customer_is_asked_to_update_it(api, customer, frozen_start):
    first = open_invoice_due_in(api, customer.public_id, 30)
    save_card(api, first["id"], "4242424242424242")
    method_id = api.get(f"/customers/{customer.public_id}/payment_methods").json()["data"][0]["id"]
    from paydesk.payments.models import SavedPaymentMethod
    from paydesk.providers.sandbox.models import SandboxCard

    SandboxCard.objects.filter(token=SavedPaymentMethod.objects.get(public_id=method_id).provider_token).update(
        decline_code="expired_card"
    )
    invoice = open_invoice_due_in(api, customer.public_id, 1)
    api.post(f"/invoices/{invoice['id']}/charge_automatically", {"payment_method": method_id})
    advance(api, 1)
    state = api.get(f"/invoices/{invoice['id']}/automatic_charge").json()
    assert (state["status"], state["attempt_count"], state["next_attempt_at"]) == ("needs_customer", 1, None)
    advance(api, 14)
    assert api.get(f"/invoices/{invoice['id']}/automatic_charge").json()["attempt_count"] == 1
    messages = api.get("/messages", invoice=invoice["id"]).json()["data"]
    assert [m["template"] for m in messages if m["template"].startswith("automatic_charge_")].count("automatic_charge_update_card") == 1
    assert Message.objects.get(template="automatic_charge_update_card").subject.startswith("Please update your card")


def test_generic_declines_retry_on_days_1_3_and_7_then_stop():
    first = START
    tries = [first]
    failed_at = first
    for count in range(1, 10):
        following = next_retry_at(decline_code="generic_decline", first_attempt_at=first, failed_at=failed_at, tries_so_far=count)
        if following is None:
            break
        tries.append(following)
        failed_at = following
    assert [(moment - first).days for moment in tries] == [0, 1, 3, 7]


def test_insufficient_funds_never_retries_past_14_days_or_4_tries():
    first = datetime.datetime(2026, 1, 16, 9, tzinfo=datetime.timezone.utc)
    # 3 days later is the 19th: the next payday is 1 February, 16 days after the first try
    assert next_retry_at(decline_code="insufficient_funds", first_attempt_at=first, failed_at=first, tries_so_far=1) is None
    early = datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.timezone.utc)
    assert next_retry_at(decline_code="insufficient_funds", first_attempt_at=early, failed_at=early, tries_so_far=1).day == 15
    assert next_retry_at(decline_code="insufficient_funds", first_attempt_at=early, failed_at=early, tries_so_far=4) is None


def test_the_retry_effect_counts_what_retries_recovered(api, business, customer, frozen_start):
    from paydesk.payments.automatic_charges import retry_effect

    first = open_invoice_due_in(api, customer.public_id, 30)
    save_card(api, first["id"], "4242424242424242")
    from paydesk.payments.models import SavedPaymentMethod
    from paydesk.providers.sandbox.models import SandboxCard

    method = SavedPaymentMethod.objects.get(customer=customer)
    SandboxCard.objects.filter(token=method.provider_token).update(decline_code="generic_decline")
    invoice = open_invoice_due_in(api, customer.public_id, 1)
    api.post(f"/invoices/{invoice['id']}/charge_automatically", {})
    advance(api, 1)
    SandboxCard.objects.filter(token=method.provider_token).update(decline_code="")
    advance(api, 1)
    assert retry_effect(business=business, livemode=False) == [
        {"decline_code": "generic_decline", "retried": 1, "recovered": 1, "amounts": {"usd": 10000}}
    ]
