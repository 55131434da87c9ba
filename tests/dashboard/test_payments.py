"""Payments in the dashboard: the list, one payment, and refunds through the form."""

from __future__ import annotations

from paydesk.payments.enums import PaymentMethodType
from paydesk.payments.models import Refund
from paydesk.payments.services import payment_create, payment_record_offline

from ..conftest import card


def test_the_list_shows_card_and_cash_payments(staff, open_invoice):
    by_card = payment_create(invoice=open_invoice, card=card(), amount=2000)
    in_cash = payment_record_offline(invoice=open_invoice, method=PaymentMethodType.CASH, amount=1000)

    html = staff.get("/dashboard/payments/").content.decode()

    assert f"/dashboard/payments/{by_card.public_id}/" in html
    assert f"/dashboard/payments/{in_cash.public_id}/" in html
    assert "Visa •••• 4242" in html
    assert "<td>Cash</td>" in html


def test_a_full_refund_from_the_form(staff, open_invoice):
    payment = payment_create(invoice=open_invoice, card=card())

    response = staff.post(
        f"/dashboard/payments/{payment.public_id}/refunds/", {"refund-amount": "", "refund-reason": "duplicate"}, follow=True
    )

    payment.refresh_from_db()
    refund = Refund.objects.get(payment=payment)
    html = response.content.decode()
    assert (refund.amount, refund.status, refund.reason) == (12000, "succeeded", "duplicate")
    assert payment.amount_refunded == 12000
    assert "Refunded $120.00." in html
    assert '<dd id="payment-refunded">$120.00</dd>' in html
    assert "Duplicate payment" in html
    assert 'action="/dashboard/payments/' not in html.split("<main")[1]  # nothing left to refund


def test_a_partial_refund_of_cash(staff, open_invoice):
    payment = payment_record_offline(invoice=open_invoice, method=PaymentMethodType.CASH)

    staff.post(f"/dashboard/payments/{payment.public_id}/refunds/", {"refund-amount": "20.00", "refund-reason": ""})

    payment.refresh_from_db()
    assert payment.amount_refunded == 2000


def test_refunding_more_than_was_paid_is_refused_next_to_the_amount(staff, open_invoice):
    payment = payment_create(invoice=open_invoice, card=card(), amount=5000)

    response = staff.post(f"/dashboard/payments/{payment.public_id}/refunds/", {"refund-amount": "60", "refund-reason": ""})

    assert response.status_code == 400
    assert (
        '<ul class="errorlist" id="id_refund-amount_error"><li>That is more than the $50.00 that remains.</li></ul>'
        in response.content.decode()
    )
    assert Refund.objects.count() == 0


def test_a_read_only_member_cannot_refund(read_only, open_invoice):
    payment = payment_create(invoice=open_invoice, card=card())

    page = read_only.get(f"/dashboard/payments/{payment.public_id}/").content.decode()
    response = read_only.post(f"/dashboard/payments/{payment.public_id}/refunds/", {"refund-amount": ""})

    assert "refund-amount" not in page
    assert response.status_code == 403
    assert Refund.objects.count() == 0


def test_another_businesses_payment_is_not_found(staff, other_business_invoice):
    payment = payment_record_offline(invoice=other_business_invoice, method=PaymentMethodType.CASH)

    assert staff.get(f"/dashboard/payments/{payment.public_id}/").status_code == 404
    assert staff.post(f"/dashboard/payments/{payment.public_id}/refunds/", {"refund-amount": ""}).status_code == 404
    assert Refund.objects.count() == 0
