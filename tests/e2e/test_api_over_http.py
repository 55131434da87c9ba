"""The acceptance journey over real HTTP against a real ``paydesk serve``, with real webhooks;
and, in process, the webhook retry schedule with the clock moved by hand.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections import Counter, defaultdict

import pytest

from paydesk.core import clock
from paydesk.messaging.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from paydesk.messaging.webhooks import verify_signature, webhook_deliveries_sweep, webhook_endpoint_create

from ..conftest import GOOD_CARD_NUMBER, make_invoice
from .conftest import HttpApi

REQUIRED_EVENT_TYPES = ("invoice.finalized", "payment.succeeded", "invoice.paid", "refund.succeeded")


def card_body() -> dict:
    return {"type": "card", "card": {"number": GOOD_CARD_NUMBER, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}


def _amounts(invoice: dict) -> tuple:
    return (invoice["status"], invoice["total"], invoice["amount_paid"], invoice["amount_remaining"])


@pytest.mark.e2e
def test_invoice_paid_in_two_parts_and_refunded_over_http_with_signed_webhooks(paydesk_server, webhook_receiver):
    # given a business made with the CLI (a unique email: on PostgreSQL the server's database
    # outlives this run), and a webhook endpoint for every event
    email = f"e2e-{uuid.uuid4().hex[:12]}@example.test"
    created = paydesk_server.cli("business", "create", "--name", "Riverside Plumbing", "--email", email, "--json")
    assert created.returncode == 0, created.stdout + created.stderr
    keys = json.loads(created.stdout)
    assert keys["id"].startswith("biz_"), keys
    assert keys["secret_key"].startswith("sk_test_")
    api = HttpApi(paydesk_server.base_url, keys["secret_key"])
    # Events from before the endpoint existed are not owed to it.
    events_before_endpoint = {event["id"] for event in api.get("/events?limit=100").body["data"]}
    endpoint = api.post("/webhook_endpoints", {"url": webhook_receiver.url, "enabled_events": ["*"]})
    assert endpoint.status == 200, endpoint.body
    assert (endpoint.body["url"], endpoint.body["enabled_events"]) == (webhook_receiver.url, ["*"])
    secret = endpoint.body["secret"]
    assert secret.startswith("whsec_")

    # when a customer's invoice with two taxed lines and a discount is finalized
    customer = api.post("/customers", {"name": "Ada Lovelace", "email": "ada@example.test"})
    assert customer.status == 200, customer.body
    due_date = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    draft = api.post(
        "/invoices",
        {
            "customer": customer.body["id"],
            "currency": "usd",
            "due_date": due_date,
            "discount_amount": 500,
            "lines": [
                {"description": "Call-out", "quantity": 1, "unit_amount": 8000, "tax_rate_percent": 20},
                {"description": "Fittings", "quantity": 3, "unit_amount": 1250, "tax_rate_percent": "7.5"},
            ],
        },
    )
    assert draft.status == 200, draft.body
    # subtotal 8000 + 3750; discount 500 split 340 / 160; tax 1532 + 269; total 11250 + 1801
    assert (draft.body["subtotal"], draft.body["discount_amount"], draft.body["tax"], draft.body["total"]) == (
        11750, 500, 1801, 13051,
    )
    invoice_id = draft.body["id"]
    finalized = api.post(f"/invoices/{invoice_id}/finalize")
    assert finalized.status == 200, finalized.body
    assert (finalized.body["number"], *_amounts(finalized.body)) == ("INV-0001", "open", 13051, 0, 13051)

    # and it is paid in two parts by card
    first = api.post("/payments", {"invoice": invoice_id, "amount": 5000, "payment_method": card_body()})
    assert first.status == 200, first.body
    assert (first.body["status"], first.body["amount"], first.body["currency"]) == ("succeeded", 5000, "usd")
    assert _amounts(api.get(f"/invoices/{invoice_id}").body) == ("open", 13051, 5000, 8051)
    rest = api.post("/payments", {"invoice": invoice_id, "payment_method": card_body()})
    assert rest.status == 200, rest.body
    assert (rest.body["status"], rest.body["amount"]) == ("succeeded", 8051)
    assert rest.body["payment_method"]["card"] == {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}
    paid = api.get(f"/invoices/{invoice_id}").body
    assert _amounts(paid) == ("paid", 13051, 13051, 0)

    # and 2000 of the second payment is refunded
    refund = api.post("/refunds", {"payment": rest.body["id"], "amount": 2000})
    assert refund.status == 200, refund.body
    assert (refund.body["status"], refund.body["amount"]) == ("succeeded", 2000)
    assert refund.body["payment"] == rest.body["id"]
    # and a refund of one minor unit more than what is left (8051 - 2000) is refused
    too_much = api.post("/refunds", {"payment": rest.body["id"], "amount": 6052})
    assert (too_much.status, too_much.body["error"]["code"]) == (400, "amount_too_large")
    refunded_payment = api.get(f"/payments/{rest.body['id']}").body
    assert (refunded_payment["amount"], refunded_payment["amount_refunded"]) == (8051, 2000)
    assert api.get(f"/payments/{first.body['id']}").body["amount_refunded"] == 0

    # then the event log holds each step once, with the amounts of that moment
    listed = api.get("/events?limit=100").body
    assert listed["has_more"] is False
    events = listed["data"]
    counts = Counter(event["type"] for event in events)
    assert [counts[type] for type in REQUIRED_EVENT_TYPES] == [1, 2, 1, 1], counts
    by_type = defaultdict(list)
    for event in events:
        by_type[event["type"]].append(event["data"]["object"])
    assert _amounts(by_type["invoice.finalized"][0]) == ("open", 13051, 0, 13051)
    assert sorted(payment["amount"] for payment in by_type["payment.succeeded"]) == [5000, 8051]
    assert _amounts(by_type["invoice.paid"][0]) == ("paid", 13051, 13051, 0)
    refunded = by_type["refund.succeeded"][0]
    assert (refunded["id"], refunded["amount"], refunded["status"]) == (refund.body["id"], 2000, "succeeded")

    # and the receiver got every one of them, signed with the endpoint's secret
    listed_ids = {event["id"] for event in events} - events_before_endpoint
    received = webhook_receiver.wait_for(
        lambda deliveries: listed_ids <= {delivery.event["id"] for delivery in deliveries}, timeout_seconds=20
    )
    received_ids = {delivery.event["id"] for delivery in received}
    assert listed_ids - received_ids == set(), f"not delivered:\n{paydesk_server.log()[-4000:]}"
    assert received_ids == listed_ids
    assert {delivery.path for delivery in received} == {"/hooks"}
    for delivery in received:
        assert verify_signature(secret=secret, header=delivery.signature, body=delivery.body), delivery.signature
        assert not verify_signature(secret="whsec_wrong", header=delivery.signature, body=delivery.body)

    # and an event id always comes with the same contents, the ones the API lists
    bodies_by_id = defaultdict(set)
    for delivery in received:
        bodies_by_id[delivery.event["id"]].add(delivery.body)
    listed_by_id = {event["id"]: event for event in events}
    for event_id, bodies in bodies_by_id.items():
        assert len(bodies) == 1, (event_id, bodies)
        assert json.loads(next(iter(bodies))) == listed_by_id[event_id]

    # and the books balance, checked by the CLI against the same database
    checked = paydesk_server.cli("ledger", "check", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["balanced"] is True, report["problems"]
    assert report["problem_count"] == 0


# --- Retries, in process, with the clock moved by hand ------------------------------------

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone.utc)
# The documented schedule: waits of 60 s, 5 min, 30 min, 2 h, 5 h, then 10 h until 3 days.
WAITS_SECONDS = [60, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600] + [10 * 3600] * 20
RETRY_WINDOW = datetime.timedelta(days=3)


def _finalized_invoice_delivery(business, customer, receiver_url: str) -> WebhookDelivery:
    """One pending delivery of one ``invoice.finalized`` event, created at START."""
    endpoint = webhook_endpoint_create(
        business=business, livemode=False, url=receiver_url, enabled_events=["invoice.finalized"]
    )
    with clock.frozen_at(START):
        make_invoice(business, customer)
    return WebhookDelivery.objects.select_related("event").get(endpoint=endpoint)


def _sweep_at(moment: datetime.datetime) -> int:
    with clock.frozen_at(moment):
        return webhook_deliveries_sweep()


def test_a_receiver_answering_500_first_gets_the_same_event_again_after_60_seconds(
    business, customer, webhook_receiver
):
    # given an endpoint whose receiver answers 500 once, then 200
    webhook_receiver.statuses = [500]
    delivery = _finalized_invoice_delivery(business, customer, webhook_receiver.url)
    secret = delivery.endpoint.secret

    # when the worker sweeps at once, then a second before the retry is due, then when it is
    first_sweep = _sweep_at(START)
    delivery.refresh_from_db()
    after_failure = (delivery.status, delivery.attempt_count, delivery.next_attempt_at)
    early_sweep = _sweep_at(START + datetime.timedelta(seconds=59))
    due_sweep = _sweep_at(START + datetime.timedelta(seconds=60))
    late_sweep = _sweep_at(START + datetime.timedelta(days=1))

    # then one failed attempt, nothing early, one successful retry on time, nothing after
    assert (first_sweep, early_sweep, due_sweep, late_sweep) == (1, 0, 1, 0)
    assert after_failure == (DeliveryStatus.PENDING, 1, START + datetime.timedelta(seconds=60))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.delivered_at) == (
        DeliveryStatus.SUCCEEDED, 2, START + datetime.timedelta(seconds=60),
    )
    attempts = list(delivery.attempts.order_by("id").values_list("attempted_at", "response_status", "succeeded"))
    assert attempts == [(START, 500, False), (START + datetime.timedelta(seconds=60), 200, True)]
    # and both requests carried the same event, byte for byte, each validly signed
    received = webhook_receiver.snapshot()
    assert len(received) == 2
    assert received[0].body == received[1].body
    assert received[0].event["id"] == delivery.event.public_id
    assert received[0].event["type"] == "invoice.finalized"
    assert all(verify_signature(secret=secret, header=one.signature, body=one.body) for one in received)


def test_a_receiver_that_always_fails_is_retried_on_schedule_then_given_up_within_3_days(
    business, customer, webhook_receiver
):
    # given an endpoint whose receiver answers 500 to everything
    webhook_receiver.statuses = [500] * 100
    delivery = _finalized_invoice_delivery(business, customer, webhook_receiver.url)
    expected_attempt_times = [START]
    for wait in WAITS_SECONDS:
        following = expected_attempt_times[-1] + datetime.timedelta(seconds=wait)
        if following >= START + RETRY_WINDOW:
            break
        expected_attempt_times.append(following)
    expected_attempt_times.append(START + RETRY_WINDOW)
    # 0, 1 min, 6 min, 36 min, 2 h 36, 7 h 36, every 10 h up to 67 h 36, and at 72 h
    assert len(expected_attempt_times) == 13

    # when the worker sweeps a second before each attempt is due, and when it is due
    sweeps = []
    for due in expected_attempt_times:
        sweeps.append((_sweep_at(due - datetime.timedelta(seconds=1)), _sweep_at(due)))
    delivery.refresh_from_db()
    final = (delivery.status, delivery.attempt_count, delivery.delivered_at)
    after_window = _sweep_at(START + RETRY_WINDOW + datetime.timedelta(days=1))

    # then each attempt happened exactly on time, and after the last the delivery failed
    assert sweeps == [(0, 1)] * 13
    assert final == (DeliveryStatus.FAILED, 13, None)
    assert after_window == 0
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("id"))
    assert [attempt.attempted_at for attempt in attempts] == expected_attempt_times
    assert {(attempt.response_status, attempt.succeeded) for attempt in attempts} == {(500, False)}
    # and every attempt carried the same event with the same contents
    received = webhook_receiver.snapshot()
    assert len(received) == 13
    assert {one.body for one in received} == {received[0].body}
    assert received[0].event["id"] == delivery.event.public_id
