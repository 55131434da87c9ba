"""Shared fixtures. Factories build real objects through the services, never mocks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from paydesk.businesses.services import business_create
from paydesk.core import clock
from paydesk.customers.services import customer_create
from paydesk.invoicing.services import NewLine, invoice_create, invoice_finalize
from paydesk.providers.base import CardDetails

GOOD_CARD_NUMBER = "4242424242424242"


def card(number: str = GOOD_CARD_NUMBER, cvc: str = "123") -> CardDetails:
    return CardDetails(number, 12, clock.today().year + 2, cvc)


class ApiClient:
    """Django's test client speaking JSON with a bearer key."""

    def __init__(self, secret_key: str):
        self.client = Client()
        self.secret_key = secret_key

    def _headers(self, idempotency_key: str | None) -> dict:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.secret_key}"}
        if idempotency_key:
            headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
        return headers

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, **self._headers(None))

    def post(self, path: str, body=None, *, idempotency_key: str | None = None, raw: bytes | None = None):
        import json

        data = raw if raw is not None else json.dumps(body or {})
        return self.client.post(
            f"/api/v1{path}", data=data, content_type="application/json", **self._headers(idempotency_key)
        )

    def delete(self, path: str):
        return self.client.delete(f"/api/v1{path}", **self._headers(None))


@pytest.fixture
def created_business(db):
    return business_create(name="Riverside Plumbing", email="owner@riverside.test", password="correct horse")


@pytest.fixture
def business(created_business):
    return created_business.business


@pytest.fixture
def api(created_business) -> ApiClient:
    return ApiClient(created_business.secret_key)


@pytest.fixture
def other_api(db) -> ApiClient:
    other = business_create(name="Hilltop Dental", email="owner@hilltop.test")
    return ApiClient(other.secret_key)


@pytest.fixture
def customer(business):
    return customer_create(business=business, livemode=False, name="Ada Lovelace", email="ada@example.test")


def make_invoice(business, customer, *, lines=None, discount_amount=0, currency="usd", finalize=True):
    lines = lines or [NewLine("Call-out", 1, 10000, Decimal("20"))]
    invoice = invoice_create(
        business=business,
        livemode=False,
        customer=customer,
        currency=currency,
        lines=lines,
        discount_amount=discount_amount,
        due_date=clock.today() + datetime.timedelta(days=14),
    )
    if finalize:
        invoice = invoice_finalize(invoice=invoice)
    return invoice


@pytest.fixture
def open_invoice(business, customer):
    """An open invoice for 120.00 (100.00 plus 20% tax)."""
    return make_invoice(business, customer)
