"""Tenants never see each other (rule 8).

Another business's id answers exactly what an id that never existed answers (404
``resource_missing``, never 403, so existence does not leak), whether it is read, written,
used as a reference in a body, as a list filter or as a list cursor; and lists never show
another business's objects.
"""

from __future__ import annotations

import pytest
from django.apps import apps

from ..conftest import GOOD_CARD_NUMBER

pytestmark = pytest.mark.django_db

THREE_D_SECURE_CARD = "4000002500003155"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The `business` fixture gives its owner a password; the real hasher costs ~0.3 s a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def card_body(number=GOOD_CARD_NUMBER):
    return {"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for config in apps.get_app_configs()
        if config.name.startswith("paydesk")
        for model in config.get_models()
    }


def ok(response) -> dict:
    assert response.status_code == 200, response.json()
    return response.json()


def build_world(client, name: str) -> dict[str, str]:
    """One of each object, made through the API with this business's key."""
    customer = ok(client.post("/customers", {"name": name, "email": f"{name.lower()}@example.test"}))
    line = {"description": "Visit", "quantity": 1, "unit_amount": 10_000}
    draft = ok(client.post("/invoices", {"customer": customer["id"], "currency": "usd", "lines": [line]}))
    invoice = ok(client.post("/invoices", {"customer": customer["id"], "currency": "usd", "lines": [line]}))
    invoice = ok(client.post(f"/invoices/{invoice['id']}/finalize"))
    payment = ok(client.post("/payments", {"invoice": invoice["id"], "amount": 4000, "payment_method": card_body()}))
    pending = ok(
        client.post("/payments", {"invoice": invoice["id"], "amount": 1000, "payment_method": card_body(THREE_D_SECURE_CARD)})
    )
    assert pending["status"] == "requires_action"
    refund = ok(client.post("/refunds", {"payment": payment["id"], "amount": 500}))
    endpoint = ok(client.post("/webhook_endpoints", {"url": f"https://{name.lower()}.example.test/hooks"}))
    event = ok(client.get("/events", limit=1))["data"][0]
    return {
        "customer": customer["id"],
        "draft_invoice": draft["id"],
        "invoice": invoice["id"],
        "payment": payment["id"],
        "pending_payment": pending["id"],
        "refund": refund["id"],
        "webhook_endpoint": endpoint["id"],
        "event": event["id"],
    }


@pytest.fixture
def theirs(other_api) -> dict[str, str]:
    return build_world(other_api, "Hilltop")


@pytest.fixture
def ours(api) -> dict[str, str]:
    return build_world(api, "Riverside")


def snapshot(client, ids: dict[str, str]) -> dict:
    """How the owner sees each of its objects, to prove a refused write changed none."""
    return {
        "customer": ok(client.get(f"/customers/{ids['customer']}")),
        "draft_invoice": ok(client.get(f"/invoices/{ids['draft_invoice']}")),
        "invoice": ok(client.get(f"/invoices/{ids['invoice']}")),
        "payment": ok(client.get(f"/payments/{ids['payment']}")),
        "pending_payment": ok(client.get(f"/payments/{ids['pending_payment']}")),
        "refund": ok(client.get(f"/refunds/{ids['refund']}")),
        "webhook_endpoint": ok(client.get(f"/webhook_endpoints/{ids['webhook_endpoint']}")),
    }


def assert_missing(response, object_id: str, param: str | None = None) -> None:
    body = response.json()
    assert response.status_code == 404, body
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["code"] == "resource_missing"
    assert body["error"]["param"] == param
    assert object_id in body["error"]["message"]


def never_existed(object_id: str) -> str:
    prefix, _, random_part = object_id.partition("_")
    return f"{prefix}_{'0' * len(random_part)}"


RETRIEVE_PATHS = [
    ("customer", "/customers/{}"),
    ("invoice", "/invoices/{}"),
    ("draft_invoice", "/invoices/{}"),
    ("payment", "/payments/{}"),
    ("refund", "/refunds/{}"),
    ("event", "/events/{}"),
    ("webhook_endpoint", "/webhook_endpoints/{}"),
]


@pytest.mark.parametrize(("kind", "path"), RETRIEVE_PATHS, ids=[kind for kind, _ in RETRIEVE_PATHS])
def test_another_businesss_object_is_404_exactly_like_one_that_never_existed(api, other_api, theirs, kind, path):
    # given an object of another business, which that business can read
    object_id = theirs[kind]
    assert other_api.get(path.format(object_id)).status_code == 200
    # when this business reads it
    response = api.get(path.format(object_id))
    # then it is not found (not forbidden), worded as for an id that never existed
    assert_missing(response, object_id)
    unknown = api.get(path.format(never_existed(object_id)))
    assert response.json()["error"]["message"] == unknown.json()["error"]["message"].replace(never_existed(object_id), object_id)


WRITES = [
    ("update customer", "customer", "/customers/{}", {"name": "Mallory"}),
    ("finalize invoice", "draft_invoice", "/invoices/{}/finalize", {}),
    ("void invoice", "draft_invoice", "/invoices/{}/void", {}),
    ("write off invoice", "invoice", "/invoices/{}/mark_uncollectible", {}),
    ("void open invoice", "invoice", "/invoices/{}/void", {}),
    ("cancel payment", "pending_payment", "/payments/{}/cancel", {}),
    ("approve 3-D Secure", "pending_payment", "/test_helpers/payments/{}/authenticate", {"outcome": "approve"}),
    ("fail 3-D Secure", "pending_payment", "/test_helpers/payments/{}/authenticate", {"outcome": "fail"}),
]


@pytest.mark.parametrize(("kind", "path", "body"), [write[1:] for write in WRITES], ids=[write[0] for write in WRITES])
def test_writing_to_another_businesss_object_is_404_and_changes_nothing(api, other_api, theirs, kind, path, body):
    # given another business's objects as that business sees them
    before_rows = row_counts()
    before = snapshot(other_api, theirs)
    # when this business tries to change one of them
    response = api.post(path.format(theirs[kind]), body)
    # then it is not found and nothing anywhere changed
    assert_missing(response, theirs[kind])
    assert row_counts() == before_rows
    assert snapshot(other_api, theirs) == before


def test_deleting_another_businesss_webhook_endpoint_is_404(api, other_api, theirs):
    before = snapshot(other_api, theirs)
    assert_missing(api.delete(f"/webhook_endpoints/{theirs['webhook_endpoint']}"), theirs["webhook_endpoint"])
    assert snapshot(other_api, theirs) == before
    listed = ok(other_api.get("/webhook_endpoints"))["data"]
    assert [endpoint["id"] for endpoint in listed] == [theirs["webhook_endpoint"]]


def test_paying_another_businesss_invoice_is_404_and_charges_nothing(api, other_api, theirs):
    before_rows = row_counts()
    before = snapshot(other_api, theirs)
    response = api.post("/payments", {"invoice": theirs["invoice"], "amount": 100, "payment_method": card_body()})
    assert_missing(response, theirs["invoice"], param="invoice")
    assert row_counts() == before_rows
    assert snapshot(other_api, theirs) == before


def test_refunding_another_businesss_payment_is_404_and_refunds_nothing(api, other_api, theirs):
    before_rows = row_counts()
    before = snapshot(other_api, theirs)
    response = api.post("/refunds", {"payment": theirs["payment"], "amount": 100})
    assert_missing(response, theirs["payment"], param="payment")
    assert row_counts() == before_rows
    assert snapshot(other_api, theirs) == before


def test_invoicing_another_businesss_customer_is_404_and_writes_nothing(api, theirs):
    before_rows = row_counts()
    body = {
        "customer": theirs["customer"],
        "currency": "usd",
        "lines": [{"description": "Visit", "quantity": 1, "unit_amount": 100}],
    }
    assert_missing(api.post("/invoices", body), theirs["customer"], param="customer")
    assert row_counts() == before_rows


LISTS = [
    ("/customers", ["customer"]),
    ("/invoices", ["invoice", "draft_invoice"]),
    ("/payments", ["payment", "pending_payment"]),
    ("/refunds", ["refund"]),
    ("/webhook_endpoints", ["webhook_endpoint"]),
]


@pytest.mark.parametrize(("path", "kinds"), LISTS, ids=[path for path, _ in LISTS])
def test_lists_show_only_the_businesss_own_objects(api, other_api, ours, theirs, path, kinds):
    # given both businesses have objects of every kind
    # when each lists them
    our_list = {item["id"] for item in ok(api.get(path, limit=100))["data"]}
    their_list = {item["id"] for item in ok(other_api.get(path, limit=100))["data"]}
    # then each sees exactly its own
    assert our_list == {ours[kind] for kind in kinds}
    assert their_list == {theirs[kind] for kind in kinds}


def test_the_event_list_shows_only_the_businesss_own_events(api, other_api, ours, theirs):
    our_events = ok(api.get("/events", limit=100))["data"]
    their_events = ok(other_api.get("/events", limit=100))["data"]
    assert ours["event"] in {event["id"] for event in our_events}
    assert not {event["id"] for event in our_events} & {event["id"] for event in their_events}
    # and no event of ours describes an object of theirs
    their_ids = set(theirs.values())
    for event in our_events:
        described = event["data"]["object"]
        assert not {described.get("id"), described.get("customer"), described.get("invoice"), described.get("payment")} & their_ids


def test_a_type_filter_does_not_reach_into_another_business(api, other_api, ours, theirs):
    our_refunds = ok(api.get("/events", type="refund.succeeded"))["data"]
    assert [event["data"]["object"]["id"] for event in our_refunds] == [ours["refund"]]


@pytest.mark.parametrize(
    ("path", "filter_name", "kind"),
    [
        ("/invoices", "customer", "customer"),
        ("/payments", "invoice", "invoice"),
        ("/refunds", "payment", "payment"),
    ],
)
def test_filtering_a_list_by_another_businesss_object_is_404(api, ours, theirs, path, filter_name, kind):
    assert_missing(api.get(path, **{filter_name: theirs[kind]}), theirs[kind], param=filter_name)
    # while the same filter on our own object works
    assert ok(api.get(path, **{filter_name: ours[kind]}))["data"]


def test_filtering_customers_by_another_businesss_email_finds_nothing(api, ours, theirs):
    assert ok(api.get("/customers", email="hilltop@example.test"))["data"] == []
    assert [customer["id"] for customer in ok(api.get("/customers", email="riverside@example.test"))["data"]] == [
        ours["customer"]
    ]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/customers", "customer"),
        ("/invoices", "invoice"),
        ("/payments", "payment"),
        ("/refunds", "refund"),
        ("/events", "event"),
        ("/webhook_endpoints", "webhook_endpoint"),
    ],
)
def test_another_businesss_id_is_not_a_cursor(api, customer, theirs, path, kind):
    # A cursor that worked would tell the caller the id exists, and page through our list by theirs.
    assert_missing(api.get(path, starting_after=theirs[kind]), theirs[kind], param="starting_after")


def test_the_same_business_reads_everything_it_made(api, ours):
    # The mirror of the tests above: the 404s come from ownership, not from broken ids.
    for kind, path in RETRIEVE_PATHS:
        assert ok(api.get(path.format(ours[kind])))["id"] == ours[kind]
