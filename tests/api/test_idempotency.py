"""Idempotency with Stripe's semantics (rule 6).

The same ``Idempotency-Key`` with the same parameters replays the first answer byte for
byte, marked ``Idempotent-Replayed: true``, and does nothing again; the same key with other
parameters or another path is an ``idempotency_error``; errors are replayed like successes;
keys belong to one business; a key is forgotten 24 hours after its first use.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.apps import apps

from paydesk.api.models import IdempotencyRecord
from paydesk.core import clock
from paydesk.customers.models import Customer
from paydesk.ledger.models import JournalTransaction
from paydesk.payments.models import Payment
from paydesk.providers.sandbox.models import SandboxCharge

from ..conftest import GOOD_CARD_NUMBER, make_invoice

pytestmark = pytest.mark.django_db

START = datetime.datetime(2030, 3, 1, 9, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The `business` fixture gives its owner a password; the real hasher costs ~0.3 s a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def card_body(number=GOOD_CARD_NUMBER):
    return {"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}


def row_counts(*, ignore=("api.IdempotencyRecord",)) -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for config in apps.get_app_configs()
        if config.name.startswith("paydesk")
        for model in config.get_models()
        if model._meta.label not in ignore
    }


def is_replay(response) -> bool:
    return response.headers.get("Idempotent-Replayed") == "true"


def assert_idempotency_error(response, code: str, status: int = 400) -> None:
    body = response.json()
    assert response.status_code == status, body
    assert (body["error"]["type"], body["error"]["code"], body["error"]["param"]) == ("idempotency_error", code, None)
    assert body["error"]["message"]


# --- replay ---------------------------------------------------------------------------------


def test_the_same_key_and_body_replays_the_first_answer_and_creates_nothing_new(api):
    # given a customer created with a key
    first = api.post("/customers", {"name": "Ada", "email": "ada@example.test"}, idempotency_key="create-ada")
    assert first.status_code == 200 and not is_replay(first)
    after_first = row_counts()
    # when the same request is sent again, twice
    second = api.post("/customers", {"name": "Ada", "email": "ada@example.test"}, idempotency_key="create-ada")
    third = api.post("/customers", {"name": "Ada", "email": "ada@example.test"}, idempotency_key="create-ada")
    # then both answers are the first one, byte for byte, marked as replays
    for replay in (second, third):
        assert (replay.status_code, replay.content) == (200, first.content)
        assert is_replay(replay)
    # and there is still one customer
    assert row_counts() == after_first
    assert Customer.objects.filter(name="Ada").count() == 1


def test_a_replay_is_the_stored_answer_even_after_the_object_changed(api):
    first = api.post("/customers", {"name": "Ada"}, idempotency_key="create-ada")
    customer_id = first.json()["id"]
    assert api.post(f"/customers/{customer_id}", {"name": "Ada Lovelace"}).status_code == 200
    replay = api.post("/customers", {"name": "Ada"}, idempotency_key="create-ada")
    assert replay.content == first.content
    assert replay.json()["name"] == "Ada"


def test_the_same_parameters_in_another_order_or_spacing_are_the_same_request(api):
    first = api.post("/customers", raw=b'{"name": "Ada", "email": "ada@example.test"}', idempotency_key="k")
    replay = api.post("/customers", raw=b'{"email":"ada@example.test",\n "name":"Ada"}', idempotency_key="k")
    assert is_replay(replay) and replay.content == first.content
    assert Customer.objects.count() == 1


def test_a_payment_retried_with_its_key_is_charged_once(api, open_invoice):
    # given a payment of 50.00 made with a key
    body = {"invoice": open_invoice.public_id, "amount": 5000, "payment_method": card_body()}
    first = api.post("/payments", body, idempotency_key="pay-inv-1")
    assert first.status_code == 200, first.json()
    after_first = row_counts()
    # when the client, unsure it went through, retries it
    retry = api.post("/payments", body, idempotency_key="pay-inv-1")
    # then it gets the same payment back, and nothing was charged, booked or recorded again
    assert is_replay(retry) and retry.content == first.content
    assert row_counts() == after_first
    assert Payment.objects.count() == 1 and SandboxCharge.objects.count() == 1
    invoice = api.get(f"/invoices/{open_invoice.public_id}").json()
    assert (invoice["amount_paid"], invoice["amount_remaining"]) == (5000, 7000)


def test_a_refund_retried_with_its_key_refunds_once(api, open_invoice):
    payment = api.post("/payments", {"invoice": open_invoice.public_id, "payment_method": card_body()}).json()
    first = api.post("/refunds", {"payment": payment["id"], "amount": 1000}, idempotency_key="refund-1")
    journal_after_first = JournalTransaction.objects.count()
    retry = api.post("/refunds", {"payment": payment["id"], "amount": 1000}, idempotency_key="refund-1")
    assert is_replay(retry) and retry.content == first.content
    assert JournalTransaction.objects.count() == journal_after_first
    assert api.get(f"/payments/{payment['id']}").json()["amount_refunded"] == 1000


def test_a_request_without_a_key_is_never_replayed(api):
    first = api.post("/customers", {"name": "Ada"})
    second = api.post("/customers", {"name": "Ada"})
    assert not is_replay(second)
    assert first.json()["id"] != second.json()["id"]
    assert IdempotencyRecord.objects.count() == 0


# --- errors are replayed too ------------------------------------------------------------------


def test_a_decline_is_replayed_and_the_card_is_not_charged_again(api, open_invoice):
    # given a declined payment made with a key
    body = {"invoice": open_invoice.public_id, "payment_method": card_body("4000000000000002")}
    first = api.post("/payments", body, idempotency_key="pay-declined")
    assert first.status_code == 402
    after_first = row_counts()
    # when it is retried with the same key
    retry = api.post("/payments", body, idempotency_key="pay-declined")
    # then the same 402, naming the same failed payment, comes back; no second attempt is made
    assert (retry.status_code, retry.content) == (402, first.content)
    assert is_replay(retry)
    assert row_counts() == after_first
    assert Payment.objects.filter(status="failed").count() == 1
    # while a retry under a new key is a new attempt, as it should be
    fresh = api.post("/payments", body, idempotency_key="pay-declined-2")
    assert fresh.status_code == 402 and not is_replay(fresh)
    assert fresh.json()["error"]["payment"] != first.json()["error"]["payment"]


def test_a_refusal_is_replayed_even_once_the_request_would_succeed(api, business, customer):
    # given a payment refused because the invoice is a draft
    draft = make_invoice(business, customer, finalize=False)
    body = {"invoice": draft.public_id, "payment_method": card_body()}
    first = api.post("/payments", body, idempotency_key="pay-draft")
    assert (first.status_code, first.json()["error"]["code"]) == (400, "invoice_not_open")
    # when the invoice is finalized and the same keyed request is sent
    assert api.post(f"/invoices/{draft.public_id}/finalize").status_code == 200
    retry = api.post("/payments", body, idempotency_key="pay-draft")
    # then the stored refusal is the answer, and nothing was charged
    assert (retry.status_code, retry.content) == (400, first.content)
    assert is_replay(retry)
    assert Payment.objects.count() == 0


def test_a_validation_error_and_a_404_are_replayed(api):
    invalid = api.post("/customers", {"nme": "Ada"}, idempotency_key="typo")
    missing = api.post("/customers/cus_doesnotexist", {"name": "Ada"}, idempotency_key="missing")
    assert (invalid.status_code, missing.status_code) == (400, 404)
    invalid_again = api.post("/customers", {"nme": "Ada"}, idempotency_key="typo")
    missing_again = api.post("/customers/cus_doesnotexist", {"name": "Ada"}, idempotency_key="missing")
    assert is_replay(invalid_again) and invalid_again.content == invalid.content
    assert is_replay(missing_again) and missing_again.content == missing.content


def test_an_unreadable_body_with_a_key_is_a_400_not_a_crash(api):
    # A body nested too deep for the JSON parser once crashed the fingerprint with a 500.
    deep = b"[" * 100_000 + b"]" * 100_000
    first = api.post("/customers", raw=deep, idempotency_key="deep")
    assert (first.status_code, first.json()["error"]["code"]) == (400, "request_body_invalid")
    replay = api.post("/customers", raw=deep, idempotency_key="deep")
    assert is_replay(replay) and replay.content == first.content
    other_body = api.post("/customers", raw=b"{not json", idempotency_key="deep")
    assert_idempotency_error(other_body, "idempotency_key_reused")


def test_a_server_error_is_not_stored_so_the_retry_runs(api, monkeypatch):
    # given the endpoint fails unexpectedly once
    from paydesk.api import customers as customers_api

    real_create = customers_api.customer_create
    calls = []

    def fail_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real_create(**kwargs)

    monkeypatch.setattr(customers_api, "customer_create", fail_once)
    first = api.post("/customers", {"name": "Ada"}, idempotency_key="flaky")
    assert (first.status_code, first.json()["error"]["type"]) == (500, "api_error")
    assert IdempotencyRecord.objects.count() == 0
    # when the client retries with the same key
    retry = api.post("/customers", {"name": "Ada"}, idempotency_key="flaky")
    # then the request really runs, and its answer is the one kept from now on
    assert retry.status_code == 200 and not is_replay(retry)
    assert Customer.objects.count() == 1
    assert api.post("/customers", {"name": "Ada"}, idempotency_key="flaky").content == retry.content


# --- the same key for something else --------------------------------------------------------


@pytest.mark.parametrize(
    "second_body",
    [{"name": "Grace"}, {"name": "Ada", "email": "ada@example.test"}, {}, {"name": "Ada "}],
    ids=["other value", "more parameters", "no parameters", "trailing space"],
)
def test_the_same_key_with_other_parameters_is_refused(api, second_body):
    first = api.post("/customers", {"name": "Ada"}, idempotency_key="k")
    assert first.status_code == 200
    before = row_counts()
    response = api.post("/customers", second_body, idempotency_key="k")
    assert_idempotency_error(response, "idempotency_key_reused")
    assert not is_replay(response)
    assert row_counts() == before
    # and the key still answers its first request
    assert api.post("/customers", {"name": "Ada"}, idempotency_key="k").content == first.content


def test_an_integer_and_a_float_amount_are_different_parameters(api, open_invoice):
    body = {"invoice": open_invoice.public_id, "amount": 100, "payment_method": card_body()}
    assert api.post("/payments", body, idempotency_key="k").status_code == 200
    response = api.post("/payments", {**body, "amount": 100.0}, idempotency_key="k")
    assert_idempotency_error(response, "idempotency_key_reused")
    assert Payment.objects.count() == 1


def test_the_same_key_on_another_path_is_refused(api, customer):
    first = api.post("/customers", {"name": "Ada"}, idempotency_key="k")
    assert first.status_code == 200
    before = row_counts()
    response = api.post(f"/customers/{customer.public_id}", {"name": "Ada"}, idempotency_key="k")
    assert_idempotency_error(response, "idempotency_key_reused")
    assert row_counts() == before
    assert api.get(f"/customers/{customer.public_id}").json()["name"] == "Ada Lovelace"


def test_the_same_key_on_another_object_of_the_same_endpoint_is_refused(api, business, customer):
    first_invoice = make_invoice(business, customer, finalize=False)
    second_invoice = make_invoice(business, customer, finalize=False)
    assert api.post(f"/invoices/{first_invoice.public_id}/finalize", idempotency_key="fin").status_code == 200
    response = api.post(f"/invoices/{second_invoice.public_id}/finalize", idempotency_key="fin")
    assert_idempotency_error(response, "idempotency_key_reused")
    assert api.get(f"/invoices/{second_invoice.public_id}").json()["status"] == "draft"


# --- keys belong to one business --------------------------------------------------------------


def test_another_business_may_use_the_same_key_independently(api, other_api):
    # given this business used a key
    ours = api.post("/customers", {"name": "Ada"}, idempotency_key="order-1001")
    # when another business uses the same key, with other parameters and then the same ones
    theirs = other_api.post("/customers", {"name": "Grace"}, idempotency_key="order-1001")
    # then its request runs for it, unaffected, and is never answered with ours
    assert theirs.status_code == 200 and not is_replay(theirs)
    assert theirs.json()["name"] == "Grace"
    same_as_ours = other_api.post("/customers", {"name": "Ada"}, idempotency_key="shared")
    ours_again = api.post("/customers", {"name": "Ada"}, idempotency_key="shared")
    assert not is_replay(same_as_ours) and not is_replay(ours_again)
    assert same_as_ours.json()["id"] != ours_again.json()["id"]
    # and each business's replays stay its own
    assert api.post("/customers", {"name": "Ada"}, idempotency_key="order-1001").content == ours.content
    assert other_api.post("/customers", {"name": "Grace"}, idempotency_key="order-1001").content == theirs.content
    assert [c["id"] for c in api.get("/customers").json()["data"]] == [ours_again.json()["id"], ours.json()["id"]]


# --- keys expire after 24 hours ---------------------------------------------------------------


def test_a_key_is_remembered_for_24_hours(api):
    with clock.frozen_at(START):
        first = api.post("/customers", {"name": "Ada"}, idempotency_key="daily")
    with clock.frozen_at(START + datetime.timedelta(hours=24)):
        replay = api.post("/customers", {"name": "Ada"}, idempotency_key="daily")
        reused = api.post("/customers", {"name": "Grace"}, idempotency_key="daily")
    assert is_replay(replay) and replay.content == first.content
    assert_idempotency_error(reused, "idempotency_key_reused")
    assert Customer.objects.count() == 1


def test_a_key_older_than_24_hours_is_forgotten(api):
    # given a key first used a day and a second ago
    with clock.frozen_at(START):
        first = api.post("/customers", {"name": "Ada"}, idempotency_key="daily")
    with clock.frozen_at(START + datetime.timedelta(hours=24, seconds=1)):
        # when it is used again, with the same parameters
        again = api.post("/customers", {"name": "Ada"}, idempotency_key="daily")
        # then the request runs anew and the key now answers with the new result
        assert again.status_code == 200 and not is_replay(again)
        assert again.json()["id"] != first.json()["id"]
        replay = api.post("/customers", {"name": "Ada"}, idempotency_key="daily")
        assert is_replay(replay) and replay.content == again.content
    assert Customer.objects.count() == 2


def test_an_expired_key_may_be_used_with_other_parameters(api):
    with clock.frozen_at(START):
        api.post("/customers", {"name": "Ada"}, idempotency_key="daily")
    with clock.frozen_at(START + datetime.timedelta(days=2)):
        response = api.post("/customers", {"name": "Grace"}, idempotency_key="daily")
        replay = api.post("/customers", {"name": "Grace"}, idempotency_key="daily")
    assert response.status_code == 200 and response.json()["name"] == "Grace"
    assert is_replay(replay) and replay.content == response.content
    assert IdempotencyRecord.objects.filter(key="daily").count() == 1


def test_a_record_aged_by_hand_is_forgotten_too(api):
    first = api.post("/customers", {"name": "Ada"}, idempotency_key="aged")
    IdempotencyRecord.objects.filter(key="aged").update(created=clock.now() - datetime.timedelta(hours=25))
    again = api.post("/customers", {"name": "Ada"}, idempotency_key="aged")
    assert not is_replay(again) and again.json()["id"] != first.json()["id"]


# --- a key whose first request is still running -------------------------------------------------


def _in_flight(business, key: str, path: str, body: dict, created: datetime.datetime) -> None:
    """The record a request leaves while it runs (its fingerprint is the one the API computes)."""
    from django.test import RequestFactory

    from paydesk.api.idempotency import _fingerprint

    request = RequestFactory().post(path, data=json.dumps(body), content_type="application/json")
    IdempotencyRecord.objects.create(
        business=business,
        livemode=False,
        key=key,
        request_method="POST",
        request_path=path,
        request_fingerprint=_fingerprint(request),
        created=created,
    )


def test_the_same_key_while_the_first_request_runs_is_409(api, business):
    with clock.frozen_at(START):
        _in_flight(business, "busy", "/api/v1/customers", {"name": "Ada"}, START)
        before = row_counts()
        response = api.post("/customers", {"name": "Ada"}, idempotency_key="busy")
    assert_idempotency_error(response, "idempotency_key_in_use", status=409)
    assert row_counts() == before


def test_a_request_abandoned_for_five_minutes_lets_the_retry_run(api, business):
    _in_flight(business, "crashed", "/api/v1/customers", {"name": "Ada"}, START)
    with clock.frozen_at(START + datetime.timedelta(minutes=5, seconds=1)):
        response = api.post("/customers", {"name": "Ada"}, idempotency_key="crashed")
    assert response.status_code == 200 and not is_replay(response)
    assert Customer.objects.count() == 1


# --- what a key may be, and what is never stored ----------------------------------------------


@pytest.mark.parametrize("key", ["k" * 256, "tab\there", "bell\x07"], ids=["too long", "tab", "control"])
def test_an_invalid_key_is_refused_and_nothing_runs(api, key):
    before = row_counts(ignore=())
    response = api.post("/customers", {"name": "Ada"}, idempotency_key=key)
    assert_idempotency_error(response, "idempotency_key_invalid")
    assert row_counts(ignore=()) == before


def test_a_key_of_255_characters_is_accepted(api):
    first = api.post("/customers", {"name": "Ada"}, idempotency_key="k" * 255)
    assert first.status_code == 200
    assert is_replay(api.post("/customers", {"name": "Ada"}, idempotency_key="k" * 255))


def test_a_refusal_before_the_endpoint_is_not_stored(api):
    # given a keyed create refused for an unknown query parameter (a typo in the URL)
    typo = api.client.post(
        "/api/v1/customers?nmae=Ada",
        data=json.dumps({"name": "Ada"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.secret_key}",
        HTTP_IDEMPOTENCY_KEY="fixed-url",
    )
    assert typo.status_code == 400 and typo.json()["error"]["code"] == "parameter_unknown"
    # when the client fixes the URL and retries with the same key
    fixed = api.post("/customers", {"name": "Ada"}, idempotency_key="fixed-url")
    # then the request runs: the refusal was never the key's answer
    assert fixed.status_code == 200 and not is_replay(fixed)


def test_an_authentication_failure_is_not_stored(api):
    refused = api.client.post(
        "/api/v1/customers",
        data=json.dumps({"name": "Ada"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer sk_test_wrong",
        HTTP_IDEMPOTENCY_KEY="auth",
    )
    assert refused.status_code == 401
    assert IdempotencyRecord.objects.count() == 0
    assert not is_replay(api.post("/customers", {"name": "Ada"}, idempotency_key="auth"))


def test_a_key_on_a_read_is_ignored(api, customer):
    response = api.client.get(
        f"/api/v1/customers/{customer.public_id}",
        HTTP_AUTHORIZATION=f"Bearer {api.secret_key}",
        HTTP_IDEMPOTENCY_KEY="read",
    )
    assert response.status_code == 200 and not is_replay(response)
    assert IdempotencyRecord.objects.count() == 0
