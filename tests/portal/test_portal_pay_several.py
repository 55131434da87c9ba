"""Paying several invoices in one payment from the portal: one charge, an allocation and
ledger entries per invoice, plan parts paid, one receipt listing them."""

from __future__ import annotations

from django.urls import reverse

from paydesk.invoicing.services import NewLine
from paydesk.ledger.checks import ledger_check
from paydesk.messaging.models import Message
from paydesk.payments.models import Payment
from paydesk.payments.several import payment_create_for_invoices
from paydesk.portal.access import portal_session_create
from paydesk.terms.services import plan_create

from ..conftest import card, make_invoice


def enter(client, customer):
    _, url = portal_session_create(customer=customer)
    client.get(url.split("127.0.0.1:8000", 1)[-1])


def test_two_invoices_in_one_payment_from_the_portal(client, business, customer, open_invoice):
    second = make_invoice(business, customer, lines=[NewLine("Boiler service", 1, 5000)])
    plan = plan_create(invoice=second, parts=2)
    enter(client, customer)
    review = client.get(reverse("portal-pay"), {"invoice": [open_invoice.public_id, second.public_id]})
    assert "Total: $170.00" in review.content.decode()
    paid = client.post(
        reverse("portal-pay"),
        {"invoice": [open_invoice.public_id, second.public_id], "card_number": "4242 4242 4242 4242", "expiry": "12/30", "security_code": "123"},
    )
    assert paid.status_code == 302 and "/receipts/" in paid["Location"]
    payment = Payment.objects.get(status="succeeded")
    assert payment.amount == 17000 and payment.invoice is None
    assert sorted(payment.allocations.values_list("amount", flat=True)) == [5000, 12000]
    open_invoice.refresh_from_db()
    second.refresh_from_db()
    assert open_invoice.status == second.status == "paid"
    plan.refresh_from_db()
    assert plan.status == "completed"
    receipt = Message.objects.get(template="receipt_several")
    assert [row["number"] for row in receipt.context["paid_invoices"]] == [open_invoice.number, second.number]
    page = client.get(paid["Location"]).content.decode()
    assert open_invoice.number in page and second.number in page
    assert ledger_check()["problems"] == []


def test_a_declined_card_pays_nothing(business, customer, open_invoice):
    second = make_invoice(business, customer)
    payment = payment_create_for_invoices(invoices=[open_invoice, second], card=card("4000000000000002"))
    assert payment.status == "failed" and not payment.allocations.exists()
    assert ledger_check()["problems"] == []


def test_3d_secure_on_several_is_canceled_if_an_invoice_was_paid_meanwhile(business, customer, open_invoice):
    from paydesk.payments.services import payment_complete_action

    second = make_invoice(business, customer)
    payment = payment_create_for_invoices(invoices=[open_invoice, second], card=card("4000002500003155"))
    assert payment.status == "requires_action"
    from paydesk.payments.services import payment_create

    payment_create(invoice=second, card=card())
    payment = payment_complete_action(payment=payment, approved=True)
    assert payment.status == "canceled"
    assert ledger_check()["problems"] == []


def test_3d_secure_on_several_pays_each_when_approved(business, customer, open_invoice):
    from paydesk.payments.services import payment_complete_action

    second = make_invoice(business, customer)
    payment = payment_create_for_invoices(invoices=[open_invoice, second], card=card("4000002500003155"))
    payment = payment_complete_action(payment=payment, approved=True)
    assert payment.status == "succeeded" and payment.allocations.count() == 2
    assert ledger_check()["problems"] == []


def test_cards_are_added_made_default_and_removed_in_the_portal(client, customer):
    from paydesk.payments.models import SavedPaymentMethod

    enter(client, customer)
    page = reverse("portal-methods")
    refused = client.post(page, {"action": "add", "card_number": "4242 4242 4242 4241", "expiry": "12/30", "security_code": "123"})
    assert refused.status_code == 400 and not SavedPaymentMethod.objects.exists()
    added = client.post(page, {"action": "add", "card_number": "4242 4242 4242 4242", "expiry": "12/30", "security_code": "123"})
    assert added.status_code == 302
    client.post(page, {"action": "add", "card_number": "5555 5555 5555 4444", "expiry": "11/31", "security_code": "321"})
    first, second = SavedPaymentMethod.objects.order_by("pk")
    assert first.is_default and first.active and not second.is_default
    client.post(page, {"action": "default", "card": second.public_id})
    first.refresh_from_db(), second.refresh_from_db()
    assert second.is_default and not first.is_default
    client.post(page, {"action": "remove", "card": second.public_id})
    first.refresh_from_db(), second.refresh_from_db()
    assert second.removed_at is not None and first.is_default
    assert "•••• 4444" not in client.get(page).content.decode()


def test_the_payment_of_several_says_so_in_its_event(business, customer, open_invoice):
    from paydesk.events.models import Event

    second = make_invoice(business, customer)
    payment = payment_create_for_invoices(invoices=[open_invoice, second], card=card())
    created = Event.objects.get(type="payment.created", data__id=payment.public_id)
    assert created.data["invoice"] is None
    assert created.data["invoices"] == [
        {"invoice": open_invoice.public_id, "amount": 12000},
        {"invoice": second.public_id, "amount": 12000},
    ]


def test_bills_of_two_records_with_one_address_are_paid_one_record_at_a_time(client, business, customer, open_invoice):
    from paydesk.customers.services import customer_create

    twin = customer_create(business=business, livemode=False, name="Ada L.", email=customer.email)
    theirs = make_invoice(business, twin)
    enter(client, customer)  # a portal session of one record...
    from paydesk.portal.access import SESSION_KEY

    session = client.session
    session[SESSION_KEY]["customers"] = [customer.pk, twin.pk]  # ...as a magic link to the address opens both
    session.save()
    chosen = {"invoice": [open_invoice.public_id, theirs.public_id]}
    assert "different accounts" in client.get(reverse("portal-pay"), chosen).content.decode()
    refused = client.post(reverse("portal-pay"), {**chosen, "card_number": "4242424242424242", "expiry": "12/30", "security_code": "123"})
    assert refused.status_code == 200 and not Payment.objects.exists()
