"""Saved cards, bank transfers and the test helpers, through the API."""

from __future__ import annotations

import pytest

from paydesk.ledger.checks import ledger_check
from paydesk.ledger.enums import LedgerAccount
from paydesk.ledger.selectors import account_balance
from paydesk.messaging.models import Message
from paydesk.payments.bank_transfers import epc_qr_payload, rf_reference, rf_reference_valid, transfer_details
from paydesk.payments.models import Payment

CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


def card_method(**changes):
    return {"type": "card", "card": {**CARD, **changes}}


@pytest.fixture
def bank_ready(business):
    business.accepts_bank_transfer = True
    business.bank_account_holder = "Riverside Plumbing Ltd"
    business.bank_iban = "DE89370400440532013000"
    business.bank_bic = "COBADEFFXXX"
    business.bank_name = "Commerzbank"
    business.save()
    return business


def test_a_card_saved_with_consent_pays_the_next_invoice_in_one_step(api, business, customer, open_invoice):
    from ..conftest import make_invoice

    # given a first payment with consent to keep the card
    first = api.post("/payments", {"invoice": open_invoice.public_id, "payment_method": card_method(), "save_payment_method": True})
    assert first.status_code == 200, first.json()
    methods = api.get(f"/customers/{customer.public_id}/payment_methods").json()["data"]
    assert [(m["card"]["brand"], m["card"]["last4"], m["is_default"]) for m in methods] == [("visa", "4242", True)]
    saved_id = methods[0]["id"]
    assert saved_id.startswith("pm_")
    # when the next invoice is paid with only the saved card's id
    second_invoice = make_invoice(business, customer)
    second = api.post("/payments", {"invoice": second_invoice.public_id, "payment_method": saved_id})
    # then it succeeds with the same card, and no card number is anywhere in the database
    assert second.status_code == 200, second.json()
    body = second.json()
    assert body["status"] == "succeeded" and body["payment_method"]["card"]["last4"] == "4242"
    assert body["payment_method"]["saved"] == saved_id
    assert ledger_check()["balanced"]


def test_a_declined_card_is_not_kept(api, customer, open_invoice):
    response = api.post(
        "/payments",
        {"invoice": open_invoice.public_id, "payment_method": card_method(number="4000000000000002"), "save_payment_method": True},
    )
    assert response.status_code == 402
    assert api.get(f"/customers/{customer.public_id}/payment_methods").json()["data"] == []


def test_a_saved_card_keeps_its_behaviour_and_can_be_removed(api, business, customer, open_invoice):
    from ..conftest import make_invoice

    api.post("/payments", {"invoice": open_invoice.public_id, "payment_method": card_method(number="4000002500003155"), "save_payment_method": True})
    # a 3-D Secure card is only kept once the payment succeeds
    assert api.get(f"/customers/{customer.public_id}/payment_methods").json()["data"] == []
    pending = Payment.objects.get(invoice=open_invoice)
    api.post(f"/test_helpers/payments/{pending.public_id}/authenticate", {"outcome": "approve"})
    saved = api.get(f"/customers/{customer.public_id}/payment_methods").json()["data"]
    assert len(saved) == 1
    # and charging it again asks for 3-D Secure again, as the real card would
    again = api.post("/payments", {"invoice": make_invoice(business, customer).public_id, "payment_method": saved[0]["id"]})
    assert again.json()["status"] == "requires_action"
    removed = api.delete(f"/customers/{customer.public_id}/payment_methods/{saved[0]['id']}")
    assert removed.json() == {"id": saved[0]["id"], "object": "payment_method", "deleted": True}
    assert api.get(f"/customers/{customer.public_id}/payment_methods").json()["data"] == []
    gone = api.post("/payments", {"invoice": make_invoice(business, customer).public_id, "payment_method": saved[0]["id"]})
    assert gone.status_code == 404 and gone.json()["error"]["param"] == "payment_method"


def test_another_customers_saved_card_cannot_be_used(api, business, customer, open_invoice):
    from paydesk.customers.services import customer_create

    from ..conftest import make_invoice

    api.post("/payments", {"invoice": open_invoice.public_id, "payment_method": card_method(), "save_payment_method": True})
    saved_id = api.get(f"/customers/{customer.public_id}/payment_methods").json()["data"][0]["id"]
    stranger = customer_create(business=business, livemode=False, name="Eve", email="eve@example.test")
    response = api.post("/payments", {"invoice": make_invoice(business, stranger).public_id, "payment_method": saved_id})
    assert response.status_code == 404
    assert not Payment.objects.filter(customer=stranger).exists()


def test_bank_transfer_waits_for_the_money_then_pays_and_sends_a_receipt(api, bank_ready, open_invoice):
    # given the customer chooses bank transfer
    response = api.post("/payments", {"invoice": open_invoice.public_id, "payment_method": {"type": "bank_transfer"}})
    payment = response.json()
    assert payment["status"] == "processing"
    details = payment["bank_transfer"]
    assert details["iban"] == "DE89 3704 0044 0532 0130 00" and details["bic"] == "COBADEFFXXX"
    assert details["account_holder"] == "Riverside Plumbing Ltd" and details["amount"] == 12000
    assert rf_reference_valid(details["reference"])
    # asking again gives the same instruction, and the invoice is not paid yet
    again = api.post("/payments", {"invoice": open_invoice.public_id, "payment_method": {"type": "bank_transfer"}}).json()
    assert again["id"] == payment["id"]
    assert api.get(f"/invoices/{open_invoice.public_id}").json()["amount_paid"] == 0
    # when the money arrives
    arrived = api.post("/test_helpers/bank_transfers", {"reference": details["reference"], "amount": 12000, "currency": "usd"})
    # then the payment succeeds, the invoice is paid, a receipt is queued and the books balance
    assert arrived.status_code == 200, arrived.json()
    assert arrived.json()["status"] == "succeeded"
    assert api.get(f"/invoices/{open_invoice.public_id}").json()["status"] == "paid"
    assert Message.objects.filter(invoice=open_invoice, template="receipt").count() == 1
    assert account_balance(business=bank_ready, account=LedgerAccount.CASH_AT_BANK, currency="usd") == 12000
    assert ledger_check()["balanced"]


def test_a_partial_transfer_counts_and_an_unknown_reference_is_not_found(api, bank_ready, open_invoice):
    details = api.post("/payments", {"invoice": open_invoice.public_id, "payment_method": {"type": "bank_transfer"}}).json()["bank_transfer"]
    partial = api.post("/test_helpers/bank_transfers", {"reference": details["reference"], "amount": 5000, "currency": "usd"})
    assert partial.json()["amount"] == 5000
    invoice = api.get(f"/invoices/{open_invoice.public_id}").json()
    assert (invoice["status"], invoice["amount_remaining"]) == ("open", 7000)
    too_much = api.post("/test_helpers/bank_transfers", {"reference": details["reference"], "amount": 7001, "currency": "usd"})
    assert too_much.status_code == 400 and too_much.json()["error"]["code"] == "amount_too_large"
    unknown = api.post("/test_helpers/bank_transfers", {"reference": rf_reference("NOSUCHREF1"), "amount": 100, "currency": "usd"})
    assert unknown.status_code == 404 and unknown.json()["error"]["param"] == "reference"
    assert ledger_check()["balanced"]


def test_bank_transfer_is_refused_when_the_business_does_not_take_it(api, open_invoice):
    response = api.post("/payments", {"invoice": open_invoice.public_id, "payment_method": {"type": "bank_transfer"}})
    assert response.status_code == 400 and response.json()["error"]["code"] == "payment_method_unavailable"
    assert not Payment.objects.exists()


def test_the_epc_qr_payload_follows_the_girocode_layout(bank_ready, business, customer):
    from paydesk.payments.bank_transfers import bank_transfer_start

    from ..conftest import make_invoice

    invoice = make_invoice(business, customer, currency="eur")
    payment = bank_transfer_start(invoice=invoice)
    payload = epc_qr_payload(transfer_details(payment))
    invoice.refresh_from_db()
    assert payload.split("\n") == [
        "BCD", "002", "1", "SCT", "COBADEFFXXX", "Riverside Plumbing Ltd", "DE89370400440532013000",
        "EUR120.00", "", invoice.transfer_reference, "",
    ]
    usd_invoice = make_invoice(business, customer)
    assert epc_qr_payload(transfer_details(bank_transfer_start(invoice=usd_invoice))) is None


def test_bank_details_are_encrypted_at_rest(bank_ready):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_iban FROM businesses_business WHERE id = %s", [bank_ready.pk])
        stored = cursor.fetchone()[0]
    assert "DE89" not in stored and stored.startswith("gAAAA")


def test_choosing_bank_transfer_emails_the_instructions_once(api, bank_ready, open_invoice):
    from paydesk.messaging.notifications import message_bodies

    for _ in range(2):
        api.post("/payments", {"invoice": open_invoice.public_id, "payment_method": {"type": "bank_transfer"}})
    message = Message.objects.get(invoice=open_invoice, template="payment_processing")
    open_invoice.refresh_from_db()
    text = message_bodies(message)[0]
    assert message.subject == f"How to pay invoice {open_invoice.number} by bank transfer"
    assert "IBAN: DE89 3704 0044 0532 0130 00" in text and f"Reference: {open_invoice.transfer_reference}" in text


@pytest.mark.parametrize(
    ("iban", "bic", "code"),
    [("DE89370400440532013001", "", "iban_invalid"), ("DE89370400440532013000", "NOTABIC", "bic_invalid")],
)
def test_bank_details_are_checked(business, iban, bic, code):
    from paydesk.businesses.services import business_set_bank_details
    from paydesk.core.errors import PaydeskError

    with pytest.raises(PaydeskError) as raised:
        business_set_bank_details(business=business, account_holder="Riverside", iban=iban, bic=bic)
    assert raised.value.code == code


def test_good_bank_details_are_kept_compact(business):
    from paydesk.businesses.services import business_set_bank_details

    business_set_bank_details(business=business, account_holder="Riverside", iban="de89 3704 0044 0532 0130 00", bic="cobadeffxxx")
    business.refresh_from_db()
    assert (business.bank_iban, business.bank_bic, business.accepts_bank_transfer) == ("DE89370400440532013000", "COBADEFFXXX", True)
