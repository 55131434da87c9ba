"""Lists: Stripe's envelope, newest first, ``limit`` from 1 to 100, and a ``starting_after``
cursor that walks every page with no repeats and no gaps; filters narrow, never widen.
"""

from __future__ import annotations

import datetime
import math

import pytest

from paydesk.core import clock
from paydesk.customers.services import customer_create
from paydesk.events.models import Event
from paydesk.invoicing.services import invoice_mark_uncollectible, invoice_void
from paydesk.payments.services import payment_create

from ..conftest import GOOD_CARD_NUMBER, card, make_invoice

pytestmark = pytest.mark.django_db

LIST_PATHS = ["/customers", "/invoices", "/payments", "/refunds", "/events", "/webhook_endpoints"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The `business` fixture gives its owner a password; the real hasher costs ~0.3 s a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def card_body(number=GOOD_CARD_NUMBER):
    return {"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}


def ok(response) -> dict:
    assert response.status_code == 200, response.json()
    return response.json()


def make_customers(business, count: int) -> list[str]:
    """``count`` customers, oldest first; returns their ids."""
    return [
        customer_create(business=business, livemode=False, name=f"Customer {number}", email=f"c{number}@example.test").public_id
        for number in range(count)
    ]


def walk(api, path: str, limit: int, **filters) -> list[dict]:
    """Every page of a list, following ``starting_after``; returns the pages' envelopes."""
    pages = []
    params = {"limit": limit, **filters}
    while True:
        page = ok(api.get(path, **params))
        pages.append(page)
        if not page["has_more"]:
            return pages
        assert page["data"], "has_more with an empty page would loop forever"
        params["starting_after"] = page["data"][-1]["id"]
        assert len(pages) <= 200


def ids(page: dict) -> list[str]:
    return [item["id"] for item in page["data"]]


@pytest.fixture
def populated(api, business, customer) -> dict:
    """A little of everything, made through the API: 3 customers, 4 invoices, 3 payments,
    3 refunds, 3 webhook endpoints and the events they all wrote."""
    for number in range(2):
        ok(api.post("/customers", {"name": f"Extra {number}"}))
    line = {"description": "Visit", "quantity": 1, "unit_amount": 10_000}
    invoices = []
    for _ in range(4):
        draft = ok(api.post("/invoices", {"customer": customer.public_id, "currency": "usd", "lines": [line]}))
        invoices.append(ok(api.post(f"/invoices/{draft['id']}/finalize"))["id"])
    payments = [
        ok(api.post("/payments", {"invoice": invoices[0], "amount": 3000, "payment_method": card_body()}))["id"],
        ok(api.post("/payments", {"invoice": invoices[0], "payment_method": card_body()}))["id"],
        ok(api.post("/payments", {"invoice": invoices[1], "payment_method": card_body()}))["id"],
    ]
    refunds = [ok(api.post("/refunds", {"payment": payment, "amount": 100}))["id"] for payment in payments]
    endpoints = [ok(api.post("/webhook_endpoints", {"url": f"https://example.test/hooks/{n}"}))["id"] for n in range(3)]
    return {"invoices": invoices, "payments": payments, "refunds": refunds, "webhook_endpoints": endpoints}


# --- the envelope -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LIST_PATHS)
def test_an_empty_list_has_no_more(api, path):
    page = ok(api.get(path))
    assert (page["object"], page["data"], page["has_more"], page["url"]) == ("list", [], False, f"/api/v1{path}")


def test_list_items_are_the_objects_as_retrieved(api, populated):
    for path in ("/customers", "/invoices", "/payments", "/refunds", "/events", "/webhook_endpoints"):
        for item in ok(api.get(path, limit=100))["data"]:
            assert ok(api.get(f"{path}/{item['id']}")) == item


# --- order and limit ----------------------------------------------------------------------------


def test_newest_first(api):
    created = [ok(api.post("/customers", {"name": name}))["id"] for name in ("first", "second", "third")]
    assert ids(ok(api.get("/customers"))) == created[::-1]


def test_events_are_newest_first(api, business):
    # given a customer and invoice written at nine and paid at ten
    nine = datetime.datetime(2030, 3, 1, 9, 0, tzinfo=datetime.timezone.utc)
    ten = nine + datetime.timedelta(hours=1)
    with clock.frozen_at(nine):
        customer = customer_create(business=business, livemode=False, name="Ada")
        invoice = make_invoice(business, customer)
    with clock.frozen_at(ten):
        ok(api.post("/payments", {"invoice": invoice.public_id, "payment_method": card_body()}))
    # when the events are listed
    events = ok(api.get("/events", limit=100))["data"]
    # then every event of ten comes before every event of nine, and within one moment
    # the later written comes first
    moments = [event["created"] for event in events]
    assert moments == sorted(moments, reverse=True)
    assert set(moments) == {int(nine.timestamp()), int(ten.timestamp())}
    written = Event.objects.filter(business=business, livemode=False).order_by("id")
    assert ids({"data": events}) == [event.public_id for event in written][::-1]


def test_the_default_limit_is_ten(api, business):
    created = make_customers(business, 12)
    page = ok(api.get("/customers"))
    assert ids(page) == created[::-1][:10]
    assert page["has_more"] is True


@pytest.mark.parametrize("limit", [1, 100])
def test_a_limit_from_1_to_100_is_honoured(api, business, limit):
    created = make_customers(business, 101)
    page = ok(api.get("/customers", limit=limit))
    assert ids(page) == created[::-1][:limit]
    assert page["has_more"] is True


LIMIT_REFUSALS = [
    (0, "parameter_out_of_range"),
    (-1, "parameter_out_of_range"),
    (101, "parameter_out_of_range"),
    (10**9, "parameter_out_of_range"),
    ("ten", "parameter_invalid_integer"),
    ("1.5", "parameter_invalid_integer"),
    ("", "parameter_invalid_integer"),
]


@pytest.mark.parametrize("path", LIST_PATHS)
def test_a_limit_outside_1_to_100_is_refused(api, path):
    for limit, code in LIMIT_REFUSALS:
        response = api.get(path, limit=limit)
        body = response.json()
        assert response.status_code == 400, (limit, body)
        assert (body["error"]["type"], body["error"]["code"], body["error"]["param"]) == (
            "invalid_request_error",
            code,
            "limit",
        ), limit


# --- walking pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 3, 7, 10, 22, 23, 24, 100])
def test_starting_after_walks_every_customer_once(api, business, limit):
    # given 23 customers
    created = make_customers(business, 23)
    # when every page is fetched by following the cursor
    pages = walk(api, "/customers", limit)
    # then each page is full but the last, only the last says there is no more,
    # and together they are every customer exactly once, newest first
    walked = [object_id for page in pages for object_id in ids(page)]
    assert walked == created[::-1]
    assert len(pages) == math.ceil(23 / limit)
    assert [len(page["data"]) for page in pages[:-1]] == [limit] * (len(pages) - 1)
    assert [page["has_more"] for page in pages] == [True] * (len(pages) - 1) + [False]


OBJECT_FOR_LIST = {
    "/customers": "customer",
    "/invoices": "invoice",
    "/payments": "payment",
    "/refunds": "refund",
    "/events": "event",
    "/webhook_endpoints": "webhook_endpoint",
}


@pytest.mark.parametrize("path", LIST_PATHS)
def test_every_list_walks_in_stripes_envelope_without_repeats_or_gaps(api, populated, path):
    # given at least three objects of each kind
    everything = ids(ok(api.get(path, limit=100)))
    assert len(everything) >= 3
    # when the list is walked two at a time
    pages = walk(api, path, 2)
    # then every page is Stripe's envelope around objects of that kind
    for page in pages:
        assert set(page) == {"object", "data", "has_more", "url"}
        assert (page["object"], page["url"]) == ("list", f"/api/v1{path}")
        assert {item["object"] for item in page["data"]} == {OBJECT_FOR_LIST[path]}
    assert pages[0]["has_more"] is True and len(pages[0]["data"]) == 2
    # and together the pages are the whole list, once each, in order
    walked = [object_id for page in pages for object_id in ids(page)]
    assert walked == everything
    assert len(set(walked)) == len(walked)


def test_objects_created_during_a_walk_do_not_shift_it(api, business):
    # given 12 customers and a walk two pages in
    created = make_customers(business, 12)
    first = ok(api.get("/customers", limit=5))
    second = ok(api.get("/customers", limit=5, starting_after=ids(first)[-1]))
    # when new customers arrive before the last page is fetched
    make_customers(business, 3)
    third = ok(api.get("/customers", limit=5, starting_after=ids(second)[-1]))
    # then the walk still yields the original 12, once each (an offset would repeat three)
    assert ids(first) + ids(second) + ids(third) == created[::-1]
    assert third["has_more"] is False


def test_starting_after_the_oldest_object_is_an_empty_last_page(api, business):
    created = make_customers(business, 3)
    page = ok(api.get("/customers", starting_after=created[0]))
    assert (page["data"], page["has_more"]) == ([], False)


@pytest.mark.parametrize("path", LIST_PATHS)
def test_an_unknown_starting_after_is_404(api, customer, path):
    for cursor in ("cus_doesnotexist", "inv_doesnotexist", "nonsense"):
        response = api.get(path, starting_after=cursor)
        body = response.json()
        assert response.status_code == 404, (cursor, body)
        assert (body["error"]["code"], body["error"]["param"]) == ("resource_missing", "starting_after")
        assert cursor in body["error"]["message"]


def test_an_id_of_another_kind_is_not_a_cursor(api, populated, customer):
    response = api.get("/invoices", starting_after=customer.public_id)
    assert response.status_code == 404
    assert response.json()["error"]["param"] == "starting_after"


# --- filters --------------------------------------------------------------------------------------


@pytest.fixture
def invoices_by_status(business, customer) -> dict[str, list[str]]:
    """Two invoices in each status, interleaved in creation order."""
    made: dict[str, list[str]] = {"draft": [], "open": [], "paid": [], "void": [], "uncollectible": []}
    for _ in range(2):
        made["draft"].append(make_invoice(business, customer, finalize=False).public_id)
        made["open"].append(make_invoice(business, customer).public_id)
        paid = make_invoice(business, customer)
        payment_create(invoice=paid, card=card())
        made["paid"].append(paid.public_id)
        made["void"].append(invoice_void(invoice=make_invoice(business, customer)).public_id)
        made["uncollectible"].append(invoice_mark_uncollectible(invoice=make_invoice(business, customer)).public_id)
    return made


@pytest.mark.parametrize("status", ["draft", "open", "paid", "void", "uncollectible"])
def test_invoices_filtered_by_status(api, invoices_by_status, status):
    page = ok(api.get("/invoices", status=status))
    assert ids(page) == invoices_by_status[status][::-1]
    assert {invoice["status"] for invoice in page["data"]} == {status}
    assert page["has_more"] is False


def test_a_status_filtered_list_walks_page_by_page(api, invoices_by_status):
    pages = walk(api, "/invoices", 1, status="open")
    assert [object_id for page in pages for object_id in ids(page)] == invoices_by_status["open"][::-1]
    assert [page["has_more"] for page in pages] == [True, False]


def test_an_unknown_status_is_refused(api, invoices_by_status):
    response = api.get("/invoices", status="opne")
    body = response.json()
    assert response.status_code == 400, body
    assert (body["error"]["code"], body["error"]["param"]) == ("parameter_invalid_value", "status")


def test_events_filtered_by_type(api, invoices_by_status):
    # given two paid invoices among ten
    page = ok(api.get("/events", type="invoice.paid", limit=100))
    # then the filter returns exactly their invoice.paid events, newest first
    assert {event["type"] for event in page["data"]} == {"invoice.paid"}
    assert [event["data"]["object"]["id"] for event in page["data"]] == invoices_by_status["paid"][::-1]
    assert [event["data"]["object"]["status"] for event in page["data"]] == ["paid", "paid"]


def test_events_filtered_by_type_walk_page_by_page(api, invoices_by_status):
    everything = ids(ok(api.get("/events", type="invoice.finalized", limit=100)))
    assert len(everything) == 8  # every invoice but the two drafts
    pages = walk(api, "/events", 3, type="invoice.finalized")
    assert [object_id for page in pages for object_id in ids(page)] == everything


def test_events_filtered_by_a_type_prefix(api, invoices_by_status):
    types = {event["type"] for event in ok(api.get("/events", type="invoice.*", limit=100))["data"]}
    assert types == {
        "invoice.created",
        "invoice.finalized",
        "invoice.payment_succeeded",
        "invoice.paid",
        "invoice.voided",
        "invoice.marked_uncollectible",
    }


def test_events_of_a_type_that_never_happened_are_an_empty_list(api, invoices_by_status):
    page = ok(api.get("/events", type="refund.succeeded"))
    assert (page["data"], page["has_more"]) == ([], False)


def test_invoices_filtered_by_customer(api, business, customer):
    other_customer = customer_create(business=business, livemode=False, name="Grace")
    mine = [make_invoice(business, customer).public_id for _ in range(2)]
    make_invoice(business, other_customer)
    assert ids(ok(api.get("/invoices", customer=customer.public_id))) == mine[::-1]


def test_payments_filtered_by_invoice_and_refunds_by_payment(api, populated):
    first_invoice, second_invoice = populated["invoices"][:2]
    assert ids(ok(api.get("/payments", invoice=first_invoice))) == populated["payments"][:2][::-1]
    assert ids(ok(api.get("/payments", invoice=second_invoice))) == populated["payments"][2:]
    assert ids(ok(api.get("/refunds", payment=populated["payments"][0]))) == populated["refunds"][:1]
    assert ids(ok(api.get("/refunds", payment=populated["payments"][2]))) == populated["refunds"][2:]
    assert ids(ok(api.get("/refunds"))) == populated["refunds"][::-1]


def test_customers_filtered_by_email_ignore_case(api, business):
    created = make_customers(business, 3)
    assert ids(ok(api.get("/customers", email="C1@Example.TEST"))) == [created[1]]


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [("/invoices", "customer", "cus_doesnotexist"), ("/payments", "invoice", "inv_doesnotexist"), ("/refunds", "payment", "pay_doesnotexist")],
)
def test_filtering_by_an_unknown_object_is_404(api, path, name, value):
    response = api.get(path, **{name: value})
    body = response.json()
    assert response.status_code == 404, body
    assert (body["error"]["code"], body["error"]["param"]) == ("resource_missing", name)
