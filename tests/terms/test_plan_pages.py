"""Asking for a plan on the hosted invoice page, through Django's test client."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse

from paydesk.core import clock
from paydesk.core.formatting import date_text
from paydesk.terms.schedule import add_months
from paydesk.messaging.models import Message
from paydesk.terms.models import PaymentPlan

from tests.portal.test_hosted_invoice import pay, page_url


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def plan_url(invoice, **query) -> str:
    url = reverse("hosted-invoice-plan", kwargs={"token": invoice.hosted_token})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def test_no_offer_unless_the_business_allows_it(client, invoice_300):
    assert "Pay in parts" not in text_of(client.get(page_url(invoice_300)))
    assert client.get(plan_url(invoice_300)).status_code == 302


def test_the_customer_sees_the_exact_schedule_agrees_and_pays_the_first_part(client, invoice_300, policy):
    page = text_of(client.get(page_url(invoice_300)))
    assert "Pay in parts" in page and "Pay later" in page
    choice = text_of(client.get(plan_url(invoice_300, parts=3, interval="month")))
    for months in range(3):
        assert date_text(add_months(clock.today(), months), "en") in choice
    assert choice.count("$100.00") == 3
    refused = client.post(plan_url(invoice_300), {"parts": "3", "interval": "month"})
    assert refused.status_code == 400 and "tick the box" in text_of(refused)
    assert not PaymentPlan.objects.exists()

    agreed = client.post(plan_url(invoice_300), {"parts": "3", "interval": "month", "payment_choice": "automatic", "agree": "yes"})
    assert agreed.status_code == 302 and "plan=started" in agreed["Location"]
    plan = PaymentPlan.objects.get()
    assert plan.status == "active" and plan.auto_charge and plan.saved_method is None and plan.requested_by == "customer"
    assert Message.objects.filter(template="payment_plan_confirmed", invoice=invoice_300).exists()
    page = text_of(client.get(page_url(invoice_300) + "?plan=started"))
    assert "Your payment plan" in page and "Pay $100.00" in page and "automatic payments of the next parts" in page
    # The first part, with the card saved for the next ones.
    paid = client.post(
        reverse("hosted-invoice-pay", kwargs={"token": invoice_300.hosted_token}),
        {"card_number": "4242424242424242", "expiry": "12/30", "security_code": "123", "save_card": "yes"},
    )
    assert paid.status_code == 302 and "/receipts/" in paid["Location"]
    plan.refresh_from_db()
    assert [part.amount_paid for part in plan.parts.all()] == [10000, 0, 0]
    assert plan.saved_method is not None and plan.saved_method.card_last4 == "4242"
    page = text_of(client.get(page_url(invoice_300)))
    assert "Each part is charged to Visa •••• 4242" in page


def test_paying_another_amount_still_goes_to_the_parts_in_order(client, invoice_300, policy):
    client.post(plan_url(invoice_300), {"parts": "3", "interval": "month", "payment_choice": "manual", "agree": "yes"})
    assert pay(client, invoice_300, amount="150.00").status_code == 302
    plan = PaymentPlan.objects.get()
    assert [part.amount_paid for part in plan.parts.all()] == [10000, 5000, 0]


def test_a_business_that_reviews_requests_gets_one_to_answer(client, invoice_300, policy):
    policy.auto_approve = False
    policy.save()
    sent = client.post(plan_url(invoice_300), {"parts": "2", "interval": "month", "payment_choice": "manual", "agree": "yes"})
    assert "plan=requested" in sent["Location"]
    assert PaymentPlan.objects.get().status == "requested"
    assert Message.objects.filter(template="payment_plan_requested").exists()
    assert "We have your request" in text_of(client.get(page_url(invoice_300)))


def test_outside_the_policy_is_not_offered(client, invoice_300, policy):
    policy.max_installments = 3
    policy.smallest_part = 12000
    policy.save()
    choice = text_of(client.get(plan_url(invoice_300, parts=6)))
    # 300.00 in parts of at least 120.00: only 2 parts fit.
    assert '<option value="2" selected>' in choice and '<option value="3"' not in choice
    client.post(plan_url(invoice_300), {"parts": "6", "interval": "month", "payment_choice": "manual", "agree": "yes"})
    assert [part.amount for part in PaymentPlan.objects.get().parts.all()] == [15000, 15000]


def test_pay_later_within_the_policy_moves_the_due_date(client, invoice_300, policy):
    later_url = reverse("hosted-invoice-later", kwargs={"token": invoice_300.hosted_token})
    too_late = invoice_300.due_date + datetime.timedelta(days=policy.pay_later_max_days + 1)
    refused = client.post(later_url, {"pay_date": too_late.isoformat()})
    assert refused.status_code == 400 and "Choose a date from" in text_of(refused)
    chosen = invoice_300.due_date + datetime.timedelta(days=20)
    moved = client.post(later_url, {"pay_date": chosen.isoformat()})
    assert moved.status_code == 302
    invoice_300.refresh_from_db()
    assert invoice_300.due_date == chosen
    assert PaymentPlan.objects.get().kind == "pay_later"
    assert "Your new payment date" in text_of(client.get(page_url(invoice_300)))


def test_the_plan_pages_speak_russian(client, invoice_300, policy):
    page = text_of(client.get(plan_url(invoice_300) + "?lang=ru"))
    assert 'lang="ru"' in page


def test_switching_language_keeps_the_chosen_schedule(client, invoice_300, policy):
    page = client.get(plan_url(invoice_300, parts=4, interval="week")).content.decode()
    assert 'href="?parts=4&amp;interval=week&amp;lang=ru"' in page
    russian = client.get(plan_url(invoice_300, parts=4, interval="week") + "&lang=ru").content.decode()
    assert '<option value="4" selected>' in russian and 'lang="ru"' in russian
