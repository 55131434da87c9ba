"""The staff's daily digest: once a day, yesterday's figures, in the business's language."""

from __future__ import annotations

import datetime

from paydesk.core import clock
from paydesk.messaging.digests import staff_digests_sweep
from paydesk.messaging.models import Message
from paydesk.messaging.notifications import message_bodies
from paydesk.payments.services import payment_create

from ..conftest import card


def test_staff_get_one_digest_a_day_with_yesterdays_payments(open_invoice):
    yesterday = datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.timezone.utc)
    with clock.frozen_at(yesterday):
        payment_create(invoice=open_invoice, card=card(), amount=5000)
        payment_create(invoice=open_invoice, card=card("4000000000000002"), amount=100)
    # before 7:00 nothing is sent; after, one digest to the owner, once
    with clock.frozen_at(datetime.datetime(2026, 11, 22, 6, 0, tzinfo=datetime.timezone.utc)):
        assert staff_digests_sweep() == 0
    with clock.frozen_at(datetime.datetime(2026, 11, 22, 8, 0, tzinfo=datetime.timezone.utc)):
        assert staff_digests_sweep() == 1
        assert staff_digests_sweep() == 0
    digest = Message.objects.get(template="staff_digest")
    assert digest.to == "owner@riverside.test" and digest.customer is None
    text = message_bodies(digest)[0]
    assert "Payments received: 1 ($50.00)" in text and "Payments that failed: 1" in text
    assert "Questions?" not in text


def test_customers_set_their_time_zone_and_opt_out_over_the_api(api, customer):
    updated = api.post(f"/customers/{customer.public_id}", {"time_zone": "Europe/Moscow", "non_essential_opt_out": True}).json()
    assert (updated["time_zone"], updated["non_essential_opt_out"], updated["reminders_paused"]) == ("Europe/Moscow", True, False)
    refused = api.post(f"/customers/{customer.public_id}", {"time_zone": "Mars/Olympus"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "time_zone_invalid"


def test_the_digest_counts_plan_requests_waiting_for_an_answer(open_invoice):
    from paydesk.terms.services import plan_create

    plan_create(invoice=open_invoice, parts=2, requested_by="customer", needs_review=True)
    with clock.frozen_at(datetime.datetime(2026, 11, 22, 8, 0, tzinfo=datetime.timezone.utc)):
        staff_digests_sweep()
    text = message_bodies(Message.objects.get(template="staff_digest"))[0]
    assert "Payment plan requests to answer: 1" in text
