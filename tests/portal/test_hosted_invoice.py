"""The hosted invoice page and its checkout, through Django's test client."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from paydesk.customers.services import customer_create
from paydesk.messaging.models import Message
from paydesk.messaging.notifications import message_render
from paydesk.payments.models import Payment

from ..conftest import make_invoice


def page_url(invoice) -> str:
    return reverse("hosted-invoice", kwargs={"token": invoice.hosted_token})


def pay(client, invoice, number="4242424242424242", expiry="12/30", code="123", amount="", **headers):
    return client.post(
        reverse("hosted-invoice-pay", kwargs={"token": invoice.hosted_token}),
        {"card_number": number, "expiry": expiry, "security_code": code, "amount": amount},
        **headers,
    )


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_page_shows_every_line_the_totals_the_due_date_and_the_card_form(client, open_invoice):
    response = client.get(page_url(open_invoice))
    text = text_of(response)
    assert response.status_code == 200
    assert open_invoice.number in text and "Call-out" in text
    assert "$100.00" in text and "$20.00" in text and "$120.00" in text
    for label in ("Card number", "Expiry date", "Security code"):
        assert f">{label}" in text
    assert re.search(r'<button[^>]*id="pay-button"[^>]*>Pay \$120\.00</button>', text)
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_draft_or_unknown_token_is_not_found(client, business, customer):
    draft = make_invoice(business, customer, finalize=False)
    assert client.get(page_url(draft)).status_code == 404
    assert client.get("/i/not-a-real-token").status_code == 404


def test_paying_in_full_shows_a_confirmation_and_queues_a_receipt(client, open_invoice):
    response = pay(client, open_invoice)
    assert response.status_code == 302
    confirmation = client.get(response["Location"])
    text = text_of(confirmation)
    assert "Thank you — payment received" in text and "You paid $120.00." in text and "Visa •••• 4242" in text
    open_invoice.refresh_from_db()
    assert open_invoice.status == "paid"
    receipt = Message.objects.get(invoice=open_invoice, template="receipt")
    assert receipt.to == "ada@example.test" and receipt.locale == "en"
    assert receipt.subject == f"Receipt from Riverside Plumbing for invoice {open_invoice.number}"
    # the body is written by the worker just before sending, from the snapshot taken now
    message_render(receipt)
    assert "$120.00" in receipt.body_text and "/receipts/" in receipt.body_text


def test_a_decline_says_what_happened_in_plain_words_and_charges_nothing(client, open_invoice):
    response = pay(client, open_invoice, number="4000000000000002")
    text = text_of(response)
    assert response.status_code == 402
    assert "Your bank declined the payment — you have not been charged." in text
    assert "generic_decline" not in text and "card_declined" not in text
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == 0
    assert Payment.objects.get(invoice=open_invoice).status == "failed"


def test_field_errors_are_shown_next_to_the_field_without_charging(client, open_invoice):
    response = pay(client, open_invoice, number="4242", expiry="13/30", code="1")
    text = text_of(response)
    assert response.status_code == 400
    assert 'id="card_number-error">Enter the long number' in text
    assert 'id="expiry-error">Enter the expiry date' in text
    assert 'id="security_code-error">Enter the 3 digits' in text
    assert not Payment.objects.exists()


def test_a_partial_payment_leaves_the_rest_open(client, open_invoice):
    response = pay(client, open_invoice, amount="50,25")
    assert response.status_code == 302
    open_invoice.refresh_from_db()
    assert (open_invoice.status, open_invoice.amount_paid) == ("open", 5025)
    assert "Pay $69.75" in text_of(client.get(page_url(open_invoice)))


def test_more_than_is_owed_is_refused_plainly(client, open_invoice):
    response = pay(client, open_invoice, amount="500")
    assert response.status_code == 400
    assert "That is more than you owe on this invoice." in text_of(response)
    assert not Payment.objects.exists()


def test_three_d_secure_goes_to_the_bank_page_and_back_to_the_receipt(client, open_invoice):
    response = pay(client, open_invoice, number="4000002500003155")
    challenge_path = response["Location"].split("127.0.0.1:8000", 1)[-1]
    assert "/sandbox/3ds/" in challenge_path
    back = client.post(challenge_path, {"outcome": "approve"})
    landing = client.get(back["Location"].split("127.0.0.1:8000", 1)[-1])
    assert landing.status_code == 302 and "/receipts/" in landing["Location"]
    open_invoice.refresh_from_db()
    assert open_invoice.status == "paid"


def test_a_failed_challenge_returns_to_the_invoice_with_an_explanation(client, open_invoice):
    response = pay(client, open_invoice, number="4000002500003155")
    back = client.post(response["Location"].split("127.0.0.1:8000", 1)[-1], {"outcome": "fail"})
    landing = client.get(back["Location"].split("127.0.0.1:8000", 1)[-1])
    page = client.get(landing["Location"])
    assert "Your bank could not confirm it was you — you have not been charged." in text_of(page)


def test_russian_customers_see_russian_labels_and_russian_money(client, business):
    anna = customer_create(business=business, livemode=False, name="Анна", email="anna@example.test", preferred_locales=["ru"])
    invoice = make_invoice(business, anna)
    text = text_of(client.get(page_url(invoice)))
    for label in ("Номер карты", "Срок действия", "Код безопасности"):
        assert label in text
    assert "Оплатить 120,00 $" in text  # (the no-break space is normalized by text_of)


def test_accept_language_is_used_when_the_customer_has_no_preference(client, open_invoice):
    text = text_of(client.get(page_url(open_invoice), HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5"))
    assert "Номер карты" in text


def test_the_invoice_pdf_is_a_real_pdf_with_cyrillic_text(client, business):
    anna = customer_create(business=business, livemode=False, name="Анна Иванова", email="anna@example.test", preferred_locales=["ru"])
    invoice = make_invoice(business, anna)
    response = client.get(reverse("hosted-invoice-pdf", kwargs={"token": invoice.hosted_token}))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Анна Иванова" in text and "Итого" in text and "120,00" in text


def test_the_receipt_pdf_names_the_payment(client, open_invoice):
    location = pay(client, open_invoice)["Location"]
    payment = Payment.objects.get(invoice=open_invoice)
    response = client.get(location.split("?")[0] + ".pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert payment.public_id in text and "$120.00" in text


def test_the_page_requests_nothing_from_other_hosts_and_weighs_under_100_kilobytes(client, open_invoice):
    response = client.get(page_url(open_invoice))
    html = response.content.decode()
    referenced = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(not url.startswith(("http://", "https://", "//")) for url in referenced if not url.startswith("mailto:")), referenced
    total = len(response.content)
    for url in referenced:
        if url.startswith("/static/"):
            asset = client.get(url)
            assert asset.status_code == 200, url
            total += len(b"".join(asset.streaming_content) if asset.streaming else asset.content)
    assert total < 100_000, total


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.234", "1e3"])
def test_bad_amounts_are_refused_next_to_the_field(client, open_invoice, amount):
    response = pay(client, open_invoice, amount=amount)
    assert response.status_code == 400
    assert 'id="amount-error"' in text_of(response)
    assert not Payment.objects.exists()


def test_the_business_logo_is_served_from_the_same_host_and_only_png_or_jpeg_is_accepted(client, open_invoice):
    from paydesk.businesses.services import business_set_logo
    from paydesk.core.errors import PaydeskError
    from paydesk.demo.logo import demo_logo_png

    business = open_invoice.business
    with pytest.raises(PaydeskError) as raised:
        business_set_logo(business=business, image=b"<svg onload='alert(1)'></svg>")
    assert raised.value.code == "logo_invalid"
    business_set_logo(business=business, image=demo_logo_png())
    page = text_of(client.get(page_url(open_invoice)))
    logo_path = reverse("business-logo", kwargs={"business_id": business.public_id})
    assert f'src="{logo_path}"' in page
    logo = client.get(logo_path)
    assert logo["Content-Type"] == "image/png" and logo.content.startswith(b"\x89PNG")
