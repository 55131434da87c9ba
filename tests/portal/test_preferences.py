"""The portal's preferences page (language, a channel per kind of message, a word about every
charge, a monthly spending limit, no non-essential messages), and those choices at work:
the word about every charge, reminders and notices on the chosen channel, and no
non-essential notes for a customer who opted out."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.customers.models import Customer
from paydesk.customers.services import customer_create, customer_preferences_set, customer_update
from paydesk.events.models import Event
from paydesk.invoicing.services import NewLine
from paydesk.jobs import advance_test_clock
from paydesk.messaging.models import Message, ReminderStep
from paydesk.messaging.notifications import message_bodies
from paydesk.messaging.reminder_policy import StepChange, reminder_policy_for, reminder_policy_update
from paydesk.messaging.reminders import reminders_sweep
from paydesk.payments.automatic_charges import automatic_charge_create, automatic_charges_sweep
from paydesk.payments.enums import PaymentMethodType
from paydesk.payments.models import AutomaticCharge
from paydesk.payments.services import payment_create, payment_record_offline
from paydesk.portal.access import BROWSER_COOKIE, magic_links_send, portal_session_create
from paydesk.terms.services import plan_create

from ..conftest import card, make_invoice

UTC = datetime.timezone.utc
# Noon on the wall clock: no reminder meets quiet hours by the hour a test happens to run at.
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PHONE = "+1 555 0100"


@pytest.fixture(autouse=True)
def wall_clock_at_noon():
    with clock.frozen_at(NOON):
        yield


# ---- helpers ----


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def portal_client(customer) -> Client:
    """A browser in the portal for ``customer``, through a portal session URL."""
    _link, url = portal_session_create(customer=customer)
    client = Client()
    assert client.get(urlsplit(url).path).status_code == 302
    return client


def choices(**changes) -> dict:
    """A full form as the page sends it, with the defaults a new customer sees."""
    form = {
        "language": "en",
        "channel_reminders": "email",
        "channel_notices": "email",
        "channel_charges": "email",
        "monthly_spending_limit": "",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def set_preferences(customer, *, channels=None, every_charge=False, limit=None, opted_out=False, locale="en"):
    customer_preferences_set(
        customers=[customer],
        locale=locale,
        channels=channels or {},
        notify_every_charge=every_charge,
        monthly_spending_limit=limit,
        non_essential_opt_out=opted_out,
    )
    customer.refresh_from_db()


def with_phone(customer):
    return customer_update(customer=customer, phone=PHONE)


class _Form(HTMLParser):
    """The ids of a page's visible inputs and the ids its labels name."""

    def __init__(self):
        super().__init__()
        self.inputs, self.labelled = [], set()

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.inputs.append(attributes.get("id"))
        if tag == "label" and attributes.get("for"):
            self.labelled.add(attributes["for"])


# ---- the page ----


def test_the_page_shows_the_current_choices_with_every_field_labelled(customer):
    set_preferences(customer, channels={"reminders": "email"}, every_charge=True, limit=25000, opted_out=True)
    client = portal_client(customer)

    response = client.get(reverse("portal-preferences"))

    page = text_of(response)
    assert response.status_code == 200
    form = _Form()
    form.feed(response.content.decode())
    assert len(form.inputs) == 8 and None not in form.inputs  # 2 languages, 3 channels (email only), 2 boxes, 1 limit
    assert [each for each in form.inputs if each not in form.labelled] == []
    assert 'id="language-en" name="language" value="en" checked' in page
    assert 'id="notify_every_charge" name="notify_every_charge" value="yes" aria-describedby="notify_every_charge-hint" checked' in page
    assert 'value="250.00"' in page and "Monthly limit on automatic charges (USD)" in page
    assert "Your limit now: $250.00 a month." in page
    assert 'id="non_essential_opt_out" name="non_essential_opt_out" value="yes" aria-describedby="non_essential_opt_out-hint" checked' in page
    assert "Receipts, notices before a charge and answers to your requests still come." in page
    assert 'aria-current="page">Preferences</a>' in page


def test_text_messages_are_offered_only_with_a_phone_number_on_file(customer):
    client = portal_client(customer)
    page = text_of(client.get(reverse("portal-preferences")))
    assert 'value="sms"' not in page
    assert "To get text messages, add a phone number in your contact details." in page

    with_phone(customer)
    page = text_of(client.get(reverse("portal-preferences")))
    assert page.count('value="sms"') == 3
    assert "Text messages go to your phone number •••• 0100." in page


def test_saving_applies_to_every_record_the_visit_opens_and_records_an_event_for_each(business):
    # given one person with two records at the business (same email), in through a magic link
    first = customer_create(business=business, livemode=False, name="Ada", email="ada@example.test", phone=PHONE)
    second = customer_create(business=business, livemode=False, name="Ada L.", email="ada@example.test")
    client = Client()
    client.cookies[BROWSER_COOKIE] = "this-browser"
    magic_links_send(email="ada@example.test", browser_nonce="this-browser")
    link = Message.objects.get(template="portal_magic_link").context["link_url"]
    assert client.get(urlsplit(link).path).status_code == 302

    # when they choose Russian, texts for reminders, every charge, a limit and no extras
    response = client.post(
        reverse("portal-preferences"),
        choices(language="ru", channel_reminders="sms", notify_every_charge="yes",
                monthly_spending_limit="1 234,50", non_essential_opt_out="yes"),
    )

    # then the page redirects (post, redirect, get) and both records carry the choices
    assert response.status_code == 302 and response["Location"] == reverse("portal-preferences") + "?saved=1"
    for record in (first, second):
        record.refresh_from_db()
        assert (
            record.preferred_locales, record.channel_preferences, record.notify_every_charge,
            record.monthly_spending_limit, record.non_essential_opt_out,
        ) == (["ru"], {"reminders": "sms", "notices": "email", "charges": "email"}, True, 123450, True)
    events = Event.objects.filter(type="customer.updated").order_by("id")
    assert [event.data["id"] for event in events] == [first.public_id, second.public_id]
    # and the page after the redirect says so, in the language just chosen
    saved = client.get(response["Location"])
    assert saved.status_code == 200 and saved["Content-Language"] == "ru"
    assert 'id="preferences-saved"' in text_of(saved)
    assert 'value="1234.50"' in text_of(saved)
    # saving the same choices again changes nothing and records nothing
    client.post(reverse("portal-preferences"), choices(
        language="ru", channel_reminders="sms", notify_every_charge="yes",
        monthly_spending_limit="1234.50", non_essential_opt_out="yes",
    ))
    assert Event.objects.filter(type="customer.updated").count() == 2


@pytest.mark.parametrize(
    "typed, expected_error",
    [
        ("abc", "Enter an amount like 250 or 250.00, or leave it empty for no limit."),
        ("12.345", "Enter an amount like 250 or 250.00, or leave it empty for no limit."),
        ("-5", "Enter an amount like 250 or 250.00, or leave it empty for no limit."),
        ("0", "Enter an amount like 250 or 250.00, or leave it empty for no limit."),
    ],
)
def test_a_limit_that_is_not_an_amount_is_shown_next_to_its_field_and_nothing_is_saved(customer, typed, expected_error):
    client = portal_client(customer)

    response = client.post(reverse("portal-preferences"), choices(monthly_spending_limit=typed, notify_every_charge="yes"))

    page = text_of(response)
    assert response.status_code == 400
    assert f'<p class="field-error" id="monthly_spending_limit-error">{expected_error}</p>' in page
    assert 'aria-describedby="monthly_spending_limit-hint monthly_spending_limit-error" aria-invalid="true"' in page
    assert f'value="{typed}"' in page  # what they typed stays, to correct
    assert 'role="alert"' in page
    customer.refresh_from_db()
    assert (customer.monthly_spending_limit, customer.notify_every_charge) == (None, False)
    assert not Event.objects.filter(type="customer.updated").exists()


def test_texts_cannot_be_chosen_without_a_phone_number(customer):
    client = portal_client(customer)

    response = client.post(reverse("portal-preferences"), choices(channel_charges="sms", language="xx"))

    page = text_of(response)
    assert response.status_code == 400
    assert "We have no phone number for you. Add one in your contact details to get text messages." in page
    assert '<p class="field-error" id="language-error">Choose a language.</p>' in page
    customer.refresh_from_db()
    assert customer.channel_preferences == {}


def test_an_empty_limit_removes_the_limit(customer):
    set_preferences(customer, limit=25000)
    client = portal_client(customer)

    client.post(reverse("portal-preferences"), choices(monthly_spending_limit=""))

    customer.refresh_from_db()
    assert customer.monthly_spending_limit is None


def test_the_page_needs_a_portal_session(client, customer):
    response = client.get(reverse("portal-preferences"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal-find"))
    assert client.post(reverse("portal-preferences"), choices()).status_code == 302
    customer.refresh_from_db()
    assert customer.preferred_locales == []


def test_the_service_refuses_what_it_does_not_know(customer):
    arguments = {
        "customers": [customer], "locale": "en", "channels": {}, "notify_every_charge": False,
        "monthly_spending_limit": None, "non_essential_opt_out": False,
    }
    for change, code in [
        ({"locale": "de"}, "locale_invalid"),
        ({"channels": {"reminders": "fax"}}, "channel_invalid"),
        ({"channels": {"newsletters": "email"}}, "channel_invalid"),
        ({"monthly_spending_limit": 0}, "amount_invalid"),
        ({"monthly_spending_limit": 10**13}, "amount_invalid"),
    ]:
        with pytest.raises(PaydeskError) as refused:
            customer_preferences_set(**{**arguments, **change})
        assert refused.value.code == code
    assert not Event.objects.filter(type="customer.updated").exists()


# ---- a word about every charge ----


def test_every_charge_is_told_by_text_when_the_customer_chose_texts(business, customer, open_invoice):
    with_phone(customer)
    set_preferences(customer, channels={"charges": "sms"}, every_charge=True)

    payment = payment_create(invoice=open_invoice, card=card())

    notice = Message.objects.get(template="charge_notice")
    assert (notice.channel, notice.to, notice.payment_id) == ("sms", "•••• 0100", payment.pk)
    assert notice.body_text == (
        f"Riverside Plumbing: $120.00 was charged to your Visa ending 4242 for invoice {open_invoice.number}. "
        f"Details: http://127.0.0.1:8000/i/{open_invoice.hosted_token}"
    )
    assert len(notice.body_text) <= 160
    # the receipt still comes by email
    assert Message.objects.get(template="receipt").channel == "email"


def test_every_charge_is_told_by_email_once_per_payment_automatic_ones_included(business, customer, open_invoice):
    set_preferences(customer, every_charge=True)
    # the customer pays part of an invoice by hand, saving the card...
    first = payment_create(invoice=open_invoice, card=card(), amount=2000, save_card=True)
    # ...and the rest is charged automatically
    charge = automatic_charge_create(invoice=open_invoice, saved_method=first.saved_method)
    AutomaticCharge.objects.filter(pk=charge.pk).update(next_attempt_at=clock.now())
    automatic_charges_sweep(business=business, livemode=False)

    notices = list(Message.objects.filter(template="charge_notice").order_by("id"))
    assert [(notice.channel, notice.payment.amount) for notice in notices] == [("email", 2000), ("email", 10000)]
    assert notices[0].subject == f"$20.00 charged by Riverside Plumbing for invoice {open_invoice.number}"
    text, _html = message_bodies(notices[1])
    assert f"$100.00 was charged to your Visa •••• 4242 for invoice {open_invoice.number}" in text
    assert "You asked us to tell you about every charge." in text


def test_one_payment_of_several_invoices_is_told_once_naming_them_all(business, customer):
    from paydesk.payments.several import payment_create_for_invoices

    with_phone(customer)
    set_preferences(customer, channels={"charges": "sms"}, every_charge=True)
    first, second = make_invoice(business, customer), make_invoice(business, customer)

    payment_create_for_invoices(invoices=[first, second], card=card())

    notice = Message.objects.get(template="charge_notice")
    assert notice.channel == "sms"
    assert notice.body_text.startswith(
        f"Riverside Plumbing: $240.00 was charged to your Visa ending 4242 for invoices {first.number}, {second.number}."
    )
    # by email it says the same
    set_preferences(customer, channels={"charges": "email"}, every_charge=True)
    third, fourth = make_invoice(business, customer), make_invoice(business, customer)
    payment_create_for_invoices(invoices=[third, fourth], card=card())
    email = Message.objects.get(template="charge_notice", channel="email")
    assert email.subject == "$240.00 charged by Riverside Plumbing"
    assert f"$240.00 was charged to your Visa •••• 4242 for invoices {third.number}, {fourth.number} on " in message_bodies(email)[0]


def test_no_word_about_charges_unless_asked_and_none_for_money_handed_over(business, customer, open_invoice):
    payment_create(invoice=open_invoice, card=card(), amount=2000)
    set_preferences(customer, every_charge=True)
    payment_record_offline(invoice=open_invoice, amount=1000, method=PaymentMethodType.CASH)

    assert not Message.objects.filter(template="charge_notice").exists()
    assert Message.objects.filter(template="receipt").count() == 2


# ---- reminders on the chosen channel ----


def _only_step(business, offset_days: int, channel: str) -> None:
    policy = reminder_policy_for(business=business)
    reminder_policy_update(
        business=business, livemode=False, enabled=True, quiet_start_hour=policy.quiet_start_hour,
        quiet_end_hour=policy.quiet_end_hour, time_zone=business.time_zone,
        steps=[
            StepChange(step.pk, step.offset_days, channel if step.offset_days == offset_days else "email",
                       step.offset_days == offset_days)
            for step in ReminderStep.objects.filter(policy=policy)
        ],
    )


def _invoice_due_in_3_days(business, customer):
    invoice = make_invoice(business, customer)
    type(invoice).objects.filter(pk=invoice.pk).update(due_date=clock.today() + datetime.timedelta(days=3))
    return invoice


@pytest.mark.parametrize(
    "step_channel, chosen, phone, sent_by",
    [
        ("email", "sms", PHONE, "sms"),  # the customer's choice wins over the step's
        ("sms", "email", PHONE, "email"),
        ("email", "sms", "", "email"),  # texts chosen, but no number: email
        ("sms", None, PHONE, "sms"),  # no choice: the step's channel
    ],
)
def test_reminders_go_by_the_customers_chosen_channel(business, customer, step_channel, chosen, phone, sent_by):
    _only_step(business, -3, step_channel)
    if phone:
        with_phone(customer)
    set_preferences(customer, channels={"reminders": chosen} if chosen else {})
    invoice = _invoice_due_in_3_days(business, customer)

    assert reminders_sweep(business=business, livemode=False) == 1

    reminder = Message.objects.get(invoice=invoice, template="reminder_before_due")
    assert reminder.channel == sent_by
    assert invoice.reminders_sent.get().channel == sent_by


# ---- notices before a charge, and what an opted-out customer still gets ----


def test_a_notice_before_an_automatic_charge_goes_by_text_when_chosen(business, customer, open_invoice):
    with_phone(customer)
    set_preferences(customer, channels={"notices": "sms"})
    paid = payment_create(invoice=open_invoice, card=card(), amount=2000, save_card=True)
    charge = automatic_charge_create(invoice=open_invoice, saved_method=paid.saved_method)
    AutomaticCharge.objects.filter(pk=charge.pk).update(next_attempt_at=clock.now() + datetime.timedelta(days=2))

    automatic_charges_sweep(business=business, livemode=False)

    notice = Message.objects.get(template="automatic_charge_upcoming")
    assert notice.channel == "sms"
    assert notice.body_text.startswith(
        f"Riverside Plumbing: $100.00 for invoice {open_invoice.number} will be charged to your saved card on "
    )
    assert notice.body_text.endswith(f"Details: http://127.0.0.1:8000/i/{open_invoice.hosted_token}")


def test_a_note_before_a_plan_part_goes_by_text_when_chosen(business, customer):
    with_phone(customer)
    set_preferences(customer, channels={"notices": "sms"})
    invoice = make_invoice(business, customer, lines=[NewLine("Boiler replacement", 1, 30000)])
    plan_create(invoice=invoice, parts=2, interval="week")  # parts today and in 7 days, paid by hand

    advance_test_clock(business=business, seconds=4 * 86400)

    note = Message.objects.get(template="plan_part_due_soon")
    assert note.channel == "sms"
    assert note.body_text.startswith(f"Riverside Plumbing: part 2 of 2 for invoice {invoice.number}, $150.00, is due on ")
    assert len(note.body_text) <= 160


def test_an_opted_out_customer_gets_no_plan_part_note_but_still_hears_before_a_charge(business, customer, open_invoice):
    set_preferences(customer, opted_out=True)
    invoice = make_invoice(business, customer, lines=[NewLine("Boiler replacement", 1, 30000)])
    plan_create(invoice=invoice, parts=2, interval="week")
    paid = payment_create(invoice=open_invoice, card=card(), amount=2000, save_card=True)
    charge = automatic_charge_create(invoice=open_invoice, saved_method=paid.saved_method)
    AutomaticCharge.objects.filter(pk=charge.pk).update(next_attempt_at=clock.now() + datetime.timedelta(days=6))

    advance_test_clock(business=business, seconds=4 * 86400)

    assert not Message.objects.filter(template="plan_part_due_soon").exists()
    assert Message.objects.filter(template="automatic_charge_upcoming", channel="email").count() == 1
    assert Customer.objects.get(pk=customer.pk).non_essential_opt_out is True
