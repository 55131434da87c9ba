"""Bad input never gives a 500 or a half-done write.

Every refusal is a 4xx with ``{"error": {"type", "code", "message", "param"}}``, ``param``
names the one field at fault in Stripe's spelling (``lines[0][quantity]``), and the row
counts of every Paydesk table are the same after the refused request as before it.
Card errors are the one refusal that writes: a 402 whose failed payment stays on record.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from paydesk.businesses.models import ApiKey
from paydesk.core import clock
from paydesk.invoicing.services import invoice_mark_uncollectible, invoice_void
from paydesk.ledger.models import JournalTransaction
from paydesk.payments.models import Payment, PaymentAllocation
from paydesk.payments.services import payment_create

from ..conftest import GOOD_CARD_NUMBER, card, make_invoice

pytestmark = pytest.mark.django_db

EXP_YEAR = 2030


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The `business` fixture gives its owner a password; the real hasher costs ~0.3 s a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def card_body(number=GOOD_CARD_NUMBER, *, cvc="123", exp_month=12, exp_year=EXP_YEAR):
    return {"type": "card", "card": {"number": number, "exp_month": exp_month, "exp_year": exp_year, "cvc": cvc}}


def row_counts() -> dict[str, int]:
    """How many rows every Paydesk table holds: the witness that nothing was written."""
    return {
        model._meta.label: model._default_manager.count()
        for config in apps.get_app_configs()
        if config.name.startswith("paydesk")
        for model in config.get_models()
    }


def assert_error(response, status: int, code: str, param: str | None, *, type: str = "invalid_request_error") -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert list(body) == ["error"]
    error = body["error"]
    assert {"type", "code", "message", "param"} <= set(error)
    assert (error["type"], error["code"], error["param"]) == (type, code, param), error
    assert isinstance(error["message"], str) and error["message"].strip()
    return error


def with_changes(base: dict, **changes) -> dict:
    return {**base, **changes}


def line(**changes) -> dict:
    return {"description": "Call-out", "quantity": 2, "unit_amount": 5000, "tax_rate_percent": 20, **changes}


# --- authentication ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "api_key_missing"),
        ("", "api_key_missing"),
        ("Bearer", "api_key_missing"),
        ("Bearer sk_test_not_a_real_key", "api_key_invalid"),
        ("Bearer " + "x" * 500, "api_key_invalid"),
        ("Basic {secret}", "api_key_missing"),
        ("{secret}", "api_key_missing"),
        ("Bearer {publishable}", "secret_key_required"),
    ],
)
@pytest.mark.parametrize(("method", "path"), [("get", "/api/v1/customers"), ("post", "/api/v1/customers")])
def test_missing_or_wrong_key_is_401_and_writes_nothing(api, created_business, authorization, code, method, path):
    # given a header that is absent, malformed, unknown or a publishable key
    headers = {}
    if authorization is not None:
        headers["HTTP_AUTHORIZATION"] = authorization.format(
            secret=created_business.secret_key, publishable=created_business.publishable_key
        )
    before = row_counts()
    # when a read or a write is attempted with it
    if method == "post":
        response = api.client.post(path, data=json.dumps({"name": "Mallory"}), content_type="application/json", **headers)
    else:
        response = api.client.get(path, **headers)
    # then it is refused as an authentication error and nothing is written
    assert_error(response, 401, code, None, type="authentication_error")
    assert row_counts() == before


def test_revoked_key_is_401(api, business):
    # given the business's secret key was revoked
    ApiKey.objects.filter(business=business, kind="secret").update(revoked_at=clock.now())
    # when it is used
    response = api.get("/customers")
    # then it is refused like a key that never existed
    assert_error(response, 401, "api_key_invalid", None, type="authentication_error")


# --- bodies that are not a JSON object ----------------------------------------------------


MALFORMED_BODIES = {
    "not json": b"{not json",
    "truncated": b'{"name": "Ada"',
    "empty": b"",
    "array": b"[1, 2]",
    "string": b'"customer"',
    "null": b"null",
    "number": b"42",
    "not utf-8": b"\xff\xfe\x00{",
    "nested too deep": b"[" * 100_000 + b"]" * 100_000,
    "integer past python's digit limit": b'{"amount": ' + b"9" * 5000 + b"}",
}


@pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
def test_a_body_that_is_not_a_json_object_is_400(api, open_invoice, body):
    # given an open invoice, so a well-formed payment body would have been accepted
    before = row_counts()
    for path in ("/customers", "/invoices", "/payments", "/refunds", "/webhook_endpoints"):
        # when the body sent to a create cannot be read as a JSON object
        response = api.post(path, raw=body)
        # then the whole body is at fault (no param) and nothing is written
        assert_error(response, 400, "request_body_invalid", None)
        assert row_counts() == before, path


def test_a_form_encoded_body_is_400(api):
    before = row_counts()
    response = api.client.post(
        "/api/v1/customers", data={"name": "Ada"}, HTTP_AUTHORIZATION=f"Bearer {api.secret_key}"
    )
    assert_error(response, 400, "request_body_invalid", None)
    assert row_counts() == before


def test_a_body_past_the_size_limit_is_413(api, settings):
    # given a limit of 10 kB on request bodies
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = row_counts()
    # when a customer is created with a 20 kB body
    response = api.post("/customers", raw=json.dumps({"name": "x" * 20_000}).encode())
    # then it is refused in the envelope (Django's own answer would be a bare 400 page)
    assert_error(response, 413, "request_too_large", None)
    assert row_counts() == before


# --- invoices -----------------------------------------------------------------------------


def invoice_body(customer_id: str) -> dict:
    return {"customer": customer_id, "currency": "usd", "due_date": "2030-01-31", "lines": [line(), line()]}


INVOICE_REFUSALS = [
    # (id, changes to a valid body, status, code, param)
    ("unit_amount float", {"lines": [line(unit_amount=10.0)]}, 400, "parameter_invalid_integer", "lines[0][unit_amount]"),
    ("unit_amount string", {"lines": [line(unit_amount="10")]}, 400, "parameter_invalid_integer", "lines[0][unit_amount]"),
    ("unit_amount true", {"lines": [line(unit_amount=True)]}, 400, "parameter_invalid_integer", "lines[0][unit_amount]"),
    ("unit_amount null", {"lines": [line(unit_amount=None)]}, 400, "parameter_invalid_integer", "lines[0][unit_amount]"),
    ("unit_amount negative", {"lines": [line(unit_amount=-1)]}, 400, "parameter_out_of_range", "lines[0][unit_amount]"),
    ("unit_amount past 10^12", {"lines": [line(unit_amount=10**12 + 1)]}, 400, "parameter_out_of_range", "lines[0][unit_amount]"),
    ("unit_amount past 2^64", {"lines": [line(unit_amount=2**64)]}, 400, "parameter_out_of_range", "lines[0][unit_amount]"),
    ("quantity float", {"lines": [line(quantity=2.5)]}, 400, "parameter_invalid_integer", "lines[0][quantity]"),
    ("quantity whole float", {"lines": [line(quantity=2.0)]}, 400, "parameter_invalid_integer", "lines[0][quantity]"),
    ("quantity string", {"lines": [line(quantity="2")]}, 400, "parameter_invalid_integer", "lines[0][quantity]"),
    ("quantity true", {"lines": [line(quantity=True)]}, 400, "parameter_invalid_integer", "lines[0][quantity]"),
    ("quantity zero", {"lines": [line(quantity=0)]}, 400, "parameter_out_of_range", "lines[0][quantity]"),
    ("quantity negative", {"lines": [line(quantity=-3)]}, 400, "parameter_out_of_range", "lines[0][quantity]"),
    ("quantity past a million", {"lines": [line(quantity=1_000_001)]}, 400, "parameter_out_of_range", "lines[0][quantity]"),
    ("fault on the second line", {"lines": [line(), line(quantity=0)]}, 400, "parameter_out_of_range", "lines[1][quantity]"),
    ("line total past 10^12", {"lines": [line(quantity=1_000_000, unit_amount=10**12)]}, 400, "amount_too_large", "lines"),
    ("sum of lines past 10^12", {"lines": [line(quantity=1, unit_amount=10**12)] * 2}, 400, "amount_too_large", "lines"),
    ("tax past 100%", {"lines": [line(tax_rate_percent=100.5)]}, 400, "parameter_out_of_range", "lines[0][tax_rate_percent]"),
    ("tax negative", {"lines": [line(tax_rate_percent=-1)]}, 400, "parameter_out_of_range", "lines[0][tax_rate_percent]"),
    ("tax NaN", {"lines": [line(tax_rate_percent="NaN")]}, 400, "parameter_invalid_decimal", "lines[0][tax_rate_percent]"),
    ("tax Infinity", {"lines": [line(tax_rate_percent="Infinity")]}, 400, "parameter_invalid_decimal", "lines[0][tax_rate_percent]"),
    ("tax five decimals", {"lines": [line(tax_rate_percent="7.12345")]}, 400, "parameter_invalid_decimal", "lines[0][tax_rate_percent]"),
    ("tax not a number", {"lines": [line(tax_rate_percent="twenty")]}, 400, "parameter_invalid_decimal", "lines[0][tax_rate_percent]"),
    ("tax true", {"lines": [line(tax_rate_percent=True)]}, 400, "parameter_invalid_decimal", "lines[0][tax_rate_percent]"),
    ("line description blank", {"lines": [line(description="   ")]}, 400, "parameter_missing", "lines[0][description]"),
    ("line description empty", {"lines": [line(description="")]}, 400, "parameter_invalid_empty", "lines[0][description]"),
    ("line description too long", {"lines": [line(description="x" * 501)]}, 400, "parameter_invalid_string", "lines[0][description]"),
    ("line description NUL", {"lines": [line(description="Call\x00out")]}, 400, "parameter_invalid_string", "lines[0][description]"),
    ("line description missing", {"lines": [{"quantity": 1, "unit_amount": 5}]}, 400, "parameter_missing", "lines[0][description]"),
    ("unknown line parameter", {"lines": [line(colour="red")]}, 400, "parameter_unknown", "lines[0][colour]"),
    ("no lines", {"lines": []}, 400, "parameter_invalid_empty", "lines"),
    ("lines not a list", {"lines": line()}, 400, "parameter_invalid_array", "lines"),
    ("too many lines", {"lines": [line(quantity=1, unit_amount=1)] * 101}, 400, "parameter_invalid_array", "lines"),
    ("currency upper-case", {"currency": "USD"}, 400, "parameter_invalid_string", "currency"),
    ("currency unknown", {"currency": "xyz"}, 400, "currency_invalid", "currency"),
    ("currency for testing", {"currency": "xts"}, 400, "currency_invalid", "currency"),
    ("currency two letters", {"currency": "us"}, 400, "parameter_invalid_string", "currency"),
    ("currency numeric", {"currency": 840}, 400, "parameter_invalid_string", "currency"),
    ("discount float", {"discount_amount": 10.5}, 400, "parameter_invalid_integer", "discount_amount"),
    ("discount negative", {"discount_amount": -1}, 400, "parameter_out_of_range", "discount_amount"),
    ("discount larger than subtotal", {"discount_amount": 20_001}, 400, "discount_too_large", "discount_amount"),
    ("due date impossible", {"due_date": "2030-02-30"}, 400, "parameter_invalid_date", "due_date"),
    ("due date as seconds", {"due_date": 0}, 400, "parameter_invalid_date", "due_date"),
    ("due date with a time", {"due_date": "2030-01-31T00:00:00"}, 400, "parameter_invalid_date", "due_date"),
    ("description too long", {"description": "x" * 5001}, 400, "parameter_invalid_string", "description"),
    ("unknown parameter", {"colour": "red"}, 400, "parameter_unknown", "colour"),
    ("customer not a string", {"customer": 5}, 400, "parameter_invalid_string", "customer"),
    ("customer unknown", {"customer": "cus_doesnotexist"}, 404, "resource_missing", "customer"),
    ("customer of another kind", {"customer": "inv_doesnotexist"}, 404, "resource_missing", "customer"),
]


@pytest.mark.parametrize(
    ("changes", "status", "code", "param"),
    [case[1:] for case in INVOICE_REFUSALS],
    ids=[case[0] for case in INVOICE_REFUSALS],
)
def test_invoice_create_refuses_bad_input_and_writes_nothing(api, customer, changes, status, code, param):
    # given a body that would be accepted as it is
    body = invoice_body(customer.public_id)
    before = row_counts()
    # when one field is made wrong
    response = api.post("/invoices", with_changes(body, **changes))
    # then the refusal names that field and nothing is written
    assert_error(response, status, code, param)
    assert row_counts() == before


@pytest.mark.parametrize(("missing", "param"), [("customer", "customer"), ("currency", "currency"), ("lines", "lines")])
def test_invoice_create_names_a_missing_required_field(api, customer, missing, param):
    body = invoice_body(customer.public_id)
    del body[missing]
    before = row_counts()
    error = assert_error(api.post("/invoices", body), 400, "parameter_missing", param)
    assert error["message"] == f"Missing required param: {param}."
    assert row_counts() == before


def test_the_valid_invoice_body_of_these_tables_is_accepted(api, customer):
    # Without this, a table row could pass because the "valid" base body was never valid.
    response = api.post("/invoices", invoice_body(customer.public_id))
    assert response.status_code == 200, response.json()
    assert (response.json()["subtotal"], response.json()["total"]) == (20_000, 24_000)


def test_a_discount_equal_to_the_subtotal_is_accepted(api, customer):
    response = api.post("/invoices", with_changes(invoice_body(customer.public_id), discount_amount=20_000))
    assert response.status_code == 200, response.json()
    assert (response.json()["discount_amount"], response.json()["total"]) == (20_000, 0)


def test_an_invoice_of_exactly_one_hundred_lines_and_10_to_the_12_is_accepted(api, customer):
    lines = [line(quantity=1, unit_amount=10**10, tax_rate_percent=0)] * 100
    response = api.post("/invoices", with_changes(invoice_body(customer.public_id), lines=lines))
    assert response.status_code == 200, response.json()
    assert response.json()["total"] == 10**12


# --- customers ----------------------------------------------------------------------------


CUSTOMER_REFUSALS = [
    ("name too long", {"name": "x" * 201}, "parameter_invalid_string", "name"),
    ("name not a string", {"name": 5}, "parameter_invalid_string", "name"),
    ("name with NUL", {"name": "Ada\x00"}, "parameter_invalid_string", "name"),
    ("email malformed", {"email": "not-an-email"}, "parameter_invalid_string", "email"),
    ("locale malformed", {"preferred_locales": ["english"]}, "parameter_invalid_string", "preferred_locales[0]"),
    ("locales not a list", {"preferred_locales": "en"}, "parameter_invalid_array", "preferred_locales"),
    ("too many locales", {"preferred_locales": ["en"] * 6}, "parameter_invalid_array", "preferred_locales"),
    ("unknown parameter", {"nme": "Ada"}, "parameter_unknown", "nme"),
]


@pytest.mark.parametrize(
    ("body", "code", "param"), [case[1:] for case in CUSTOMER_REFUSALS], ids=[case[0] for case in CUSTOMER_REFUSALS]
)
def test_customer_create_refuses_bad_input_and_writes_nothing(api, body, code, param):
    before = row_counts()
    assert_error(api.post("/customers", body), 400, code, param)
    assert row_counts() == before


@pytest.mark.parametrize(
    ("body", "code", "param"), [case[1:] for case in CUSTOMER_REFUSALS], ids=[case[0] for case in CUSTOMER_REFUSALS]
)
def test_customer_update_refuses_bad_input_and_changes_nothing(api, customer, body, code, param):
    before = row_counts()
    shown_before = api.get(f"/customers/{customer.public_id}").json()
    assert_error(api.post(f"/customers/{customer.public_id}", body), 400, code, param)
    assert api.get(f"/customers/{customer.public_id}").json() == shown_before
    assert row_counts() == before


# --- payments: refused before any charge ----------------------------------------------------


def payment_body(invoice_id: str, **changes) -> dict:
    return {"invoice": invoice_id, "amount": 5000, "payment_method": card_body(), **changes}


def card_changes(**card_fields) -> dict:
    body = card_body()
    body["card"].update(card_fields)
    return {"payment_method": body}


PAYMENT_REFUSALS = [
    ("amount float", {"amount": 10.0}, 400, "parameter_invalid_integer", "amount"),
    ("amount string", {"amount": "10"}, 400, "parameter_invalid_integer", "amount"),
    ("amount true", {"amount": True}, 400, "parameter_invalid_integer", "amount"),
    ("amount zero", {"amount": 0}, 400, "parameter_out_of_range", "amount"),
    ("amount negative", {"amount": -500}, 400, "parameter_out_of_range", "amount"),
    ("amount past 10^12", {"amount": 10**12 + 1}, 400, "parameter_out_of_range", "amount"),
    ("amount past 2^64", {"amount": 10**30}, 400, "parameter_out_of_range", "amount"),
    ("amount more than remains", {"amount": 12_001}, 400, "amount_too_large", "amount"),
    ("invoice unknown", {"invoice": "inv_doesnotexist"}, 404, "resource_missing", "invoice"),
    ("invoice not a string", {"invoice": 12}, 400, "parameter_invalid_string", "invoice"),
    ("unknown parameter", {"currency": "usd"}, 400, "parameter_unknown", "currency"),
    ("method type unknown", {"payment_method": {**card_body(), "type": "bank"}}, 400, "parameter_invalid_value", "payment_method[type]"),
    # a string is a saved card's id, so a word that is not one is an unknown saved card
    ("method a string that is no saved card", {"payment_method": "card"}, 404, "resource_missing", "payment_method"),
    ("method not an object", {"payment_method": 12}, 400, "parameter_invalid_object", "payment_method"),
    ("card missing", {"payment_method": {"type": "card"}}, 400, "parameter_missing", "payment_method[card]"),
    ("card exp_month string", card_changes(exp_month="12"), 400, "parameter_invalid_integer", "payment_method[card][exp_month]"),
    ("card exp_year float", card_changes(exp_year=2030.0), 400, "parameter_invalid_integer", "payment_method[card][exp_year]"),
    ("card cvc number", card_changes(cvc=123), 400, "parameter_invalid_string", "payment_method[card][cvc]"),
    ("card number number", card_changes(number=4242424242424242), 400, "parameter_invalid_string", "payment_method[card][number]"),
    ("card number empty", card_changes(number=""), 400, "parameter_invalid_empty", "payment_method[card][number]"),
    ("card unknown field", card_changes(name="Ada"), 400, "parameter_unknown", "payment_method[card][name]"),
    ("return_url too long", {"return_url": "https://x.test/" + "a" * 500}, 400, "parameter_invalid_string", "return_url"),
]


@pytest.mark.parametrize(
    ("changes", "status", "code", "param"),
    [case[1:] for case in PAYMENT_REFUSALS],
    ids=[case[0] for case in PAYMENT_REFUSALS],
)
def test_payment_create_refuses_bad_input_before_charging(api, open_invoice, changes, status, code, param):
    # given an open invoice for 120.00
    before = row_counts()
    # when a payment with one wrong field is attempted
    response = api.post("/payments", payment_body(open_invoice.public_id, **changes))
    # then nothing is charged, recorded or allocated
    assert_error(response, status, code, param)
    assert row_counts() == before
    invoice = api.get(f"/invoices/{open_invoice.public_id}").json()
    assert (invoice["status"], invoice["amount_paid"], invoice["amount_remaining"]) == ("open", 0, 12_000)


def test_the_valid_payment_body_of_that_table_is_accepted(api, open_invoice):
    response = api.post("/payments", payment_body(open_invoice.public_id))
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["amount"]) == ("succeeded", 5000)


def test_paying_more_than_remains_after_a_part_payment_is_refused(api, open_invoice):
    # given 50.00 of 120.00 paid
    assert api.post("/payments", payment_body(open_invoice.public_id, amount=5000)).status_code == 200
    before = row_counts()
    # when 70.01 is offered
    response = api.post("/payments", payment_body(open_invoice.public_id, amount=7001))
    # then it is refused and the rest is still payable to the cent
    error = assert_error(response, 400, "amount_too_large", "amount")
    assert "7000" in error["message"]
    assert row_counts() == before
    assert api.post("/payments", payment_body(open_invoice.public_id, amount=7000)).json()["status"] == "succeeded"


def _void(business, customer):
    return invoice_void(invoice=make_invoice(business, customer))


def _paid(business, customer):
    invoice = make_invoice(business, customer)
    payment_create(invoice=invoice, card=card())
    return invoice


def _draft(business, customer):
    return make_invoice(business, customer, finalize=False)


def _written_off(business, customer):
    return invoice_mark_uncollectible(invoice=make_invoice(business, customer))


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (_void, "invoice_void"),
        (_paid, "invoice_already_paid"),
        (_draft, "invoice_not_open"),
        (_written_off, "invoice_uncollectible"),
    ],
    ids=["void", "paid", "draft", "uncollectible"],
)
@pytest.mark.parametrize("amount", [None, 100], ids=["whole", "part"])
def test_an_invoice_that_is_not_open_cannot_be_paid(api, business, customer, make, code, amount):
    # given an invoice that is void, paid, a draft or written off
    invoice = make(business, customer)
    before = row_counts()
    # when a payment is attempted
    body = payment_body(invoice.public_id)
    if amount is None:
        del body["amount"]
    else:
        body["amount"] = amount
    response = api.post("/payments", body)
    # then it is refused with a code saying why, and no payment is recorded
    assert_error(response, 400, code, "invoice")
    assert row_counts() == before


# --- refunds ------------------------------------------------------------------------------


@pytest.fixture
def succeeded_payment(api, open_invoice) -> dict:
    response = api.post("/payments", payment_body(open_invoice.public_id, amount=12_000))
    assert response.status_code == 200, response.json()
    return response.json()


REFUND_REFUSALS = [
    ("more than was paid", {"amount": 12_001}, 400, "amount_too_large", "amount"),
    ("amount past 10^12", {"amount": 10**12 + 1}, 400, "parameter_out_of_range", "amount"),
    ("amount zero", {"amount": 0}, 400, "parameter_out_of_range", "amount"),
    ("amount float", {"amount": 1.5}, 400, "parameter_invalid_integer", "amount"),
    ("amount string", {"amount": "100"}, 400, "parameter_invalid_integer", "amount"),
    ("reason unknown", {"reason": "because"}, 400, "parameter_invalid_value", "reason"),
    ("unknown parameter", {"note": "sorry"}, 400, "parameter_unknown", "note"),
    ("payment unknown", {"payment": "pay_doesnotexist"}, 404, "resource_missing", "payment"),
]


@pytest.mark.parametrize(
    ("changes", "status", "code", "param"),
    [case[1:] for case in REFUND_REFUSALS],
    ids=[case[0] for case in REFUND_REFUSALS],
)
def test_refund_create_refuses_bad_input(api, succeeded_payment, changes, status, code, param):
    before = row_counts()
    response = api.post("/refunds", {"payment": succeeded_payment["id"], **changes})
    assert_error(response, status, code, param)
    assert row_counts() == before
    assert api.get(f"/payments/{succeeded_payment['id']}").json()["amount_refunded"] == 0


def test_an_over_refund_after_a_partial_refund_is_refused(api, succeeded_payment):
    # given 20.00 of 120.00 refunded
    assert api.post("/refunds", {"payment": succeeded_payment["id"], "amount": 2000}).status_code == 200
    before = row_counts()
    # when 100.01 more is asked for
    response = api.post("/refunds", {"payment": succeeded_payment["id"], "amount": 10_001})
    # then it is refused; exactly what remains can still be refunded
    assert_error(response, 400, "amount_too_large", "amount")
    assert row_counts() == before
    assert api.post("/refunds", {"payment": succeeded_payment["id"], "amount": 10_000}).json()["status"] == "succeeded"
    assert api.get(f"/payments/{succeeded_payment['id']}").json()["amount_refunded"] == 12_000


def test_a_fully_refunded_payment_cannot_be_refunded_again(api, succeeded_payment):
    assert api.post("/refunds", {"payment": succeeded_payment["id"]}).json()["amount"] == 12_000
    before = row_counts()
    assert_error(api.post("/refunds", {"payment": succeeded_payment["id"]}), 400, "charge_already_refunded", "payment")
    assert row_counts() == before


def test_a_failed_payment_cannot_be_refunded(api, open_invoice):
    declined = api.post("/payments", payment_body(open_invoice.public_id, payment_method=card_body("4000000000000002")))
    payment_id = declined.json()["error"]["payment"]
    before = row_counts()
    assert_error(api.post("/refunds", {"payment": payment_id}), 400, "payment_not_refundable", "payment")
    assert row_counts() == before


# --- card errors: 402, and the failed payment stays on record -------------------------------


@pytest.mark.parametrize(
    ("number", "code", "decline_code"),
    [
        ("4000000000000002", "card_declined", "generic_decline"),
        ("4000000000009995", "card_declined", "insufficient_funds"),
        ("4000000000000069", "expired_card", "expired_card"),
        ("4000000000000127", "incorrect_cvc", "incorrect_cvc"),
    ],
)
def test_a_declined_card_is_402_with_the_failed_payment_retrievable(api, open_invoice, number, code, decline_code):
    # given an open invoice and a test card the sandbox declines
    allocations_before = PaymentAllocation.objects.count()
    journal_before = JournalTransaction.objects.count()
    # when it is used to pay
    response = api.post("/payments", payment_body(open_invoice.public_id, payment_method=card_body(number)))
    # then the answer is a card error naming the decline and the failed payment
    error = assert_error(response, 402, code, None, type="card_error")
    assert error["decline_code"] == decline_code
    assert error["payment"].startswith("pay_")
    payment = api.get(f"/payments/{error['payment']}").json()
    assert (payment["status"], payment["amount"], payment["invoice"]) == ("failed", 5000, open_invoice.public_id)
    assert payment["last_payment_error"]["code"] == code
    assert payment["last_payment_error"]["decline_code"] == decline_code
    assert payment["payment_method"]["card"]["last4"] == number[-4:]
    # and no money moved: the invoice is untouched and the books have no new entry
    invoice = api.get(f"/invoices/{open_invoice.public_id}").json()
    assert (invoice["status"], invoice["amount_paid"], invoice["amount_remaining"]) == ("open", 0, 12_000)
    assert PaymentAllocation.objects.count() == allocations_before
    assert JournalTransaction.objects.count() == journal_before
    failed_events = api.get("/events", type="payment.failed").json()["data"]
    assert [event["data"]["object"]["id"] for event in failed_events] == [error["payment"]]


@pytest.mark.parametrize(
    ("card_fields", "code", "param"),
    [
        ({"number": "4242424242424241"}, "incorrect_number", "payment_method[card][number]"),
        ({"number": "4242 4242 4242 4241"}, "incorrect_number", "payment_method[card][number]"),
        ({"number": "4242abcd42424242"}, "incorrect_number", "payment_method[card][number]"),
        ({"cvc": "12"}, "invalid_cvc", "payment_method[card][cvc]"),
        ({"cvc": "12a"}, "invalid_cvc", "payment_method[card][cvc]"),
        ({"exp_month": 13}, "invalid_expiry_month", "payment_method[card][exp_month]"),
        ({"exp_month": 0}, "invalid_expiry_month", "payment_method[card][exp_month]"),
        ({"exp_year": 2020}, "invalid_expiry_year", "payment_method[card][exp_year]"),
        ({"exp_year": 10**20}, "invalid_expiry_year", "payment_method[card][exp_year]"),
    ],
)
def test_an_invalid_card_field_is_a_402_naming_the_field(api, open_invoice, card_fields, code, param):
    # when a card with one wrong field is used
    response = api.post("/payments", payment_body(open_invoice.public_id, **card_changes(**card_fields)))
    # then the card error names the field, and the attempt is on record as failed
    error = assert_error(response, 402, code, param, type="card_error")
    assert error["decline_code"] is None
    assert api.get(f"/payments/{error['payment']}").json()["status"] == "failed"
    assert api.get(f"/invoices/{open_invoice.public_id}").json()["amount_paid"] == 0


@pytest.mark.parametrize("number", ["²" * 16, "٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢"], ids=["superscript", "arabic-indic"])
def test_a_card_number_of_non_ascii_digits_is_an_incorrect_number(api, open_invoice, number):
    response = api.post("/payments", payment_body(open_invoice.public_id, **card_changes(number=number)))
    assert_error(response, 402, "incorrect_number", "payment_method[card][number]", type="card_error")
    assert api.get(f"/invoices/{open_invoice.public_id}").json()["amount_paid"] == 0


def test_three_d_secure_approved_succeeds_the_payment(api, open_invoice):
    # given a payment with a card that asks for 3-D Secure
    response = api.post("/payments", payment_body(open_invoice.public_id, payment_method=card_body("4000002500003155")))
    assert response.status_code == 200, response.json()
    payment = response.json()
    assert payment["status"] == "requires_action"
    assert payment["next_action"]["type"] == "redirect_to_url"
    assert payment["next_action"]["redirect_url"].startswith("http")
    assert api.get(f"/invoices/{open_invoice.public_id}").json()["amount_paid"] == 0
    # when the payer approves the challenge
    approved = api.post(f"/test_helpers/payments/{payment['id']}/authenticate", {"outcome": "approve"})
    # then the payment succeeds and counts toward the invoice
    assert approved.status_code == 200, approved.json()
    assert (approved.json()["status"], approved.json()["next_action"]) == ("succeeded", None)
    assert api.get(f"/invoices/{open_invoice.public_id}").json()["amount_paid"] == 5000


def test_three_d_secure_failed_is_a_402_and_the_payment_stays_failed(api, open_invoice):
    payment = api.post("/payments", payment_body(open_invoice.public_id, payment_method=card_body("4000002500003155"))).json()
    # when the payer fails the challenge
    response = api.post(f"/test_helpers/payments/{payment['id']}/authenticate", {"outcome": "fail"})
    # then it is a card error for that payment, which stays failed and retrievable
    error = assert_error(response, 402, "card_declined", None, type="card_error")
    assert (error["decline_code"], error["payment"]) == ("authentication_failed", payment["id"])
    assert api.get(f"/payments/{payment['id']}").json()["status"] == "failed"
    assert api.get(f"/invoices/{open_invoice.public_id}").json()["amount_paid"] == 0
    # and approving afterwards changes nothing
    again = api.post(f"/test_helpers/payments/{payment['id']}/authenticate", {"outcome": "approve"})
    assert_error(again, 402, "card_declined", None, type="card_error")
    assert api.get(f"/invoices/{open_invoice.public_id}").json()["amount_paid"] == 0


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"outcome": "maybe"}, "parameter_invalid_value", "outcome"),
        ({"outcome": True}, "parameter_invalid_value", "outcome"),
        ({"outcome": "approve", "extra": 1}, "parameter_unknown", "extra"),
    ],
)
def test_three_d_secure_answer_must_be_approve_or_fail(api, open_invoice, body, code, param):
    payment = api.post("/payments", payment_body(open_invoice.public_id, payment_method=card_body("4000002500003155"))).json()
    before = row_counts()
    assert_error(api.post(f"/test_helpers/payments/{payment['id']}/authenticate", body), 400, code, param)
    assert row_counts() == before
    assert api.get(f"/payments/{payment['id']}").json()["status"] == "requires_action"


# --- webhook endpoints --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"url": "ftp://example.test/hook"}, "url_invalid", "url"),
        ({"url": "not a url"}, "url_invalid", "url"),
        ({"url": ""}, "parameter_invalid_empty", "url"),
        ({}, "parameter_missing", "url"),
        ({"url": "https://example.test/hook", "enabled_events": []}, "parameter_invalid_empty", "enabled_events"),
        ({"url": "https://example.test/hook", "enabled_events": "*"}, "parameter_invalid_array", "enabled_events"),
        ({"url": "https://example.test/hook", "enabled_events": ["invoice paid"]}, "event_type_invalid", "enabled_events"),
        ({"url": "https://example.test/hook", "secret": "mine"}, "parameter_unknown", "secret"),
    ],
)
def test_webhook_endpoint_create_refuses_bad_input(api, body, code, param):
    before = row_counts()
    assert_error(api.post("/webhook_endpoints", body), 400, code, param)
    assert row_counts() == before


# --- URLs, methods, query parameters and ids ------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/customers/cus_doesnotexist",
        "/invoices/inv_doesnotexist",
        "/payments/pay_doesnotexist",
        "/refunds/re_doesnotexist",
        "/events/evt_doesnotexist",
        "/webhook_endpoints/we_doesnotexist",
        "/customers/inv_wrongkind",
    ],
)
def test_retrieving_an_unknown_id_is_404_resource_missing(api, path):
    error = assert_error(api.get(path), 404, "resource_missing", None)
    assert path.rsplit("/", 1)[1] in error["message"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/customers/cus_doesnotexist", {"name": "Ada"}),
        ("/invoices/inv_doesnotexist/finalize", {}),
        ("/invoices/inv_doesnotexist/void", {}),
        ("/invoices/inv_doesnotexist/mark_uncollectible", {}),
        ("/payments/pay_doesnotexist/cancel", {}),
        ("/test_helpers/payments/pay_doesnotexist/authenticate", {"outcome": "approve"}),
    ],
)
def test_writing_to_an_unknown_id_is_404_and_writes_nothing(api, customer, path, body):
    before = row_counts()
    assert_error(api.post(path, body), 404, "resource_missing", None)
    assert row_counts() == before


def test_deleting_an_unknown_webhook_endpoint_is_404(api):
    before = row_counts()
    assert_error(api.delete("/webhook_endpoints/we_doesnotexist"), 404, "resource_missing", None)
    assert row_counts() == before


@pytest.mark.parametrize("path", ["/nothing", "/customers/", "/invoices/inv_x/pay", "/v2/customers"])
def test_an_unknown_url_is_404_in_the_envelope(api, path):
    error = assert_error(api.get(path), 404, "resource_missing", None)
    assert f"/api/v1{path}" in error["message"]


@pytest.mark.parametrize(("method", "path"), [("delete", "/customers"), ("put", "/invoices"), ("patch", "/payments")])
def test_an_unknown_method_is_405_in_the_envelope(api, method, path):
    before = row_counts()
    response = getattr(api.client, method)(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {api.secret_key}")
    assert_error(response, 405, "method_not_allowed", None)
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
    assert row_counts() == before


def test_an_unknown_url_without_a_key_is_still_401(api):
    response = api.client.get("/api/v1/nothing")
    assert_error(response, 401, "api_key_missing", None, type="authentication_error")


@pytest.mark.parametrize(
    ("path", "params", "unknown"),
    [
        ("/invoices", {"stauts": "open"}, "stauts"),
        ("/customers", {"limit": 2, "colour": "red"}, "colour"),
        ("/events", {"types": "invoice.paid"}, "types"),
        ("/customers/{customer}", {"expand": "invoices"}, "expand"),
    ],
)
def test_an_unknown_query_parameter_is_refused(api, customer, path, params, unknown):
    # A typo in a filter must not quietly return everything.
    error = assert_error(api.get(path.format(customer=customer.public_id), **params), 400, "parameter_unknown", unknown)
    assert error["message"] == f"Received unknown parameter: {unknown}"


def test_a_query_parameter_on_a_create_is_refused_and_writes_nothing(api):
    before = row_counts()
    response = api.client.post(
        "/api/v1/customers?name=Ada",
        data=json.dumps({"email": "ada@example.test"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.secret_key}",
    )
    assert_error(response, 400, "parameter_unknown", "name")
    assert row_counts() == before


@pytest.mark.parametrize("path", ["/customers/cus_%00", "/customers?email=a%00b", "/invoices?status=open%00"])
def test_a_nul_character_in_the_url_is_400(api, path):
    # PostgreSQL cannot compare text with NUL in it; the question must be refused, not crash.
    response = api.client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {api.secret_key}")
    assert_error(response, 400, "parameter_invalid_string", None)


# --- never a 500, whatever the shape ---------------------------------------------------------

# Derandomized and without an example database: the same inputs every run, nothing written
# to the working tree. The fixtures are shared by all examples of one test, which is fine:
# each example checks only what it wrote.
FUZZ_SETTINGS = hypothesis_settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
_json_values = st.recursive(
    _json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@FUZZ_SETTINGS
@given(
    field=st.sampled_from(["customer", "currency", "due_date", "lines", "discount_amount", "description", "extra"]),
    value=_json_values,
    line_field=st.sampled_from(["description", "quantity", "unit_amount", "tax_rate_percent", "extra"]),
    line_value=_json_values,
)
def test_any_wrong_value_in_an_invoice_is_answered_without_a_500(api, customer, field, value, line_field, line_value):
    # given a valid invoice body with one top-level field and one line field replaced by anything
    body = invoice_body(customer.public_id)
    body[field] = value
    if isinstance(body.get("lines"), list) and body["lines"] and isinstance(body["lines"][0], dict):
        body["lines"][0] = {**body["lines"][0], line_field: line_value}
    invoices_before = api.get("/invoices", limit=100).json()["data"]
    # when it is sent
    response = api.post("/invoices", body)
    # then it is accepted whole, or refused in the envelope with nothing written
    if response.status_code == 200:
        assert response.json()["object"] == "invoice"
        return
    assert response.status_code in (400, 404), response.content
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["code"] and error["message"]
    assert api.get("/invoices", limit=100).json()["data"] == invoices_before


@FUZZ_SETTINGS
@given(
    field=st.sampled_from(["invoice", "amount", "payment_method", "return_url", "extra"]),
    value=_json_values,
    card_field=st.sampled_from(["number", "exp_month", "exp_year", "cvc", "extra"]),
    card_value=_json_values,
)
def test_any_wrong_value_in_a_payment_is_answered_without_a_500(api, business, customer, field, value, card_field, card_value):
    invoice = make_invoice(business, customer)
    body = payment_body(invoice.public_id)
    body["payment_method"]["card"][card_field] = card_value
    body[field] = value
    response = api.post("/payments", body)
    assert response.status_code in (200, 400, 402, 404), response.content
    if response.status_code != 200:
        error = response.json()["error"]
        assert error["type"] in {"invalid_request_error", "card_error"} and error["code"] and error["message"]
    paid = api.get(f"/invoices/{invoice.public_id}").json()["amount_paid"]
    succeeded = Payment.objects.filter(invoice=invoice, status="succeeded")
    assert paid == sum(payment.amount for payment in succeeded)


def test_a_due_date_is_read_as_a_calendar_date(api, customer):
    # The strict date parsing above must still take an ordinary date.
    response = api.post("/invoices", with_changes(invoice_body(customer.public_id), due_date="2030-02-28"))
    assert response.status_code == 200, response.json()
    assert response.json()["due_date"] == datetime.date(2030, 2, 28).isoformat()
