"""Browser journeys for the ways to pay besides typing a card: a card saved with consent and
paid again in one click, the sandbox's wallet, a bank transfer (details, reference and QR,
settled by the test helper over HTTP, receipt queued) and cash on delivery recorded by staff
in the dashboard. Axe checks each new page state."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from paydesk.businesses.models import ApiKey
from paydesk.businesses.services import api_key_create
from paydesk.businesses.enums import ApiKeyKind
from paydesk.invoicing.models import Invoice
from paydesk.messaging.delivery import messages_deliver_due
from paydesk.messaging.models import Message
from paydesk.payments.models import Payment

from ..conftest import make_invoice
from .browser import (
    axe_problems,
    small_touch_targets,
)


def invoice_url(live_server, invoice) -> str:
    return f"{live_server.url}/i/{invoice.hosted_token}"


@pytest.fixture
def every_method(business):
    business.accepts_bank_transfer = True
    business.accepts_pay_on_delivery = True
    business.bank_account_holder = "Riverside Plumbing Ltd"
    business.bank_iban = "DE89370400440532013000"
    business.bank_bic = "COBADEFFXXX"
    business.save()
    return business


def assert_receipt_sent(invoice) -> None:
    """The worker's sweep delivers the queued receipt (to the outbox: no SMTP server here)."""
    messages_deliver_due()
    receipt = Message.objects.get(invoice=invoice, template="receipt")
    assert receipt.status == "stored" and receipt.sent_at is not None
    assert receipt.to == invoice.customer.email
    assert "120" in receipt.body_text and "/receipts/" in receipt.body_text


def fill_card(page, number="4242 4242 4242 4242"):
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry date").fill("12/30")
    page.get_by_label("Security code").fill("123")


def test_a_saved_card_pays_the_next_invoice_in_one_click(page, live_server, shots, every_method, customer):
    # Given a first invoice paid by card with "Save this card" ticked
    first = make_invoice(every_method, customer)
    page.goto(invoice_url(live_server, first))
    fill_card(page)
    page.get_by_label("Save this card for next time").check()
    page.locator("#pay-button").click()
    expect(page.locator(".paid-amount")).to_have_text("You paid $120.00.")
    # When the next invoice is opened
    second = make_invoice(every_method, customer)
    page.goto(invoice_url(live_server, second))
    one_click = page.get_by_role("button", name="Pay $120.00 with Visa •••• 4242")
    expect(one_click).to_be_visible()
    shots.take(page, "saved-card-offered")
    assert axe_problems(page, shots, "saved-card-offered") == []
    assert small_touch_targets(page) == []
    # Then one click pays it
    one_click.click()
    expect(page.locator(".paid-amount")).to_have_text("You paid $120.00.")
    shots.take(page, "paid-in-one-click")
    assert Invoice.objects.get(pk=second.pk).status == "paid"
    assert Payment.objects.get(invoice=second).saved_method is not None


def test_the_wallet_pays_in_one_tap(page, live_server, shots, every_method, customer):
    invoice = make_invoice(every_method, customer)
    page.goto(invoice_url(live_server, invoice))
    page.get_by_role("button", name="Pay with Test Wallet").click()
    expect(page.locator(".paid-amount")).to_have_text("You paid $120.00.")
    expect(page.get_by_text("Visa •••• 4242")).to_be_visible()
    shots.take(page, "paid-with-wallet")
    assert Payment.objects.get(invoice=invoice).wallet == "test_wallet"


def test_bank_transfer_details_then_the_money_arrives(page, live_server, shots, every_method, customer):
    # Given a euro invoice and the customer choosing bank transfer
    invoice = make_invoice(every_method, customer, currency="eur")
    page.goto(invoice_url(live_server, invoice))
    page.get_by_role("button", name="Pay by bank transfer").click()
    # Then the account, the reference, a copy button and a scannable QR code are shown
    invoice.refresh_from_db()
    expect(page.locator("#transfer-iban")).to_have_text("DE89 3704 0044 0532 0130 00")
    expect(page.locator("#transfer-reference")).to_have_text(invoice.transfer_reference)
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    expect(page.get_by_role("button", name="Copy").first).to_be_visible()
    shots.take(page, "bank-transfer-details")
    assert axe_problems(page, shots, "bank-transfer-details") == []
    assert small_touch_targets(page) == []
    assert Invoice.objects.get(pk=invoice.pk).status == "open"
    # When the money arrives (the test helper, over real HTTP with a secret key)
    secret_key = api_key_create(business=every_method, kind=ApiKeyKind.SECRET, livemode=False)
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/test_helpers/bank_transfers",
        data=json.dumps({"reference": invoice.transfer_reference, "amount": 12000, "currency": "eur"}).encode(),
        headers={"Authorization": f"Bearer {secret_key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert json.load(response)["status"] == "succeeded"
    # Then the page shows the invoice paid and a receipt is on its way
    page.reload()
    expect(page.get_by_text("This invoice is paid in full. Thank you!")).to_be_visible()
    shots.take(page, "paid-by-transfer")
    assert_receipt_sent(invoice)
    assert ApiKey.objects.filter(business=every_method).count() == 3


def test_cash_on_delivery_recorded_by_staff_in_the_dashboard(new_context, live_server, shots, every_method, customer):
    # Given the customer chooses to pay on delivery
    invoice = make_invoice(every_method, customer)
    customer_page = new_context().new_page()
    customer_page.goto(invoice_url(live_server, invoice))
    customer_page.get_by_role("button", name="I will pay on delivery or in store").click()
    expect(customer_page.get_by_text("To be paid on delivery")).to_be_visible()
    shots.take(customer_page, "pay-on-delivery-chosen")
    assert axe_problems(customer_page, shots, "pay-on-delivery-chosen") == []
    # When staff log in to the dashboard and record the cash
    staff_page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_page.goto(f"{live_server.url}/dashboard/invoices/{invoice.public_id}/")
    staff_page.locator("#id_username").fill("owner@riverside.test")
    staff_page.locator("#id_password").fill("correct horse")
    staff_page.get_by_role("button", name="Log in").click()
    expect(staff_page.get_by_text("On delivery or in store: record the payment below when it is received")).to_be_visible()
    staff_page.get_by_label("How it was paid").select_option("cash")
    staff_page.get_by_role("button", name="Record payment").click()
    shots.take(staff_page, "cash-recorded")
    # Then the invoice is paid and the customer's receipt is queued
    assert Invoice.objects.get(pk=invoice.pk).status == "paid"
    assert Payment.objects.get(invoice=invoice).method_type == "cash"
    assert_receipt_sent(invoice)
    customer_page.reload()
    expect(customer_page.get_by_text("This invoice is paid in full. Thank you!")).to_be_visible()
