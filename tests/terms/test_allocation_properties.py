"""Property: however the customer pays (any amounts, in any number of payments), the parts of
a plan are paid strictly oldest first, never past their amount, and always agree with the
invoice and the ledger; an overpayment is refused."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paydesk.core.errors import PaydeskError
from paydesk.invoicing.services import NewLine
from paydesk.ledger.checks import ledger_check
from paydesk.payments.enums import PaymentMethodType
from paydesk.payments.services import payment_create, payment_record_offline
from paydesk.terms.models import PaymentPlan
from paydesk.terms.services import plan_create

from tests.conftest import card, make_invoice


class _RollBack(Exception):
    """Undo one example's writes so the next starts from the same state."""


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    total=st.integers(min_value=2, max_value=200_000),
    parts=st.integers(min_value=2, max_value=12),
    paid_before=st.integers(min_value=0, max_value=50),
    payments=st.lists(st.integers(min_value=1, max_value=250_000), min_size=1, max_size=8),
)
def test_parts_are_paid_oldest_first_and_agree_with_the_invoice(business, customer, total, parts, paid_before, payments):
    try:
        with transaction.atomic():
            _run(business, customer, total, parts, paid_before, payments)
            raise _RollBack
    except _RollBack:
        pass


def _run(business, customer, total, parts, paid_before, payments):
    invoice = make_invoice(business, customer, lines=[NewLine("Work", 1, total)])
    if paid_before and paid_before < total:
        payment_record_offline(invoice=invoice, method=PaymentMethodType.CASH, amount=paid_before)
    remaining = total - (paid_before if paid_before < total else 0)
    parts = min(parts, remaining)
    if parts < 1:
        return
    plan = plan_create(invoice=invoice, parts=parts, interval="week")
    assert sum(part.amount for part in plan.parts.all()) == remaining
    for amount in payments:
        try:
            payment_create(invoice=invoice, card=card(), amount=amount)
            assert amount <= remaining, "an overpayment was accepted"
            remaining -= amount
        except PaydeskError as error:
            assert amount > remaining and error.code in ("amount_too_large", "invoice_already_paid")
        plan = PaymentPlan.objects.get(pk=plan.pk)
        paid = [part.amount_paid for part in plan.parts.all()]
        amounts = [part.amount for part in plan.parts.all()]
        assert sum(amounts) - sum(paid) == remaining
        # Oldest first: every part before the first not fully paid is fully paid, and
        # every part after it has nothing.
        first_open = next((index for index, (got, due) in enumerate(zip(paid, amounts)) if got < due), len(paid))
        assert paid[:first_open] == amounts[:first_open]
        assert all(got == 0 for got in paid[first_open + 1 :])
        assert (plan.status == "completed") == (remaining == 0)
    assert ledger_check()["problems"] == []
