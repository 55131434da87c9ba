"""The portal's help page (the business's answers, how to reach it, a contact form that
reaches staff) and "Your data" (what is kept and why, download it, delete it)."""

from __future__ import annotations

import datetime
import json
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from paydesk.businesses.services import business_create, business_set_portal_texts
from paydesk.core import clock
from paydesk.customers.models import Customer
from paydesk.customers.services import customer_create, customer_update
from paydesk.events.models import Event
from paydesk.invoicing.models import Invoice
from paydesk.ledger.checks import ledger_check
from paydesk.messaging.models import Message
from paydesk.payments.models import Payment, SavedPaymentMethod
from paydesk.payments.refunds import refund_create
from paydesk.payments.services import payment_create
from paydesk.portal.access import portal_session_create
from paydesk.support.models import SupportRequest
from paydesk.support.services import support_request_create
from paydesk.terms.services import plan_create

from ..conftest import card, make_invoice


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def portal_client(customer) -> Client:
    """A browser signed in to the portal for ``customer`` through a portal session URL."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _link, url = portal_session_create(customer=customer)
    entered = client.get(urlsplit(url).path)
    assert entered.status_code == 302 and entered["Location"] == reverse("portal-home")
    return client


def paid_with_saved_card(invoice) -> Payment:
    payment = payment_create(invoice=invoice, card=card(), save_card=True)
    assert payment.status == "succeeded"
    return payment


@pytest.fixture
def ada(business):
    return customer_create(
        business=business, livemode=False, name="Ada Lovelace", email="ada@example.test", phone="+44 20 7946 0001"
    )


@pytest.fixture
def grace(business):
    """Another customer of the same business, with records of her own."""
    grace = customer_create(business=business, livemode=False, name="Grace Hopper", email="grace@example.test", phone="+1 555 0100")
    paid = make_invoice(business, grace)
    refund_create(payment=paid_with_saved_card(paid), amount=500)
    make_invoice(business, grace)
    support_request_create(customer=grace, message="Grace's own question")
    return grace


@pytest.fixture
def stranger(db):
    """A customer of another business, with an invoice and a payment."""
    other = business_create(name="Hilltop Dental", email="owner@hilltop.test").business
    stranger = customer_create(business=other, livemode=False, name="Alan Turing", email="alan@example.test")
    paid_with_saved_card(make_invoice(other, stranger))
    return stranger


# ---- help ----


def test_the_help_page_shows_the_faq_safely_and_how_to_reach_the_business(business, ada):
    business.phone = "+44 20 7946 0000"
    business.save()
    business_set_portal_texts(
        business=business,
        portal_faq="Do you take cash?\nYes, at the counter.\n\nWhat is <b>VAT</b>?\nA tax.",
        payment_instructions="Transfer to account 12345678.",
    )

    page = portal_client(ada).get(reverse("portal-help"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "<p>Do you take cash?<br>Yes, at the counter.</p>" in html
    assert "<p>What is &lt;b&gt;VAT&lt;/b&gt;?<br>A tax.</p>" in html
    assert "Transfer to account 12345678." in html
    assert 'href="mailto:owner@riverside.test"' in html and 'href="tel:+44 20 7946 0000"' in html
    assert 'aria-current="page">Help</a>' in html


def test_the_form_offers_only_the_visits_invoices(business, ada, grace):
    mine = make_invoice(business, ada)
    draft = make_invoice(business, ada, finalize=False)

    html = portal_client(ada).get(reverse("portal-help")).content.decode()

    options = re.findall(r'<option value="(inv_[^"]+)"', html)
    assert options == [mine.public_id]
    assert draft.public_id not in html
    assert f"{mine.number}, $120.00 to pay" in html


def test_the_contact_form_reaches_staff_with_the_customer_and_the_invoice(business, ada):
    invoice = make_invoice(business, ada)
    client = portal_client(ada)

    sent = client.post(reverse("portal-contact"), {"invoice": invoice.public_id, "message": "Can I pay in June?"})

    assert sent.status_code == 302 and sent["Location"] == reverse("portal-help") + "#contact-heading"
    support_request = SupportRequest.objects.get()
    assert (support_request.customer, support_request.invoice, support_request.message) == (ada, invoice, "Can I pay in June?")
    email = Message.objects.get(template="support_request_staff")
    assert email.to == "owner@riverside.test"
    assert email.subject == f"Ada Lovelace asks about invoice {invoice.number}"
    assert email.context["requester"]["email"] == "ada@example.test"
    assert email.context["requester"]["phone"] == "+44 20 7946 0001"
    assert email.context["invoice"]["amount_due"] == "$120.00"
    # Thanked once, after the redirect.
    assert "Thank you. Your message has reached Riverside Plumbing" in text_of(client.get(sent["Location"]))
    assert "Thank you." not in text_of(client.get(reverse("portal-help")))


def test_a_message_about_no_invoice_is_fine(ada):
    client = portal_client(ada)

    assert client.post(reverse("portal-contact"), {"invoice": "", "message": "Do you take cheques?"}).status_code == 302

    assert SupportRequest.objects.get().invoice is None


def test_form_errors_are_shown_next_to_their_fields_and_nothing_is_sent(business, ada, grace):
    someone_elses = Invoice.objects.filter(customer=grace).first()
    client = portal_client(ada)

    response = client.post(reverse("portal-contact"), {"invoice": someone_elses.public_id, "message": "  "})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="contact-message-hint contact-message-error" aria-invalid="true"' in html
    assert '<p class="field-error" id="contact-message-error">Write your message.</p>' in html
    assert 'id="contact-invoice-error"' in html
    assert SupportRequest.objects.filter(customer=ada).count() == 0
    too_long = client.post(reverse("portal-contact"), {"message": "x" * 2001})
    assert too_long.status_code == 400 and "2001 characters long" in text_of(too_long)
    with_card = client.post(reverse("portal-contact"), {"message": "card 4242 4242 4242 4242"})
    assert with_card.status_code == 400 and "Please take out the card number" in text_of(with_card)
    assert SupportRequest.objects.filter(customer=ada).count() == 0


def test_the_pages_need_a_portal_session(db):
    client = Client()

    for name in ("portal-help", "portal-data", "portal-data-download"):
        assert client.get(reverse(name))["Location"].startswith(reverse("portal-find")), name
    assert client.post(reverse("portal-contact"), {"message": "Hi"})["Location"].startswith(reverse("portal-find"))
    assert client.post(reverse("portal-data-delete"), {"confirm": "yes"})["Location"].startswith(reverse("portal-find"))
    assert SupportRequest.objects.count() == 0


# ---- your data ----


def test_the_data_page_says_what_is_kept_for_how_long_and_who_holds_the_card(settings, business, ada):
    settings.FINANCIAL_RECORDS_YEARS = 10
    paid_with_saved_card(make_invoice(business, ada))

    page = text_of(portal_client(ada).get(reverse("portal-data")))

    assert "Invoices, payments and refunds: 10 years, as the law requires." in page
    assert "Card numbers are never stored here." in page
    assert "Visa •••• 4242, expires 12/" in page and "held by Paydesk test sandbox" in page
    assert "until you ask us to delete them" in page


def test_download_has_the_customers_records_and_nothing_of_anyone_else(business, ada, grace, stranger):
    paid = make_invoice(business, ada)
    payment = paid_with_saved_card(paid)
    refund = refund_create(payment=payment, amount=2000)
    planned = make_invoice(business, ada)
    plan = plan_create(invoice=planned, parts=2)
    support_request_create(customer=ada, message="Ada's question", invoice=planned)

    response = portal_client(ada).get(reverse("portal-data-download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    [record] = data["customers"]
    assert record["id"] == ada.public_id
    assert record["contact_details"] == {
        "name": "Ada Lovelace", "email": "ada@example.test", "phone": "+44 20 7946 0001", "postal_code": ""
    }
    assert [invoice["id"] for invoice in record["invoices"]] == [paid.public_id, planned.public_id]
    assert record["invoices"][0]["lines"][0]["description"] == "Call-out"
    assert [each["id"] for each in record["payments"]] == [payment.public_id]
    assert record["payments"][0]["card"]["last4"] == "4242"
    assert record["payments"][0]["invoices"] == [paid.number]
    assert [each["id"] for each in record["refunds"]] == [refund.public_id]
    [saved] = record["saved_cards"]
    assert (saved["last4"], saved["held_by"]) == ("4242", "Paydesk test sandbox")
    assert [each["id"] for each in record["payment_plans"]] == [plan.public_id]
    assert [each["message"] for each in record["support_requests"]] == ["Ada's question"]
    assert {message["subject"] for message in record["messages"]} >= {
        f"Receipt from Riverside Plumbing for invoice {paid.number}"
    }
    # Nothing of Grace (same business) or of Hilltop's customer, and no card token.
    text = response.content.decode()
    others = [grace, stranger]
    for other in others:
        assert other.public_id not in text and other.name not in text and other.email not in text
        for invoice in Invoice.objects.filter(customer=other):
            assert invoice.public_id not in text
        for other_payment in Payment.objects.filter(customer=other):
            assert other_payment.public_id not in text
    assert "Grace's own question" not in text
    for method in SavedPaymentMethod.objects.all():
        assert method.provider_token not in text


def test_delete_asks_for_confirmation_first(ada):
    client = portal_client(ada)

    response = client.post(reverse("portal-data-delete"), {})

    html = response.content.decode()
    assert response.status_code == 400
    assert '<p class="field-error" id="delete-confirm-error">Tick the box to confirm' in html
    assert 'aria-invalid="true" aria-describedby="delete-confirm-error"' in html
    ada.refresh_from_db()
    assert ada.erased_at is None and ada.email == "ada@example.test"


def test_delete_clears_contact_details_keeps_the_ledger_and_signs_out(business, ada, grace):
    ada = customer_update(customer=ada, postal_code="SW1A 1AA", time_zone="Europe/London", preferred_locales=["en"])
    ada.channel_preferences, ada.monthly_spending_limit, ada.notify_every_charge = {"reminders": "sms"}, 5000, True
    ada.save()
    paid = make_invoice(business, ada)
    payment = paid_with_saved_card(paid)
    refund_create(payment=payment, amount=1000)
    owing = make_invoice(business, ada)
    support_request_create(customer=ada, message="Call me on my mobile", invoice=owing)
    client = portal_client(ada)

    response = client.post(reverse("portal-data-delete"), {"confirm": "yes"})

    assert response.status_code == 200 and "Your data is deleted" in text_of(response)
    ada.refresh_from_db()
    assert (ada.name, ada.email, ada.phone, ada.postal_code, ada.time_zone) == ("", "", "", "", "")
    assert (ada.preferred_locales, ada.channel_preferences, ada.monthly_spending_limit, ada.notify_every_charge) == (
        [], {}, None, False
    )
    assert ada.erased_at is not None
    assert not SavedPaymentMethod.objects.filter(customer=ada, removed_at=None).exists()
    receipt = Message.objects.get(customer=ada, template="receipt")
    assert (receipt.to, receipt.context, receipt.body_text, receipt.body_html) == ("", {}, "", "")
    assert receipt.subject.startswith("Receipt from Riverside Plumbing")
    assert SupportRequest.objects.get(customer=ada).message == ""
    assert Event.objects.filter(type="customer.erased", data__id=ada.public_id).count() == 1
    customer_events = Event.objects.filter(data__object="customer", data__id=ada.public_id)
    assert customer_events.count() == 3  # created, updated, erased
    for event in customer_events:
        assert (event.data["name"], event.data["email"], event.data["phone"]) == ("", "", ""), event.type
        assert (event.data["postal_code"], event.data["time_zone"], event.data["preferred_locales"]) == (None, None, [])
    # Financial records stay, now detached, and still add up.
    assert Invoice.objects.filter(customer=ada).count() == 2
    assert Payment.objects.get(pk=payment.pk).amount_refunded == 1000
    assert ledger_check()["problems"] == []
    # Signed out; the other customer is untouched.
    assert client.get(reverse("portal-home"))["Location"].startswith(reverse("portal-find"))
    grace.refresh_from_db()
    assert (grace.name, grace.email, grace.erased_at) == ("Grace Hopper", "grace@example.test", None)
    assert Customer.objects.get(pk=grace.pk).saved_methods.filter(removed_at=None).count() == 1


def test_after_deletion_no_saved_card_is_charged(business, ada):
    from paydesk.payments.automatic_charges import automatic_charge_create, automatic_charges_sweep

    paid_with_saved_card(make_invoice(business, ada))
    charge = automatic_charge_create(invoice=make_invoice(business, ada))
    portal_client(ada).post(reverse("portal-data-delete"), {"confirm": "yes"})

    with clock.frozen_at(clock.real_now() + datetime.timedelta(days=20)):
        automatic_charges_sweep()

    charge.refresh_from_db()
    assert charge.status == "needs_customer"
    assert Payment.objects.filter(customer=ada, status="succeeded").count() == 1
