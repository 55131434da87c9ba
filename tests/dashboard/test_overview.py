"""The overview's figures, and the live list the page polls for new payments."""

from __future__ import annotations

import datetime

from paydesk.core import clock
from paydesk.invoicing.models import Invoice
from paydesk.payments.enums import PaymentMethodType
from paydesk.payments.services import payment_create, payment_record_offline

from ..conftest import card, make_invoice


def test_the_figures_count_today_and_what_is_owed_and_overdue(staff, business, customer, open_invoice):
    # Given an open invoice of 120.00 paid 20.00 today, and an overdue one of 120.00
    payment_record_offline(invoice=open_invoice, method=PaymentMethodType.CASH, amount=2000)
    overdue = make_invoice(business, customer)
    Invoice.objects.filter(pk=overdue.pk).update(due_date=clock.today() - datetime.timedelta(days=3))

    html = staff.get("/dashboard/").content.decode()

    # Then: one payment today, 220.00 still owed, of which 120.00 is overdue
    assert '<p class="figure-count" id="today-count">1 payment</p>' in html
    assert '<ul class="figure-list" id="today-amounts"><li>$20.00</li></ul>' in html
    assert "<li>$220.00</li>" in html
    assert "<li>$120.00</li>" in html
    assert 'aria-live="polite"' in html
    assert 'data-poll-url="/dashboard/live/payments.json"' in html


def test_the_poll_returns_a_payment_made_after_the_page_was_shown(staff, open_invoice):
    before = staff.get("/dashboard/live/payments.json").json()
    assert before["payments"] == []
    assert before["today"] == {"count": 0, "count_text": "0 payments", "amounts": ["Nothing"]}

    payment = payment_create(invoice=open_invoice, card=card(), amount=4550)
    after = staff.get("/dashboard/live/payments.json").json()

    assert after["payments"][0] == {
        "id": payment.public_id,
        "url": f"/dashboard/payments/{payment.public_id}/",
        "time": after["payments"][0]["time"],
        "customer": "Ada Lovelace",
        "invoice": "INV-0001",
        "amount": "$45.50",
        "method": "Visa •••• 4242",
        "status": "succeeded",
        "status_text": "Succeeded",
        "announcement": "Payment received: $45.50 from Ada Lovelace.",
    }
    assert after["today"] == {"count": 1, "count_text": "1 payment", "amounts": ["$45.50"]}


def test_the_poll_speaks_the_chosen_language(staff, open_invoice):
    payment_create(invoice=open_invoice, card=card(), amount=4550)
    staff.get("/dashboard/?lang=ru")

    data = staff.get("/dashboard/live/payments.json").json()

    assert data["payments"][0]["announcement"] == "Получен платёж: 45,50\xa0$ от Ada Lovelace."
    assert data["today"]["count_text"] == "1 платёж"


def test_the_poll_never_shows_another_businesses_payments(staff, other_business_invoice):
    payment_record_offline(invoice=other_business_invoice, method=PaymentMethodType.CASH)

    assert staff.get("/dashboard/live/payments.json").json()["payments"] == []
