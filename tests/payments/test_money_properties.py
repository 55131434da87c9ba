"""Property: any sequence of payments, declines and refunds keeps the books honest.

The ledger balances, ``amount_paid`` never passes the total, refunds never pass payments,
and every refusal is a named error — over hundreds of random sequences.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paydesk.core.errors import PaydeskError
from paydesk.invoicing.models import Invoice
from paydesk.invoicing.services import NewLine
from paydesk.ledger.checks import ledger_check
from paydesk.payments.models import Payment
from paydesk.payments.refunds import refund_create
from paydesk.payments.services import payment_create

from ..conftest import card, make_invoice

DECLINING_CARD = "4000000000009995"


class _RollBack(Exception):
    """Undo one example's writes so the next starts from the same state."""


operation = st.one_of(
    st.tuples(st.just("pay"), st.integers(min_value=1, max_value=20_000)),
    st.tuples(st.just("pay_rest"), st.just(0)),
    st.tuples(st.just("decline"), st.integers(min_value=1, max_value=5_000)),
    st.tuples(st.just("refund"), st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=20_000)),
)


@pytest.mark.django_db
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    unit_amounts=st.lists(st.integers(min_value=1, max_value=9_000), min_size=1, max_size=3),
    operations=st.lists(operation, min_size=1, max_size=12),
)
def test_random_payment_and_refund_sequences_keep_the_books_honest(business, customer, unit_amounts, operations):
    try:
        with transaction.atomic():
            _run(business, customer, unit_amounts, operations)
            raise _RollBack
    except _RollBack:
        pass


def _run(business, customer, unit_amounts, operations):
    invoice = make_invoice(
        business, customer, lines=[NewLine(f"line {index}", 1, amount, Decimal("10")) for index, amount in enumerate(unit_amounts)]
    )
    expected_paid = 0
    refunded: dict[int, int] = {}
    succeeded: list[Payment] = []
    for step in operations:
        kind = step[0]
        remaining = invoice.total - expected_paid
        try:
            if kind == "pay":
                payment = payment_create(invoice=invoice, card=card(), amount=step[1])
                assert step[1] <= remaining, "an overpayment was accepted"
                expected_paid += step[1]
                succeeded.append(payment)
            elif kind == "pay_rest":
                payment = payment_create(invoice=invoice, card=card())
                assert remaining > 0
                expected_paid += remaining
                succeeded.append(payment)
            elif kind == "decline":
                payment = payment_create(invoice=invoice, card=card(DECLINING_CARD), amount=step[1])
                assert payment.status == "failed" and payment.decline_code == "insufficient_funds"
            elif kind == "refund" and succeeded:
                payment = succeeded[step[1] % len(succeeded)]
                refund_create(payment=payment, amount=step[2])
                refunded[payment.pk] = refunded.get(payment.pk, 0) + step[2]
                assert refunded[payment.pk] <= payment.amount, "an over-refund was accepted"
        except PaydeskError as error:
            assert error.code in {
                "amount_too_large",
                "invoice_already_paid",
                "charge_already_refunded",
            }, error.code
        invoice.refresh_from_db()
        assert invoice.amount_paid == expected_paid
        assert 0 <= invoice.amount_paid <= invoice.total
        assert (invoice.status == "paid") == (invoice.amount_paid == invoice.total)
    for payment in succeeded:
        payment.refresh_from_db()
        assert payment.amount_refunded == refunded.get(payment.pk, 0) <= payment.amount
    report = ledger_check()
    assert report["balanced"], report["problems"]
    assert Invoice.objects.get(pk=invoice.pk).amount_paid == expected_paid
