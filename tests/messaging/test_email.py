"""Emails reach a real SMTP server on loopback, in the customer's language, exactly once."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from paydesk.core.errors import PaydeskError
from paydesk.customers.services import customer_create
from paydesk.messaging.delivery import messages_deliver_due
from paydesk.messaging.email import smtp_settings
from paydesk.messaging.models import Message
from paydesk.messaging.notifications import invoice_send
from paydesk.payments.refunds import refund_create
from paydesk.payments.services import payment_create

from ..conftest import card, make_invoice
from .conftest import free_port


def _body(message, subtype):
    return message.get_body(preferencelist=(subtype,)).get_content()


def test_a_receipt_reaches_smtp_in_russian_with_a_working_pdf_link(smtp_inbox, client, business):
    # given a Russian-speaking customer who pays an invoice
    anna = customer_create(business=business, livemode=False, name="Анна", email="anna@example.test", preferred_locales=["ru"])
    invoice = make_invoice(business, anna)
    payment_create(invoice=invoice, card=card())
    # when the worker delivers due messages
    assert messages_deliver_due() == 1
    # then one email arrived, in Russian, with text and HTML parts and the business's name
    assert len(smtp_inbox.messages) == 1
    received = smtp_inbox.messages[0]
    assert received["To"] == "anna@example.test"
    assert "Riverside Plumbing" in received["From"]
    # (a long encoded subject is folded onto the next line; readers drop the leading space)
    assert received["Subject"].strip() == f"Чек от «Riverside Plumbing» по счёту {invoice.number}"
    text = _body(received, "plain")
    assert "Спасибо! Мы получили ваш платёж 120,00\xa0$" in text
    assert "<a href" in _body(received, "html")
    # and the PDF link in it opens a receipt PDF
    pdf_link = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Скачать чек (PDF)"))
    response = client.get(pdf_link.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Чек" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    message = Message.objects.get()
    assert (message.status, message.template, message.locale) == ("sent", "receipt", "ru")
    # and delivering again sends nothing more
    assert messages_deliver_due() == 0
    assert len(smtp_inbox.messages) == 1


def test_without_smtp_messages_stay_in_the_outbox(settings, open_invoice):
    settings.EMAIL_URL = ""
    payment_create(invoice=open_invoice, card=card())
    messages_deliver_due()
    message = Message.objects.get()
    assert message.status == "stored" and message.sent_at is not None


def test_an_unreachable_server_is_retried_later(settings, open_invoice):
    settings.EMAIL_URL = f"smtp://127.0.0.1:{free_port()}?security=none&timeout=2"
    payment_create(invoice=open_invoice, card=card())
    messages_deliver_due()
    message = Message.objects.get()
    assert (message.status, message.attempt_count) == ("queued", 1)
    assert message.last_error
    assert messages_deliver_due() == 0  # not due again until the backoff passes


def test_sending_an_invoice_and_a_refund_email(smtp_inbox, open_invoice):
    invoice_send(invoice=open_invoice)
    payment = payment_create(invoice=open_invoice, card=card())
    refund_create(payment=payment, amount=2000)
    messages_deliver_due()
    subjects = sorted(message["Subject"].strip() for message in smtp_inbox.messages)
    assert subjects == sorted(
        [
            f"Invoice {open_invoice.number} from Riverside Plumbing",
            f"Receipt from Riverside Plumbing for invoice {open_invoice.number}",
            "Riverside Plumbing refunded $20.00",
        ]
    )
    invoice_email = next(message for message in smtp_inbox.messages if message["Subject"].strip().startswith("Invoice"))
    assert open_invoice.hosted_token in _body(invoice_email, "plain")


def test_a_draft_cannot_be_sent(business, customer):
    draft = make_invoice(business, customer, finalize=False)
    with pytest.raises(PaydeskError) as raised:
        invoice_send(invoice=draft)
    assert raised.value.code == "invoice_not_sendable"


@pytest.mark.parametrize(
    ("url", "host", "port", "tls", "ssl", "user"),
    [
        ("smtp://mail.example:587", "mail.example", 587, True, False, ""),
        ("smtps://u%40x:p@mail.example", "mail.example", 465, False, True, "u@x"),
        ("smtp://127.0.0.1:2525?security=none", "127.0.0.1", 2525, False, False, ""),
    ],
)
def test_email_url_parsing(url, host, port, tls, ssl, user):
    parsed = smtp_settings(url)
    assert (parsed.host, parsed.port, parsed.use_tls, parsed.use_ssl, parsed.username) == (host, port, tls, ssl, user)


def test_messages_are_listed_over_the_api(api, open_invoice):
    invoice_send(invoice=open_invoice)
    listed = api.get("/messages", invoice=open_invoice.public_id).json()
    assert [(m["template"], m["to"], m["channel"], m["status"]) for m in listed["data"]] == [
        ("invoice", "ada@example.test", "email", "queued")
    ]
    sent = api.post(f"/invoices/{open_invoice.public_id}/send").json()
    assert sent["message"]["template"] == "invoice"
    assert len(api.get("/messages", customer=open_invoice.customer.public_id).json()["data"]) == 2


def test_a_payment_link_gives_each_payer_an_invoice(api, client):
    link = api.post("/payment_links", {"amount": 4500, "currency": "usd", "description": "Drain survey"}).json()
    assert link["url"].startswith("http://") and link["amount"] == 4500
    path = link["url"].replace("http://127.0.0.1:8000", "")
    assert "Drain survey" in client.get(path).content.decode()
    response = client.post(path, {"email": "payer@example.test", "name": "Pat"})
    assert response.status_code == 302
    invoice_page = client.get(response["Location"].split("#")[0])
    assert "Pay $45.00" in invoice_page.content.decode()
    refused = client.post(path, {"email": "not-an-email"})
    assert refused.status_code == 400
    assert reverse("payment-link", kwargs={"token": "x"}) == "/l/x"
