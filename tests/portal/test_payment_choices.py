"""The other ways to pay on the hosted page: saved card, wallet, bank transfer, pay on delivery."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from paydesk.invoicing.models import Invoice
from paydesk.ledger.checks import ledger_check
from paydesk.messaging.models import Message
from paydesk.payments.bank_transfers import bank_transfer_receive
from paydesk.payments.enums import PaymentMethodType
from paydesk.payments.models import Payment, SavedPaymentMethod
from paydesk.payments.services import payment_record_offline

from ..conftest import make_invoice


def url(name, invoice):
    return reverse(name, kwargs={"token": invoice.hosted_token})


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def pay_by_card(client, invoice, save=False):
    return client.post(
        url("hosted-invoice-pay", invoice),
        {"card_number": "4242 4242 4242 4242", "expiry": "12/30", "security_code": "123", **({"save_card": "yes"} if save else {})},
    )


@pytest.fixture
def all_methods(business):
    business.accepts_bank_transfer = True
    business.accepts_pay_on_delivery = True
    business.bank_account_holder = "Riverside Plumbing Ltd"
    business.bank_iban = "DE89370400440532013000"
    business.bank_bic = "COBADEFFXXX"
    business.save()
    return business


def test_a_card_saved_with_consent_is_offered_in_one_click_next_time(client, business, customer, open_invoice):
    pay_by_card(client, open_invoice, save=True)
    saved = SavedPaymentMethod.objects.get(customer=customer, active=True)
    next_invoice = make_invoice(business, customer)
    page = text_of(client.get(url("hosted-invoice", next_invoice)))
    assert "Pay $120.00 with Visa •••• 4242" in page
    response = client.post(url("hosted-invoice-pay-saved", next_invoice), {"saved_method": saved.public_id})
    assert response.status_code == 302 and "/receipts/" in response["Location"]
    next_invoice.refresh_from_db()
    assert next_invoice.status == "paid"
    assert Payment.objects.get(invoice=next_invoice).saved_method == saved


def test_without_consent_nothing_is_kept(client, customer, open_invoice):
    pay_by_card(client, open_invoice)
    assert not SavedPaymentMethod.objects.filter(customer=customer, active=True).exists()


def test_the_test_wallet_pays_in_one_tap(client, open_invoice):
    response = client.post(url("hosted-invoice-pay-wallet", open_invoice))
    assert response.status_code == 302 and "/receipts/" in response["Location"]
    payment = Payment.objects.get(invoice=open_invoice)
    assert (payment.status, payment.wallet, payment.card_brand) == ("succeeded", "test_wallet", "visa")


def test_bank_transfer_shows_details_reference_and_qr_then_settles(client, all_methods, customer):
    invoice = make_invoice(all_methods, customer, currency="eur")
    page = text_of(client.get(url("hosted-invoice", invoice)))
    assert "Pay by bank transfer" in page
    response = client.post(url("hosted-invoice-bank-transfer", invoice))
    assert response.status_code == 302
    invoice.refresh_from_db()
    page = text_of(client.get(url("hosted-invoice", invoice)))
    assert "DE89 3704 0044 0532 0130 00" in page and "COBADEFFXXX" in page
    assert f'id="transfer-reference">{invoice.transfer_reference}<' in page
    assert 'src="data:image/svg+xml' in page
    assert invoice.status == "open"
    # the money arrives: the invoice is paid and a receipt is queued
    bank_transfer_receive(business=all_methods, livemode=False, reference=invoice.transfer_reference, amount=12000, currency="eur")
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert Message.objects.filter(invoice=invoice, template="receipt").exists()
    assert ledger_check()["balanced"]


def test_pay_on_delivery_marks_the_invoice_and_staff_record_the_cash(client, all_methods, customer):
    invoice = make_invoice(all_methods, customer)
    client.post(url("hosted-invoice-pay-on-delivery", invoice))
    page = text_of(client.get(url("hosted-invoice", invoice)))
    assert "To be paid on delivery" in page
    invoice.refresh_from_db()
    assert invoice.pay_on_delivery and invoice.status == "open"
    payment_record_offline(invoice=invoice, method=PaymentMethodType.CASH)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert Message.objects.filter(invoice=invoice, template="receipt").exists()


def test_methods_a_business_switched_off_are_neither_shown_nor_accepted(client, business, open_invoice):
    business.accepts_wallets = False
    business.save()
    page = text_of(client.get(url("hosted-invoice", open_invoice)))
    assert "Test Wallet" not in page and "bank transfer" not in page.lower() and "on delivery" not in page
    assert client.post(url("hosted-invoice-pay-wallet", open_invoice)).status_code == 400
    assert client.post(url("hosted-invoice-bank-transfer", open_invoice)).status_code == 400
    assert client.post(url("hosted-invoice-pay-on-delivery", open_invoice)).status_code == 400
    assert not Payment.objects.exists()
    assert not Invoice.objects.get(pk=open_invoice.pk).pay_on_delivery


def test_after_a_decline_the_other_ways_are_offered(client, all_methods, customer):
    invoice = make_invoice(all_methods, customer)
    response = client.post(url("hosted-invoice-pay", invoice), {"card_number": "4000000000000002", "expiry": "12/30", "security_code": "123"})
    page = text_of(response)
    assert "choose another way to pay below" in page
    assert "Pay by bank transfer" in page and "I will pay on delivery or in store" in page


def test_a_payment_link_payer_never_sees_or_keeps_an_existing_customers_card(client, api, business, customer, open_invoice):
    # given a customer with a saved card
    pay_by_card(client, open_invoice, save=True)
    link = api.post("/payment_links", {"amount": 4500, "currency": "usd", "description": "Drain survey"}).json()
    path = link["url"].replace("http://127.0.0.1:8000", "")
    # when someone pays the link with that customer's email
    response = client.post(path, {"email": customer.email})
    page = text_of(client.get(response["Location"].split("#")[0]))
    # then the page offers neither the saved card nor saving one, and a new customer was made
    assert "•••• 4242" not in page and "Save this card" not in page
    link_invoice = Invoice.objects.exclude(pk=open_invoice.pk).get()
    assert link_invoice.customer_id != customer.pk and link_invoice.payment_link is not None


def test_the_paypal_button_may_redirect_to_paypal_under_the_pages_policy(client, business, open_invoice, monkeypatch):
    monkeypatch.setattr("paydesk.portal.methods.paypal_available", lambda invoice: True)
    response = client.get(url("hosted-invoice", open_invoice))
    assert "Pay with PayPal" in text_of(response)
    assert "form-action 'self' https://www.paypal.com https://www.sandbox.paypal.com" in response["Content-Security-Policy"]
