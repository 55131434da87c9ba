"""PayPal on the hosted invoice page: the button appears when PayPal is configured and the
business takes it; the payer is sent to PayPal, comes back, and the order is captured."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from paydesk.invoicing.models import Invoice
from paydesk.ledger.checks import ledger_check
from paydesk.payments.models import Payment

from .test_adapter import CAPTURE_PATH, ORDER_ID


@pytest.fixture
def paypal_business(business):
    business.accepts_paypal = True
    business.save(update_fields=["accepts_paypal"])
    return business


def test_no_button_without_paypal_configured(client, no_paypal, paypal_business, open_invoice):
    page = client.get(reverse("hosted-invoice", kwargs={"token": open_invoice.hosted_token})).content.decode()
    assert "Pay with PayPal" not in page
    refused = client.post(reverse("hosted-invoice-pay-paypal", kwargs={"token": open_invoice.hosted_token}))
    assert refused.status_code == 400 and not Payment.objects.exists()


def test_pay_with_paypal_then_come_back_and_the_order_is_captured(client, fake_paypal, paypal_business, open_invoice):
    token = open_invoice.hosted_token
    assert "Pay with PayPal" in client.get(reverse("hosted-invoice", kwargs={"token": token})).content.decode()
    # when the payer presses the button, an order is created and they are sent to PayPal
    fake_paypal.replay("POST", "/v2/checkout/orders", "order_create")
    response = client.post(reverse("hosted-invoice-pay-paypal", kwargs={"token": token}))
    assert response.status_code == 302 and "paypal.com" in response["Location"]
    payment = Payment.objects.get(invoice=open_invoice)
    assert (payment.status, payment.provider, payment.provider_reference) == ("requires_action", "paypal", ORDER_ID)
    sent = fake_paypal.api_requests()[-1].json()
    return_url = sent["payment_source"]["paypal"]["experience_context"]["return_url"]
    assert parse_qs(urlsplit(return_url).query)["payment"] == [payment.public_id]
    # when they approve on PayPal and come back, the order is captured and the invoice paid
    fake_paypal.replay("POST", CAPTURE_PATH, "order_capture_completed")
    back = client.get(urlsplit(return_url).path, {"payment": payment.public_id, "token": ORDER_ID})
    assert back.status_code == 302 and "/receipts/" in back["Location"]
    assert Invoice.objects.get(pk=open_invoice.pk).status == "paid"
    assert ledger_check()["balanced"]


def test_coming_back_with_another_order_id_changes_nothing(client, fake_paypal, paypal_business, open_invoice):
    token = open_invoice.hosted_token
    fake_paypal.replay("POST", "/v2/checkout/orders", "order_create")
    client.post(reverse("hosted-invoice-pay-paypal", kwargs={"token": token}))
    payment = Payment.objects.get(invoice=open_invoice)
    back = client.get(reverse("hosted-invoice-paypal-return", kwargs={"token": token}), {"payment": payment.public_id, "token": "OTHER"})
    assert back.status_code == 302
    assert Payment.objects.get(pk=payment.pk).status == "requires_action"


def test_leaving_paypal_says_so_plainly(client, fake_paypal, paypal_business, open_invoice):
    token = open_invoice.hosted_token
    fake_paypal.replay("POST", "/v2/checkout/orders", "order_create")
    client.post(reverse("hosted-invoice-pay-paypal", kwargs={"token": token}))
    payment = Payment.objects.get(invoice=open_invoice)
    back = client.get(reverse("hosted-invoice-paypal-cancel", kwargs={"token": token}), {"payment": payment.public_id, "token": ORDER_ID})
    page = client.get(back["Location"]).content.decode()
    assert "You left PayPal before approving the payment — you have not been charged." in page
    assert Invoice.objects.get(pk=open_invoice.pk).amount_paid == 0
