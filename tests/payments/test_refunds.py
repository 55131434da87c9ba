"""Refunds around a provider whose answer is lost: pending, counted, and asked again under
the same id, so money is never given back twice."""

from __future__ import annotations

import datetime

import pytest

from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.ledger.checks import ledger_check
from paydesk.payments.models import Payment, Refund
from paydesk.payments.refunds import refund_create, refunds_retry_pending
from paydesk.payments.services import payment_create
from paydesk.providers.sandbox.models import SandboxRefund
from paydesk.providers.sandbox.provider import SandboxProvider

from ..conftest import card


@pytest.fixture
def unreachable_once(monkeypatch):
    """The sandbox refunds, but the first answer never arrives (as after a timeout)."""
    real = SandboxProvider.refund_create
    calls = []

    def flaky(self, provider_reference, **keywords):
        calls.append(keywords["reference"])
        if len(calls) == 1:
            real(self, provider_reference, **keywords)  # the provider did it...
            raise PaydeskError("provider_unavailable", "timed out", type="api_error", http_status=503)
        return real(self, provider_reference, **keywords)

    monkeypatch.setattr(SandboxProvider, "refund_create", flaky)
    return calls


def test_a_lost_answer_leaves_the_refund_pending_and_the_retry_finishes_it_once(open_invoice, unreachable_once):
    payment = payment_create(invoice=open_invoice, card=card())
    # when the provider's answer is lost
    refund = refund_create(payment=payment, amount=5000)
    # then the refund waits, counts against what can still be refunded, and books nothing
    assert refund.status == "pending"
    with pytest.raises(PaydeskError) as raised:
        refund_create(payment=payment, amount=7001)
    assert raised.value.code == "amount_too_large"
    assert Payment.objects.get(pk=payment.pk).amount_refunded == 0
    # when the worker asks again a minute later, under the same id
    later = clock.now() + datetime.timedelta(minutes=2)
    with clock.frozen_at(later):
        assert refunds_retry_pending() == 1
    # then it succeeded once at the provider and once in the books
    assert unreachable_once == [refund.public_id, refund.public_id]
    assert SandboxRefund.objects.filter(merchant_reference=refund.public_id).count() == 1
    assert Refund.objects.get(pk=refund.pk).status == "succeeded"
    assert Payment.objects.get(pk=payment.pk).amount_refunded == 5000
    assert ledger_check()["balanced"]
    with clock.frozen_at(later + datetime.timedelta(minutes=5)):
        assert refunds_retry_pending() == 0


def test_a_refund_answered_at_once_is_not_asked_again(open_invoice):
    payment = payment_create(invoice=open_invoice, card=card())
    refund = refund_create(payment=payment, amount=1000)
    assert refund.status == "succeeded"
    with clock.frozen_at(clock.now() + datetime.timedelta(minutes=5)):
        assert refunds_retry_pending() == 0
