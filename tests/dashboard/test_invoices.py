"""Invoices in the dashboard: the list, the create form, and every action on one invoice."""

from __future__ import annotations

import datetime
from decimal import Decimal

from paydesk.core import clock
from paydesk.invoicing.models import Invoice
from paydesk.invoicing.services import NewLine, invoice_create
from paydesk.messaging.models import Message
from paydesk.payments.models import Payment

from ..conftest import make_invoice


def invoice_form(customer, *, lines, currency="usd", discount="", due_date="", **extra) -> dict:
    """The create form as a browser posts it: five rows, the unused ones left blank."""
    data = {
        "customer": customer.public_id,
        "currency": currency,
        "discount": discount,
        "due_date": due_date,
        "description": "",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        **extra,
    }
    for row in range(5):
        description, quantity, price, tax = lines[row] if row < len(lines) else ("", "1", "", "")
        data[f"lines-{row}-description"] = description
        data[f"lines-{row}-quantity"] = quantity
        data[f"lines-{row}-unit_price"] = price
        data[f"lines-{row}-tax_rate"] = tax
    return data


def test_the_form_offers_five_empty_rows_and_the_business_currency(staff, customer):
    html = staff.get("/dashboard/invoices/new/").content.decode()

    for row in range(5):
        assert f'name="lines-{row}-description"' in html
    assert 'name="lines-5-description"' not in html
    assert '<option value="usd" selected>' in html
    assert f'<option value="{customer.public_id}">Ada Lovelace</option>' in html


def test_creating_an_invoice_from_the_form_gives_exact_totals(staff, customer):
    # Given two lines typed as people type them (a comma decimal, a percent sign) and a discount.
    due = clock.today() + datetime.timedelta(days=30)
    data = invoice_form(
        customer,
        lines=[("Tap washer", "2", "12,50", "20%"), ("Call-out", "1", "9.99", "")],
        discount="5",
        due_date=due.isoformat(),
    )

    # When the form is sent
    response = staff.post("/dashboard/invoices/new/", data)

    # Then a draft exists with the discount split by largest remainder and tax rounded half up:
    # 2500 + 999 = 3499; discount 500 → 357 and 143; tax 20% of 2143 = 428.6 → 429.
    invoice = Invoice.objects.get(customer=customer)
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/invoices/{invoice.public_id}/"
    assert (invoice.status, invoice.currency, invoice.due_date) == ("draft", "usd", due)
    assert (invoice.subtotal, invoice.discount_amount, invoice.tax, invoice.total) == (3499, 500, 429, 3428)
    lines = list(invoice.lines.values_list("description", "quantity", "unit_amount", "tax_rate_percent", "discount_amount", "tax_amount"))
    assert lines == [("Tap washer", 2, 1250, Decimal("20"), 357, 429), ("Call-out", 1, 999, Decimal("0"), 143, 0)]
    page = staff.get(response["Location"]).content.decode()
    assert '<dd id="invoice-total">$34.28</dd>' in page
    assert "Draft invoice saved." in page


def test_save_and_finalize_numbers_the_invoice(staff, customer):
    data = invoice_form(customer, lines=[("Boiler service", "1", "80.00", "")], finalize="1")

    response = staff.post("/dashboard/invoices/new/", data)

    invoice = Invoice.objects.get(customer=customer)
    assert response.status_code == 302
    assert (invoice.status, invoice.number, invoice.total) == ("open", "INV-0001", 8000)


def test_a_bad_price_is_shown_next_to_its_field_and_nothing_is_created(staff, customer):
    data = invoice_form(customer, lines=[("Tap washer", "1", "12.50", ""), ("Call-out", "1", "twelve", "")])

    response = staff.post("/dashboard/invoices/new/", data)

    html = response.content.decode()
    assert response.status_code == 400
    assert '<ul class="errorlist" id="id_lines-1-unit_price_error"><li>Enter a price like 12.50.</li></ul>' in html
    assert 'value="Tap washer"' in html
    assert Invoice.objects.count() == 0


def test_a_form_with_no_lines_asks_for_one(staff, customer):
    response = staff.post("/dashboard/invoices/new/", invoice_form(customer, lines=[]))

    assert response.status_code == 400
    assert b"Add at least one line: a description and a price." in response.content
    assert Invoice.objects.count() == 0


def test_a_discount_larger_than_the_subtotal_is_refused_next_to_the_discount(staff, customer):
    response = staff.post("/dashboard/invoices/new/", invoice_form(customer, lines=[("Washer", "1", "1.00", "")], discount="2.00"))

    html = response.content.decode()
    assert response.status_code == 400
    assert '<ul class="errorlist" id="id_discount_error"><li>The discount is larger than the subtotal.</li></ul>' in html
    assert Invoice.objects.count() == 0


def test_the_list_filters_by_status(staff, business, customer):
    draft = make_invoice(business, customer, finalize=False)
    opened = make_invoice(business, customer)

    open_page = staff.get("/dashboard/invoices/?status=open").content.decode()
    draft_page = staff.get("/dashboard/invoices/?status=draft").content.decode()

    assert opened.public_id in open_page and draft.public_id not in open_page
    assert draft.public_id in draft_page and opened.public_id not in draft_page
    assert 'href="/dashboard/invoices/?status=open" aria-current="page"' in open_page


def test_the_list_has_pages_of_fifty(staff, business, customer):
    for _ in range(51):
        invoice_create(business=business, livemode=False, customer=customer, currency="usd", lines=[NewLine("Washer", 1, 100)])

    first = staff.get("/dashboard/invoices/").content.decode()
    second = staff.get("/dashboard/invoices/?page=2").content.decode()

    assert first.count('<th scope="row">') == 50
    assert second.count('<th scope="row">') == 1
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first


def test_overdue_filter_shows_open_invoices_past_their_due_date(staff, business, customer):
    overdue = make_invoice(business, customer)
    Invoice.objects.filter(pk=overdue.pk).update(due_date=clock.today() - datetime.timedelta(days=1))
    current = make_invoice(business, customer)

    page = staff.get("/dashboard/invoices/?status=overdue").content.decode()

    assert overdue.public_id in page
    assert current.public_id not in page


def test_finalizing_a_draft_from_its_page(staff, business, customer):
    draft = make_invoice(business, customer, finalize=False)

    response = staff.post(f"/dashboard/invoices/{draft.public_id}/finalize/", follow=True)

    draft.refresh_from_db()
    assert draft.status == "open"
    assert "Invoice INV-0001 is finalized." in response.content.decode()
    assert "http://127.0.0.1:8000/i/" + draft.hosted_token in response.content.decode()


def test_sending_queues_an_email_shown_on_the_invoice_and_in_the_outbox(staff, open_invoice):
    response = staff.post(f"/dashboard/invoices/{open_invoice.public_id}/send/", follow=True)

    message = Message.objects.get(invoice=open_invoice)
    html = response.content.decode()
    assert message.to == "ada@example.test"
    assert "The invoice was emailed to ada@example.test." in html
    assert f"/dashboard/outbox/{message.public_id}/" in html
    outbox = staff.get("/dashboard/outbox/").content.decode()
    assert message.subject in outbox
    detail = staff.get(f"/dashboard/outbox/{message.public_id}/").content.decode()
    assert open_invoice.hosted_token in detail


def test_sending_a_draft_is_refused_with_a_message_not_an_error_page(staff, business, customer):
    draft = make_invoice(business, customer, finalize=False)

    response = staff.post(f"/dashboard/invoices/{draft.public_id}/send/", follow=True)

    assert response.status_code == 200
    assert "Only a finalized invoice can be sent. Finalize the draft first." in response.content.decode()
    assert Message.objects.count() == 0


def test_voiding_an_open_invoice(staff, open_invoice):
    response = staff.post(f"/dashboard/invoices/{open_invoice.public_id}/void/", follow=True)

    open_invoice.refresh_from_db()
    assert open_invoice.status == "void"
    assert "The invoice is void." in response.content.decode()


def test_recording_cash_pays_the_invoice(staff, open_invoice):
    response = staff.post(
        f"/dashboard/invoices/{open_invoice.public_id}/payments/",
        {"payment-method": "cash", "payment-amount": "", "payment-note": "Paid at the door"},
        follow=True,
    )

    open_invoice.refresh_from_db()
    payment = Payment.objects.get(invoice=open_invoice)
    html = response.content.decode()
    assert (open_invoice.status, open_invoice.amount_paid) == ("paid", 12000)
    assert (payment.method_type, payment.amount, payment.status) == ("cash", 12000, "succeeded")
    assert "Recorded $120.00 received." in html
    assert f"/dashboard/payments/{payment.public_id}/" in html


def test_recording_part_of_what_is_owed(staff, open_invoice):
    staff.post(f"/dashboard/invoices/{open_invoice.public_id}/payments/", {"payment-method": "cheque", "payment-amount": "20,50"})

    open_invoice.refresh_from_db()
    assert (open_invoice.status, open_invoice.amount_paid) == ("open", 2050)


def test_recording_more_than_is_owed_is_refused_next_to_the_amount(staff, open_invoice):
    response = staff.post(
        f"/dashboard/invoices/{open_invoice.public_id}/payments/", {"payment-method": "cash", "payment-amount": "500"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert '<ul class="errorlist" id="id_payment-amount_error"><li>That is more than the $120.00 that remains.</li></ul>' in html
    assert Payment.objects.count() == 0


def test_an_invoice_with_a_payment_cannot_be_voided(staff, open_invoice):
    staff.post(f"/dashboard/invoices/{open_invoice.public_id}/payments/", {"payment-method": "cash", "payment-amount": "10"})

    page = staff.get(f"/dashboard/invoices/{open_invoice.public_id}/").content.decode()
    response = staff.post(f"/dashboard/invoices/{open_invoice.public_id}/void/", follow=True)

    assert "/void/" not in page
    assert "This invoice has payments. Refund them before voiding it." in response.content.decode()
    open_invoice.refresh_from_db()
    assert open_invoice.status == "open"


def test_writing_off_an_open_invoice(staff, open_invoice):
    staff.post(f"/dashboard/invoices/{open_invoice.public_id}/write-off/")

    open_invoice.refresh_from_db()
    assert open_invoice.status == "uncollectible"


def test_every_mistake_is_shown_at_once(staff, customer):
    data = invoice_form(customer, lines=[("Tap washer", "1", "abc", "")])
    data["customer"] = ""

    html = staff.post("/dashboard/invoices/new/", data).content.decode()

    assert 'id="id_customer_error"' in html
    assert '<ul class="errorlist" id="id_lines-0-unit_price_error"><li>Enter a price like 12.50.</li></ul>' in html
