"""The dashboard's support page (open requests newest first with a Close button, closed ones
below), its count on the overview, and the customer portal's texts, which only the owner and
admins may change."""

from __future__ import annotations

import datetime
import re

from paydesk.businesses.models import Business
from paydesk.businesses.services import business_create
from paydesk.core import clock
from paydesk.customers.services import customer_create
from paydesk.events.models import Event
from paydesk.support.models import SupportRequest
from paydesk.support.services import support_request_close, support_request_create

from ..conftest import make_invoice
from .conftest import client_for


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def ask(customer, message: str, *, invoice=None, minutes_ago: int = 0):
    with clock.frozen_at(clock.real_now() - datetime.timedelta(minutes=minutes_ago)):
        return support_request_create(customer=customer, message=message, invoice=invoice)


def test_open_requests_newest_first_then_closed_ones(team, business, customer):
    invoice = make_invoice(business, customer)
    older = ask(customer, "First question", minutes_ago=30)
    newer = ask(customer, "Second question", invoice=invoice, minutes_ago=5)
    done = ask(customer, "Old and answered", minutes_ago=60)
    support_request_close(support_request=done)

    html = client_for(team["owner"]).get("/dashboard/support/").content.decode()

    open_part, closed_part = html.split('id="closed-heading"')
    assert open_part.index(newer.public_id) < open_part.index(older.public_id)
    assert done.public_id not in open_part and "Old and answered" in closed_part
    assert "Second question" in open_part and invoice.number in open_part
    assert "$120.00 due" in text_of_html(open_part)
    assert 'href="mailto:ada@example.test"' in open_part
    assert open_part.count('action="/dashboard/support/') == 2


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_closing_a_request_from_the_page(team, customer):
    support_request = ask(customer, "Please call me")
    staff = client_for(team["support"])

    response = staff.post(f"/dashboard/support/{support_request.public_id}/close/", follow=True)

    support_request.refresh_from_db()
    assert support_request.status == "closed"
    assert "The request from Ada Lovelace is closed." in text_of(response)
    again = staff.post(f"/dashboard/support/{support_request.public_id}/close/", follow=True)
    assert "This request was already closed." in text_of(again)
    assert Event.objects.filter(type="support_request.closed").count() == 1


def test_a_read_only_member_sees_requests_but_cannot_close_them(team, customer):
    support_request = ask(customer, "Please call me")
    auditor = client_for(team["read_only"])

    page = auditor.get("/dashboard/support/").content.decode()
    refused = auditor.post(f"/dashboard/support/{support_request.public_id}/close/")

    assert "Please call me" in page and "/close/" not in page
    assert refused.status_code == 403
    support_request.refresh_from_db()
    assert support_request.status == "open"


def test_another_business_request_is_not_found(team):
    other = business_create(name="Hilltop Dental", email="owner@hilltop.test").business
    stranger = customer_create(business=other, livemode=False, name="Grace Hopper", email="grace@example.test")
    theirs = ask(stranger, "Hilltop's question")
    staff = client_for(team["owner"])

    assert "Hilltop's question" not in staff.get("/dashboard/support/").content.decode()
    assert staff.post(f"/dashboard/support/{theirs.public_id}/close/").status_code == 404
    assert SupportRequest.objects.get(pk=theirs.pk).status == "open"


def test_the_overview_counts_open_requests(team, customer):
    staff = client_for(team["owner"])
    assert 'id="support-requests-notice"' not in staff.get("/dashboard/").content.decode()

    ask(customer, "One")
    ask(customer, "Two")

    html = text_of(staff.get("/dashboard/"))
    assert "2 support requests from customers are open." in html
    assert 'href="/dashboard/support/"' in html


def test_the_pages_keep_to_the_strict_policy(team, customer):
    ask(customer, "Hello")
    staff = client_for(team["owner"])

    for path in ("/dashboard/support/", "/dashboard/settings/portal/"):
        response = staff.get(path)
        html = response.content.decode()
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
        assert " style=" not in html and "<style" not in html, path


def test_the_owner_writes_the_portal_texts(team, business):
    staff = client_for(team["owner"])
    faq = "Do you take cash?\r\nYes, at the counter.\r\n\r\nWhen are you open?\r\nNine to five."

    response = staff.post("/dashboard/settings/portal/", {"portal_faq": faq, "payment_instructions": "Bank transfer to GB00"})

    assert response.status_code == 302
    business.refresh_from_db()
    assert business.portal_faq == "Do you take cash?\nYes, at the counter.\n\nWhen are you open?\nNine to five."
    assert business.payment_instructions == "Bank transfer to GB00"
    event = Event.objects.get(type="business.portal_texts_updated")
    assert event.data["portal_faq"] == business.portal_faq
    page = staff.get("/dashboard/settings/portal/").content.decode()
    assert "Yes, at the counter." in page and "The customer portal&#x27;s texts are saved." in page


def test_an_admin_may_write_them_but_support_and_accountants_may_not(team, business):
    assert client_for(team["admin"]).post("/dashboard/settings/portal/", {"portal_faq": "By admin"}).status_code == 302
    for role in ("support", "accountant", "read_only"):
        client = client_for(team[role])
        assert client.get("/dashboard/settings/portal/").status_code == 403, role
        assert client.post("/dashboard/settings/portal/", {"portal_faq": f"By {role}"}).status_code == 403, role
    assert Business.objects.get(pk=business.pk).portal_faq == "By admin"


def test_too_long_a_text_is_refused_next_to_its_field(team, business):
    response = client_for(team["owner"]).post("/dashboard/settings/portal/", {"portal_faq": "x" * 10_001})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_portal_faq_error"' in html and 'aria-invalid="true"' in html
    assert Business.objects.get(pk=business.pk).portal_faq == ""


def test_the_support_page_speaks_russian(team, customer):
    ask(customer, "Вопрос")
    staff = client_for(team["owner"])

    html = staff.get("/dashboard/support/?lang=ru").content.decode()

    assert "Открытые обращения" in html and "Закрыть" in html
