"""Payments and refunds racing each other: the row lock (PostgreSQL) or the write lock taken
at BEGIN IMMEDIATE (SQLite) must let exactly as many through as fit, never more.

Each test starts several threads at one barrier, each with its own database connection,
so they really contend; it needs real transactions, hence ``transaction=True``.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from paydesk.core.errors import PaydeskError
from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.models import Invoice
from paydesk.invoicing.services import NewLine
from paydesk.ledger.checks import ledger_check
from paydesk.payments.enums import PaymentStatus, RefundStatus
from paydesk.payments.models import Payment, PaymentAllocation, Refund
from paydesk.payments.refunds import refund_create
from paydesk.payments.services import payment_create
from paydesk.providers.sandbox.models import SandboxCharge
from paydesk.providers.sandbox.provider import SandboxProvider

from ..conftest import card, make_invoice

THREAD_COUNT = 8
# Time spent "at the provider" while the lock is held: it widens the window between reading
# what remains and writing the result, so a missing lock shows up as an overpayment
# instead of passing by luck. It is never asserted on.
PROVIDER_LATENCY_SECONDS = 0.02


@pytest.fixture
def slow_provider(monkeypatch):
    charge_create, refund_create_at_provider = SandboxProvider.charge_create, SandboxProvider.refund_create

    def slow_charge(self, request):
        time.sleep(PROVIDER_LATENCY_SECONDS)
        return charge_create(self, request)

    def slow_refund(self, provider_reference, **keywords):
        time.sleep(PROVIDER_LATENCY_SECONDS)
        return refund_create_at_provider(self, provider_reference, **keywords)

    monkeypatch.setattr(SandboxProvider, "charge_create", slow_charge)
    monkeypatch.setattr(SandboxProvider, "refund_create", slow_refund)


def run_at_once(action, count: int = THREAD_COUNT) -> list[tuple[str, object]]:
    """Run ``action()`` in ``count`` threads released together.

    Each outcome is ("ok", result), ("refused", error code) or ("crashed", repr of the
    exception): a crash (a lock timeout, an assertion) is never mistaken for a refusal.
    """
    barrier = threading.Barrier(count)
    outcomes: list[tuple[str, object]] = []
    outcomes_lock = threading.Lock()

    def worker():
        try:
            barrier.wait(timeout=30)
            try:
                outcome = ("ok", action())
            except PaydeskError as error:
                outcome = ("refused", error.code)
            except Exception as error:  # noqa: BLE001 (reported, then asserted on)
                outcome = ("crashed", repr(error))
            with outcomes_lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"racer-{index}") for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racing thread never finished"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_eight_payments_of_3000_at_once_on_an_invoice_of_10000_let_exactly_three_through(
    business, customer, slow_provider
):
    # given an open invoice of 100.00, nothing paid
    invoice = make_invoice(business, customer, lines=[NewLine("Boiler service", 1, 10000, Decimal(0))])
    assert (invoice.status, invoice.total, invoice.amount_paid) == (InvoiceStatus.OPEN, 10000, 0)

    # when eight payments of 30.00 are made at the same moment
    outcomes = run_at_once(lambda: payment_create(invoice=invoice, card=card(), amount=3000))

    # then three succeed and the other five are refused, none crash
    assert [kind for kind, _ in outcomes].count("crashed") == 0, outcomes
    succeeded = [payment for kind, payment in outcomes if kind == "ok"]
    refusals = [code for kind, code in outcomes if kind == "refused"]
    assert [payment.status for payment in succeeded] == [PaymentStatus.SUCCEEDED] * 3
    assert len(refusals) == 5
    assert set(refusals) <= {"amount_too_large", "invoice_already_paid"}, refusals
    # and the invoice has 90.00 paid, by exactly the three payments that succeeded
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.amount_remaining) == (InvoiceStatus.OPEN, 9000, 1000)
    assert sorted(Payment.objects.filter(invoice=invoice).values_list("public_id", "status", "amount")) == sorted(
        (payment.public_id, PaymentStatus.SUCCEEDED, 3000) for payment in succeeded
    )
    assert list(PaymentAllocation.objects.filter(invoice=invoice).values_list("amount", flat=True)) == [3000] * 3
    assert SandboxCharge.objects.filter(status="succeeded").count() == 3
    report = ledger_check()
    assert report["balanced"], report["problems"]


@pytest.mark.django_db(transaction=True)
def test_eight_payments_of_all_that_remains_at_once_pay_the_invoice_exactly_once(business, customer, slow_provider):
    # given an open invoice of 100.00
    invoice = make_invoice(business, customer, lines=[NewLine("Boiler service", 1, 10000, Decimal(0))])

    # when eight payers each pay "all that remains" at the same moment
    outcomes = run_at_once(lambda: payment_create(invoice=invoice, card=card()))

    # then one pays 100.00 and the other seven are told the invoice is paid
    assert [kind for kind, _ in outcomes].count("crashed") == 0, outcomes
    assert [(payment.status, payment.amount) for kind, payment in outcomes if kind == "ok"] == [
        (PaymentStatus.SUCCEEDED, 10000)
    ]
    assert sorted(code for kind, code in outcomes if kind == "refused") == ["invoice_already_paid"] * 7
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.PAID, 10000)
    assert Payment.objects.filter(invoice=invoice).count() == 1
    report = ledger_check()
    assert report["balanced"], report["problems"]


@pytest.mark.django_db(transaction=True)
def test_eight_refunds_of_3000_at_once_on_a_payment_of_10000_let_exactly_three_through(
    business, customer, slow_provider
):
    # given a payment of 100.00 that paid an invoice in full
    invoice = make_invoice(business, customer, lines=[NewLine("Boiler service", 1, 10000, Decimal(0))])
    payment = payment_create(invoice=invoice, card=card())
    assert (payment.status, payment.amount, payment.amount_refunded) == (PaymentStatus.SUCCEEDED, 10000, 0)

    # when eight refunds of 30.00 are asked for at the same moment
    outcomes = run_at_once(lambda: refund_create(payment=payment, amount=3000))

    # then three succeed and five are refused as too large, none crash
    assert [kind for kind, _ in outcomes].count("crashed") == 0, outcomes
    refunds = [refund for kind, refund in outcomes if kind == "ok"]
    assert [(refund.status, refund.amount) for refund in refunds] == [(RefundStatus.SUCCEEDED, 3000)] * 3
    assert sorted(code for kind, code in outcomes if kind == "refused") == ["amount_too_large"] * 5
    # and the payment, its refunds and the sandbox's own records all say 90.00 refunded
    payment.refresh_from_db()
    assert (payment.amount, payment.amount_refunded) == (10000, 9000)
    assert list(Refund.objects.filter(payment=payment).values_list("status", "amount")) == [
        (RefundStatus.SUCCEEDED, 3000)
    ] * 3
    assert SandboxCharge.objects.get(reference=payment.provider_reference).amount_refunded == 9000
    assert Invoice.objects.get(pk=invoice.pk).amount_paid == 10000
    report = ledger_check()
    assert report["balanced"], report["problems"]
