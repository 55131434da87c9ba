"""While a request about an invoice is open, that invoice gets no reminders: the send-time
rule and the sweep's query agree, and closing the request lets reminders go out again."""

from __future__ import annotations

from paydesk.customers.services import customer_create
from paydesk.invoicing.models import Invoice
from paydesk.messaging.reminder_rules import (
    ReminderOutcome,
    candidate_filter,
    invoice_has_open_support_request,
    reminder_stop_reason,
)
from paydesk.support.services import support_request_close, support_request_create

from ..conftest import make_invoice


def found_by_the_sweep(invoice) -> bool:
    return Invoice.objects.filter(candidate_filter(), pk=invoice.pk).exists()


def test_an_open_request_about_the_invoice_rests_its_reminders_until_closed(business, customer):
    invoice = make_invoice(business, customer)
    assert reminder_stop_reason(invoice) is None and found_by_the_sweep(invoice)

    support_request = support_request_create(customer=customer, message="I was charged twice", invoice=invoice)

    assert invoice_has_open_support_request(invoice)
    assert reminder_stop_reason(invoice) == ReminderOutcome.OPEN_SUPPORT_REQUEST
    assert not found_by_the_sweep(invoice)

    support_request_close(support_request=support_request)

    assert not invoice_has_open_support_request(invoice)
    assert reminder_stop_reason(invoice) is None
    assert found_by_the_sweep(invoice)


def test_a_request_about_nothing_in_particular_holds_no_invoice(business, customer):
    # A request without an invoice must not reach the sweep's NOT IN as a NULL (which would
    # hold every invoice of every business).
    invoice = make_invoice(business, customer)
    support_request_create(customer=customer, message="Do you take cheques?")

    assert reminder_stop_reason(invoice) is None
    assert found_by_the_sweep(invoice)


def test_a_request_about_one_invoice_leaves_the_others_alone(business, customer):
    asked_about = make_invoice(business, customer)
    other = make_invoice(business, customer)
    someone_elses = make_invoice(
        business, customer_create(business=business, livemode=False, name="Grace", email="grace@example.test")
    )

    support_request_create(customer=customer, message="About this one", invoice=asked_about)

    assert [found_by_the_sweep(invoice) for invoice in (asked_about, other, someone_elses)] == [False, True, True]
