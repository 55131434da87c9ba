from __future__ import annotations

import pytest

from paydesk.invoicing.services import NewLine
from paydesk.terms.models import PlanPolicy
from tests.conftest import card, make_invoice

GOOD_CARD = {"number": "4242424242424242", "exp_month": 12, "cvc": "123"}


def card_method(number: str = "4242424242424242") -> dict:
    from paydesk.core import clock

    return {"type": "card", "card": {**GOOD_CARD, "number": number, "exp_year": clock.today().year + 2}}


@pytest.fixture
def invoice_300(business, customer):
    """An open invoice for 300.00, no tax, due in 14 days."""
    return make_invoice(business, customer, lines=[NewLine("Boiler replacement", 1, 30000)])


@pytest.fixture
def policy(business):
    return PlanPolicy.objects.create(
        business=business, plans_enabled=True, pay_later_enabled=True, max_installments=6, smallest_part=1000
    )


@pytest.fixture
def saved_card(business, customer, open_invoice):
    """A card the customer saved by paying another invoice with it."""
    from paydesk.payments.services import payment_create

    payment = payment_create(invoice=open_invoice, card=card(), save_card=True)
    payment.saved_method.refresh_from_db()
    return payment.saved_method
