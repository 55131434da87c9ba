"""The sandbox behaves like a real provider for each test card."""

import pytest

from paydesk.payments.services import payment_complete_action, payment_create
from paydesk.providers.sandbox.cards import card_brand, luhn_valid
from paydesk.providers.sandbox.models import SandboxCharge

from ..conftest import card


@pytest.mark.parametrize(
    ("number", "status", "failure_code", "decline_code"),
    [
        ("4242424242424242", "succeeded", "", ""),
        ("5555555555554444", "succeeded", "", ""),
        ("4000000000000002", "failed", "card_declined", "generic_decline"),
        ("4000000000009995", "failed", "card_declined", "insufficient_funds"),
        ("4000000000000069", "failed", "expired_card", "expired_card"),
        ("4000000000000127", "failed", "incorrect_cvc", "incorrect_cvc"),
        ("4000002500003155", "requires_action", "", ""),
        ("4242424242424241", "failed", "incorrect_number", ""),
    ],
)
def test_each_test_card_behaves_as_documented(open_invoice, number, status, failure_code, decline_code):
    payment = payment_create(invoice=open_invoice, card=card(number))
    assert (payment.status, payment.failure_code, payment.decline_code) == (status, failure_code, decline_code)
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == (open_invoice.total if status == "succeeded" else 0)


def test_no_card_number_is_stored_anywhere(open_invoice):
    from django.db import connection

    payment_create(invoice=open_invoice, card=card("4242424242424242"))
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                assert not any("4242424242424242" in str(value) for value in row), table


def test_three_d_secure_waits_for_the_payer_and_then_settles(open_invoice):
    payment = payment_create(invoice=open_invoice, card=card("4000002500003155"))
    assert payment.status == "requires_action"
    assert "/sandbox/3ds/" in payment.next_action_url
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == 0
    completed = payment_complete_action(payment=payment, approved=True)
    assert completed.status == "succeeded"
    open_invoice.refresh_from_db()
    assert open_invoice.status == "paid"
    # answering again changes nothing
    assert payment_complete_action(payment=payment, approved=False).status == "succeeded"


def test_a_failed_challenge_fails_the_payment(open_invoice):
    payment = payment_create(invoice=open_invoice, card=card("4000002500003155"))
    failed = payment_complete_action(payment=payment, approved=False)
    assert (failed.status, failed.decline_code) == ("failed", "authentication_failed")


def test_a_challenge_answered_after_the_invoice_was_paid_otherwise_is_canceled(open_invoice):
    waiting = payment_create(invoice=open_invoice, card=card("4000002500003155"))
    payment_create(invoice=open_invoice, card=card())
    answered = payment_complete_action(payment=waiting, approved=True)
    assert answered.status == "canceled"
    assert SandboxCharge.objects.get(reference=waiting.provider_reference).status == "requires_action"


def test_the_challenge_page_completes_the_payment(client, open_invoice):
    payment = payment_create(invoice=open_invoice, card=card("4000002500003155"), return_url="https://shop.example/done")
    path = payment.next_action_url.split("127.0.0.1:8000", 1)[-1]
    assert "Approve" in client.get(path).content.decode()
    response = client.post(path, {"outcome": "approve"})
    assert response.status_code == 302
    assert response["Location"] == f"https://shop.example/done?payment={payment.public_id}"
    payment.refresh_from_db()
    assert payment.status == "succeeded"


@pytest.mark.parametrize(
    ("number", "brand"),
    [("4242424242424242", "visa"), ("5555555555554444", "mastercard"), ("378282246310005", "amex"), ("2200000000000004", "mir")],
)
def test_brand_detection(number, brand):
    assert card_brand(number) == brand


def test_luhn():
    assert luhn_valid("4242424242424242")
    assert not luhn_valid("4242424242424243")
    assert not luhn_valid("4242")


def test_cash_recorded_by_staff_pays_the_invoice_and_can_be_refunded(open_invoice):
    from paydesk.ledger.checks import ledger_check
    from paydesk.ledger.enums import LedgerAccount
    from paydesk.ledger.selectors import account_balance
    from paydesk.payments.enums import PaymentMethodType
    from paydesk.payments.refunds import refund_create
    from paydesk.payments.services import payment_record_offline

    payment = payment_record_offline(invoice=open_invoice, method=PaymentMethodType.CASH, note="paid at the door")
    assert (payment.status, payment.method_type, payment.fee_amount) == ("succeeded", "cash", 0)
    refund_create(payment=payment, amount=500)
    business = open_invoice.business
    assert account_balance(business=business, account=LedgerAccount.CASH_ON_HAND, currency="usd") == 12000 - 500
    assert account_balance(business=business, account=LedgerAccount.CASH_AT_PROVIDER, currency="usd") == 0
    assert ledger_check()["balanced"]


def test_a_provider_report_settles_a_waiting_payment_once(open_invoice):
    from paydesk.payments.services import payment_settle_from_provider
    from paydesk.providers.base import ChargeOutcome, ChargeResult

    waiting = payment_create(invoice=open_invoice, card=card("4000002500003155"))
    report = ChargeResult(outcome=ChargeOutcome.SUCCEEDED, provider_reference=waiting.provider_reference)
    settled = payment_settle_from_provider(provider_name="sandbox", provider_reference=waiting.provider_reference, result=report)
    assert settled.status == "succeeded"
    again = payment_settle_from_provider(provider_name="sandbox", provider_reference=waiting.provider_reference, result=report)
    assert again.status == "succeeded"
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == open_invoice.total
    assert payment_settle_from_provider(provider_name="sandbox", provider_reference="nope", result=report) is None
