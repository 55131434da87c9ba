"""Support requests: what creating one records and whom it tells, what it refuses, and the
one way a request moves (open → closed)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from paydesk.core import clock
from paydesk.core.errors import InvalidTransition, PaydeskError
from paydesk.customers.services import customer_create, customer_erase
from paydesk.events.models import Event
from paydesk.messaging.models import Message
from paydesk.messaging.notifications import message_bodies
from paydesk.support.enums import SUPPORT_REQUEST_TRANSITIONS, SupportRequestStatus
from paydesk.support.models import SupportRequest
from paydesk.support.services import (
    MAX_REQUESTS_PER_DAY,
    message_has_card_number,
    support_request_close,
    support_request_create,
)

from ..conftest import make_invoice


@pytest.fixture
def reachable_customer(business):
    return customer_create(
        business=business, livemode=False, name="Ada Lovelace", email="ada@example.test", phone="+44 20 7946 0001"
    )


def test_a_request_is_recorded_open_with_its_event(reachable_customer, business):
    invoice = make_invoice(business, reachable_customer)

    support_request = support_request_create(customer=reachable_customer, message="  Why is there tax?\r\n", invoice=invoice)

    assert support_request.public_id.startswith("sup_")
    assert (support_request.status, support_request.message, support_request.invoice) == ("open", "Why is there tax?", invoice)
    assert support_request.closed_at is None
    event = Event.objects.get(type="support_request.created")
    assert event.data["id"] == support_request.public_id
    assert event.data["invoice"] == invoice.public_id
    assert event.data["customer"] == reachable_customer.public_id


def test_every_owner_and_admin_is_emailed_with_the_customer_and_the_invoice(team, reachable_customer, business):
    invoice = make_invoice(business, reachable_customer)

    support_request = support_request_create(customer=reachable_customer, message="Can I pay next week?", invoice=invoice)

    emails = Message.objects.filter(template="support_request_staff").order_by("to")
    assert [email.to for email in emails] == ["admin@riverside.test", "owner@riverside.test"]
    email = emails[0]
    assert email.customer is None and email.invoice is None  # staff's mail, not the customer's
    assert email.subject == f"Ada Lovelace asks about invoice {invoice.number}"
    text, html = message_bodies(email)
    assert "Can I pay next week?" in text
    assert "Ada Lovelace" in text and "ada@example.test" in text and "+44 20 7946 0001" in text
    assert f"Invoice: {invoice.number}" in text
    assert "Amount due: $120.00 (of $120.00)" in text
    assert f"{settings.BASE_URL}/dashboard/support/#{support_request.public_id}" in text
    assert "Can I pay next week?" in html and "mailto:ada@example.test" in html
    # the customers' footer ("just reply to this email") is not in a mail to staff
    assert "Just reply" not in html


def test_a_request_about_no_invoice_says_so(team, reachable_customer):
    support_request_create(customer=reachable_customer, message="Do you take cheques?")

    email = Message.objects.filter(template="support_request_staff").first()
    text, _html = message_bodies(email)
    assert email.subject == "Ada Lovelace sent a question"
    assert "Invoice:" not in text


def test_what_the_customer_writes_is_escaped_in_the_staff_email(team, reachable_customer):
    support_request_create(customer=reachable_customer, message='<script>alert("x")</script>')

    _text, html = message_bodies(Message.objects.filter(template="support_request_staff").first())
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("", "parameter_missing"),
        ("   \n  ", "parameter_missing"),
        ("x" * 2001, "message_too_long"),
        ("my card is 4242 4242 4242 4242, exp 12/30", "card_number_in_message"),
    ],
    ids=["empty", "blank", "too long", "card number"],
)
def test_a_message_must_be_said_and_short_and_hold_no_card_number(reachable_customer, message, code):
    with pytest.raises(PaydeskError) as refused:
        support_request_create(customer=reachable_customer, message=message)

    assert (refused.value.code, refused.value.param) == (code, "message")
    assert SupportRequest.objects.count() == 0
    assert not Message.objects.exists()


def test_two_thousand_characters_with_line_ends_counted_once_are_accepted(reachable_customer):
    message = ("x" * 99 + "\r\n") * 20  # 2,000 characters once each line end is one

    assert len(support_request_create(customer=reachable_customer, message=message).message) == 1999


def test_card_numbers_are_told_from_other_numbers():
    assert message_has_card_number("4000-0566-5566-5556")
    assert message_has_card_number("Amex 378282246310005")
    assert not message_has_card_number("Invoice INV-0001, 120.00, call +7 912 345 67 89")
    assert not message_has_card_number("reference 1234567890123")


def test_an_invoice_of_another_customer_or_a_draft_is_refused(reachable_customer, business):
    stranger = customer_create(business=business, livemode=False, name="Grace Hopper", email="grace@example.test")
    theirs = make_invoice(business, stranger)
    draft = make_invoice(business, reachable_customer, finalize=False)

    for invoice in (theirs, draft):
        with pytest.raises(PaydeskError) as refused:
            support_request_create(customer=reachable_customer, message="About this one", invoice=invoice)
        assert (refused.value.code, refused.value.param) == ("resource_missing", "invoice")
    assert SupportRequest.objects.count() == 0


def test_a_customer_whose_data_was_deleted_cannot_ask(reachable_customer):
    customer_erase(reachable_customer)

    with pytest.raises(PaydeskError) as refused:
        support_request_create(customer=reachable_customer, message="Hello?")

    assert refused.value.code == "resource_missing"


def test_at_most_ten_requests_a_day_then_again_the_next_day(reachable_customer, business):
    for number in range(MAX_REQUESTS_PER_DAY):
        support_request_create(customer=reachable_customer, message=f"Question {number}")

    with pytest.raises(PaydeskError) as refused:
        support_request_create(customer=reachable_customer, message="One more")
    assert (refused.value.code, refused.value.http_status) == ("too_many_support_requests", 429)

    with clock.frozen_at(clock.real_now() + datetime.timedelta(days=1, minutes=1)):
        support_request_create(customer=reachable_customer, message="The next day")
    assert SupportRequest.objects.count() == MAX_REQUESTS_PER_DAY + 1


def test_closing_records_when_and_an_event(reachable_customer):
    support_request = support_request_create(customer=reachable_customer, message="Thanks for the call")

    closed = support_request_close(support_request=support_request)

    assert closed.status == "closed" and closed.closed_at is not None
    assert Event.objects.get(type="support_request.closed").data["status"] == "closed"


def test_a_closed_request_cannot_be_closed_again(reachable_customer):
    support_request = support_request_create(customer=reachable_customer, message="Sorted")
    support_request_close(support_request=support_request)

    with pytest.raises(InvalidTransition) as refused:
        support_request_close(support_request=support_request)

    assert refused.value.code == "support_request_unexpected_state"
    assert Event.objects.filter(type="support_request.closed").count() == 1


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (SupportRequestStatus.OPEN, SupportRequestStatus.CLOSED, True),
        (SupportRequestStatus.CLOSED, SupportRequestStatus.OPEN, False),
        (SupportRequestStatus.OPEN, SupportRequestStatus.OPEN, False),
        (SupportRequestStatus.CLOSED, SupportRequestStatus.CLOSED, False),
    ],
)
def test_the_transition_table(current, target, allowed):
    assert (target in SUPPORT_REQUEST_TRANSITIONS[current]) is allowed


def test_deleting_the_customers_data_closes_and_empties_their_requests_and_the_staff_emails(team, reachable_customer, business):
    invoice = make_invoice(business, reachable_customer)
    support_request = support_request_create(customer=reachable_customer, message="My address is 1 High St", invoice=invoice)

    customer_erase(reachable_customer)

    support_request.refresh_from_db()
    assert (support_request.status, support_request.message) == ("closed", "")
    for email in Message.objects.filter(template="support_request_staff"):
        assert (email.context, email.body_text, email.body_html, email.status) == ({}, "", "", "failed")
    for event in Event.objects.filter(type__startswith="support_request."):
        assert event.data["message"] == ""
