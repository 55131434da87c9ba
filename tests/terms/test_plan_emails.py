"""The payment plan emails say the plan's facts (parts, dates, amounts, the card, staff's
note) in plain words, and no template asks for a field the snapshot does not have."""

from __future__ import annotations

import copy

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from paydesk.dashboard import labels
from paydesk.invoicing.services import NewLine
from paydesk.messaging.models import Message
from paydesk.messaging.notifications import _context, message_bodies
from paydesk.payments.services import payment_create
from paydesk.terms.messages import plan_context
from paydesk.terms.services import plan_approve, plan_create

from ..conftest import card, make_invoice

PLAN_TEMPLATES = (
    "payment_plan_requested",
    "payment_plan_confirmed",
    "payment_plan_declined",
    "payment_plan_canceled",
    "plan_part_upcoming",
    "plan_part_due_soon",
    "plan_part_failed",
)
INVOICE_URL = "http://127.0.0.1:8000/i/tok_sample"
QUESTIONS = "Questions? Just reply to this email or write to owner@riverside.test."


@pytest.fixture(autouse=True)
def strict_templates(settings):
    """A variable the snapshot lacks shows up as INVALID instead of an empty string."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = "INVALID %s"
    settings.TEMPLATES = templates


def _part(position, due_date, amount="$40.00", paid=False):
    """One row of ``plan.parts``."""
    return {"position": position, "due_date": due_date, "amount": amount, "paid": paid}


def _notice(position, due_date, amount="$40.00"):
    """The ``part`` a notice about one part is about."""
    return {"position": position, "due_date": due_date, "amount": amount}


def sample(*, kind="installments", auto_charge=False, card="", staff_message="", part=None, **invoice_fields):
    """A snapshot like ``_context`` plus ``plan_context`` make, in English."""
    if kind == "installments":
        parts = [_part(1, "January 5, 2026", paid=True), _part(2, "February 5, 2026"), _part(3, "March 5, 2026")]
    else:
        parts = [_part(1, "March 5, 2026", amount="$120.00")]
    context = {
        "business": {"name": "Riverside Plumbing", "email": "owner@riverside.test"},
        "customer": {"name": "Ada Lovelace"},
        "invoice": {"number": "INV-0007"},
        "lines": [{"description": "Call-out", "quantity": 1, "amount": "$120.00"}],
        "total": "$120.00",
        "amount_paid": "$40.00",
        "amount_remaining": "$80.00",
        "due_date": "March 5, 2026",
        "locale": "en",
        "invoice_url": INVOICE_URL,
        "invoice_pdf_url": INVOICE_URL + "/pdf",
        "plan": {
            "kind": kind,
            "count": len(parts),
            "auto_charge": auto_charge,
            "card": card,
            "amount": "$120.00",
            "staff_message": staff_message,
            "parts": parts,
        },
        **invoice_fields,
    }
    if part is not None:
        context["part"] = part
    return context


def render(name: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML, as ``message_queue`` and ``message_bodies`` render them."""
    with translation.override("en"):
        subject = render_to_string(f"messaging/email/{name}_subject.txt", context).strip()
        text = render_to_string(f"messaging/email/{name}.txt", context)
        html = render_to_string(f"messaging/email/{name}.html", context)
    for body in (subject, text, html):
        assert "INVALID" not in body, body
    return subject, text, html


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# ---- payment_plan_confirmed ----


def test_a_confirmed_plan_lists_every_part_and_marks_the_paid_one():
    # given a plan of three parts, the first paid, paid by hand, with a note from staff
    context = sample(staff_message="Thanks for asking early!")
    # when the confirmation is rendered
    subject, text, html = render("payment_plan_confirmed", context)
    # then it names the invoice, quotes the note and lists the schedule with its total
    assert subject == "Your payment plan for invoice INV-0007 is confirmed"
    assert lines(text) == [
        "Hello Ada Lovelace,",
        "Good news: your payment plan for invoice INV-0007 from Riverside Plumbing is confirmed.",
        "A note from us: Thanks for asking early!",
        "You will pay $120.00 in 3 parts:",
        "- Part 1 of 3: January 5, 2026, $40.00 (already paid)",
        "- Part 2 of 3: February 5, 2026, $40.00",
        "- Part 3 of 3: March 5, 2026, $40.00",
        "Total: $120.00",
        "Paying in parts costs nothing extra: together, the parts come to what you owe now.",
        (
            "Please pay each part by its date on the invoice page. "
            "We will send you a reminder with the link 3 days before each part is due."
        ),
        f"View and pay online: {INVOICE_URL}",
        QUESTIONS,
        "We will never ask for your card number, PIN or password by email or phone.",
    ]
    assert "Part 2 of 3</td><td" in html and "February 5, 2026" in html
    assert html.count("(already paid)") == 1
    assert f'<a href="{INVOICE_URL}"' in html


@pytest.mark.parametrize(
    ("auto_charge", "card_text", "how"),
    [
        (
            True,
            "Visa •••• 4242",
            (
                "As agreed, each part will be charged automatically to Visa •••• 4242 on its date. "
                "We will write to you 3 days before each charge; you don't need to do anything."
            ),
        ),
        (
            True,
            "",
            (
                "To start the automatic charges, pay the first part on the invoice page and save your card there. "
                "The next parts will then be charged to it on their dates, and we will write to you 3 days before "
                "each charge."
            ),
        ),
        (
            False,
            "",
            (
                "Please pay each part by its date on the invoice page. "
                "We will send you a reminder with the link 3 days before each part is due."
            ),
        ),
    ],
    ids=["charged to the card", "card to be saved with the first part", "paid by hand"],
)
def test_a_confirmed_plan_says_how_each_part_is_paid(auto_charge, card_text, how):
    _subject, text, html = render("payment_plan_confirmed", sample(auto_charge=auto_charge, card=card_text))

    assert how in lines(text)
    assert how in html


def test_a_confirmed_plan_without_a_note_says_nothing_about_one():
    _subject, text, html = render("payment_plan_confirmed", sample())

    assert "A note from us" not in text and "A note from us" not in html


def test_a_confirmed_pay_later_gives_the_new_date_instead_of_a_schedule():
    # given all of it moved to one later date, to be paid by hand
    subject, text, html = render("payment_plan_confirmed", sample(kind="pay_later"))
    # then the subject and body give the date and amount, and no list of parts
    assert subject == "Your new payment date for invoice INV-0007: March 5, 2026"
    assert lines(text)[1:4] == [
        "Good news: we agreed to a later payment date for invoice INV-0007 from Riverside Plumbing.",
        (
            "Please pay $120.00 by March 5, 2026 on the invoice page. "
            "We will send you a reminder with the link 3 days before."
        ),
        "Paying later costs nothing extra.",
    ]
    assert "Part 1" not in text and "Part 1" not in html


def test_a_confirmed_pay_later_on_a_card_names_the_card_and_the_day():
    _subject, text, _html = render("payment_plan_confirmed", sample(kind="pay_later", auto_charge=True, card="Visa •••• 4242"))

    assert "As agreed, we will charge $120.00 to Visa •••• 4242 on March 5, 2026. We will write to you 3 days before." in text
    assert f"Want to pay another way, or change the card? Open the invoice: {INVOICE_URL}" in text


def test_staff_words_are_escaped_in_html_and_kept_as_written_in_text():
    _subject, text, html = render("payment_plan_confirmed", sample(staff_message="Pay <b>early</b> & save"))

    assert "A note from us: Pay <b>early</b> & save" in text
    assert "A note from us: Pay &lt;b&gt;early&lt;/b&gt; &amp; save" in html


# ---- payment_plan_requested, _declined, _canceled ----


def test_a_request_shows_the_schedule_asked_for_and_that_nothing_changes_yet():
    subject, text, html = render("payment_plan_requested", sample())

    assert subject == "We received your payment plan request for invoice INV-0007"
    assert lines(text)[1:10] == [
        "Thank you. We received your request to pay invoice INV-0007 in parts, on this schedule:",
        "- Part 1 of 3: January 5, 2026, $40.00 (already paid)",
        "- Part 2 of 3: February 5, 2026, $40.00",
        "- Part 3 of 3: March 5, 2026, $40.00",
        "Total: $120.00",
        "Someone at Riverside Plumbing will look at it soon, and we will write to you with the answer.",
        "Until then, nothing changes: the invoice stays as it is, and you can still pay it at any time.",
        "Due date: March 5, 2026",
        f"View and pay online: {INVOICE_URL}",
    ]
    assert "Part 3 of 3</td><td" in html


def test_a_pay_later_request_gives_the_date_asked_for():
    _subject, text, _html = render("payment_plan_requested", sample(kind="pay_later"))

    assert lines(text)[1] == "Thank you. We received your request to pay invoice INV-0007 later: $120.00 on March 5, 2026."


def test_a_declined_request_keeps_the_invoice_as_it_was_and_quotes_staff():
    subject, text, html = render("payment_plan_declined", sample(staff_message="We can offer two parts instead."))

    assert subject == "About your payment plan request for invoice INV-0007"
    assert lines(text)[1:6] == [
        "Thank you for asking. We are sorry, but we could not agree to the payment plan you asked for on invoice INV-0007.",
        "A note from us: We can offer two parts instead.",
        "The invoice stays as it was: $80.00 is due on March 5, 2026.",
        (
            "You can pay it on the invoice page. If paying is hard right now, "
            "just reply to this email and we will look for another way together."
        ),
        f"View and pay online: {INVOICE_URL}",
    ]
    assert "A note from us: We can offer two parts instead." in html


def test_a_declined_pay_later_without_a_due_date_says_what_is_still_to_pay():
    _subject, text, _html = render("payment_plan_declined", sample(kind="pay_later", due_date=""))

    assert lines(text)[1:3] == [
        (
            "Thank you for asking. We are sorry, but we could not agree to the later payment date "
            "you asked for on invoice INV-0007."
        ),
        "The invoice stays as it was: $80.00 is still to pay.",
    ]


def test_a_canceled_plan_says_what_remains_and_by_when():
    subject, text, html = render("payment_plan_canceled", sample(auto_charge=True, card="Visa •••• 4242"))

    assert subject == "Your payment plan for invoice INV-0007 was canceled"
    assert lines(text)[1:6] == [
        "Your payment plan for invoice INV-0007 from Riverside Plumbing has been canceled.",
        "We will make no more automatic charges to Visa •••• 4242.",
        "Already paid: $40.00",
        "What remains, $80.00, is due by March 5, 2026.",
        f"Pay $80.00 now: {INVOICE_URL}",
    ]
    assert "Pay $80.00 now</a>" in html


def test_a_canceled_pay_later_speaks_of_the_date_not_a_plan():
    subject, text, _html = render("payment_plan_canceled", sample(kind="pay_later"))

    assert subject == "The later payment date for invoice INV-0007 was canceled"
    assert lines(text)[1] == "The later payment date we agreed for invoice INV-0007 from Riverside Plumbing has been canceled."


def test_a_canceled_plan_paid_by_hand_mentions_no_card():
    _subject, text, html = render("payment_plan_canceled", sample(amount_paid="$0.00", amount_remaining="$120.00"))

    assert "automatic charges" not in text and "automatic charges" not in html
    assert "Already paid" not in text
    assert "What remains, $120.00, is due by March 5, 2026." in text


# ---- notices about one part ----


def test_an_upcoming_charge_names_the_part_the_card_and_the_day():
    context = sample(auto_charge=True, card="Visa •••• 4242", part=_notice(2, "February 5, 2026"))

    subject, text, html = render("plan_part_upcoming", context)

    assert subject == "Part 2 of 3 for invoice INV-0007 will be charged on February 5, 2026"
    sentence = (
        "As agreed, we will charge $40.00 for part 2 of 3 to Visa •••• 4242 on February 5, 2026. "
        "You don't need to do anything."
    )
    assert lines(text)[1:4] == [
        sentence,
        "Invoice: INV-0007",
        f"Want to pay another way, or change the card? Open the invoice: {INVOICE_URL}",
    ]
    assert sentence in html


def test_an_upcoming_pay_later_charge_does_not_speak_of_parts():
    context = sample(kind="pay_later", auto_charge=True, card="Visa •••• 4242", part=_notice(1, "March 5, 2026", "$120.00"))

    subject, text, _html = render("plan_part_upcoming", context)

    assert subject == "Your card will be charged for invoice INV-0007 soon"
    assert lines(text)[1] == "As agreed, we will charge $120.00 to Visa •••• 4242 on March 5, 2026. You don't need to do anything."


def test_a_part_due_soon_gives_the_amount_the_date_and_the_link():
    subject, text, html = render("plan_part_due_soon", sample(part=_notice(2, "February 5, 2026")))

    assert subject == "Part 2 of 3 for invoice INV-0007 is due on February 5, 2026"
    assert lines(text)[1:4] == [
        "A friendly reminder: part 2 of 3 of your payment plan for invoice INV-0007, $40.00, is due on February 5, 2026.",
        f"Pay $40.00 now: {INVOICE_URL}",
        "If you have already paid, thank you, and please ignore this reminder.",
    ]
    assert f'<a href="{INVOICE_URL}"' in html and "Pay $40.00 now</a>" in html


def test_a_pay_later_due_soon_reads_as_a_reminder_of_the_invoice():
    subject, text, _html = render("plan_part_due_soon", sample(kind="pay_later", part=_notice(1, "March 5, 2026", "$120.00")))

    assert subject == "Reminder: invoice INV-0007 from Riverside Plumbing is due on March 5, 2026"
    assert lines(text)[1] == "A friendly reminder: as agreed, $120.00 for invoice INV-0007 is due on March 5, 2026."


def test_a_failed_part_charge_says_nothing_was_taken_and_that_we_try_again():
    context = sample(auto_charge=True, card="Visa •••• 4242", part=_notice(2, "February 5, 2026"))

    subject, text, html = render("plan_part_failed", context)

    assert subject == "We could not charge part 2 of 3 for invoice INV-0007"
    assert lines(text)[1:3] == [
        (
            "We tried to charge $40.00 for part 2 of 3 to Visa •••• 4242, but the payment did not go through. "
            "You have not been charged."
        ),
        (
            "We will try again automatically in a few days; you don't need to do anything. "
            f"If you prefer, you can pay now another way, or with a different card: {INVOICE_URL}"
        ),
    ]
    assert "Pay another way</a>" in html


def test_a_failed_pay_later_charge_does_not_speak_of_parts():
    context = sample(kind="pay_later", auto_charge=True, card="Visa •••• 4242", part=_notice(1, "March 5, 2026", "$120.00"))

    subject, text, _html = render("plan_part_failed", context)

    assert subject == "We could not charge your card for invoice INV-0007"
    assert lines(text)[1].startswith("We tried to charge $120.00 to Visa •••• 4242, but the payment did not go through.")


@pytest.mark.parametrize("name", PLAN_TEMPLATES)
def test_every_plan_email_greets_a_customer_without_a_name_and_has_a_dashboard_label(name):
    context = sample(customer={"name": ""}, auto_charge=True, card="Visa •••• 4242", part=_notice(2, "February 5, 2026"))

    _subject, text, html = render(name, context)

    assert text.startswith("Hello,\n") and "<p style=\"margin:0 0 12px\">Hello,</p>" in html
    assert QUESTIONS in text
    assert name in labels.MESSAGE_TEMPLATE


# ---- the sample matches what a real message carries ----


def test_the_sample_has_every_field_a_real_plan_message_has(open_invoice):
    plan = plan_create(invoice=open_invoice, parts=3)
    part = plan.parts.get(position=2)

    real = {**_context(invoice=open_invoice, locale="en"), **plan_context(plan, part)("en")}
    hand_made = sample(part=_notice(2, "February 5, 2026"))

    assert set(hand_made) == set(real)
    assert set(hand_made["plan"]) == set(real["plan"])
    assert set(hand_made["plan"]["parts"][0]) == set(real["plan"]["parts"][0])
    assert set(hand_made["part"]) == set(real["part"])


def test_real_requested_and_confirmed_messages_render_with_every_field(open_invoice):
    # given a customer's request for three parts that staff approve with a note
    plan = plan_create(invoice=open_invoice, parts=3, requested_by="customer", needs_review=True)
    plan_approve(plan=plan, message="Happy to help.")
    parts = list(plan.parts.order_by("position"))
    # when both queued messages are rendered as the worker will send them
    bodies = {}
    for message in Message.objects.filter(invoice=open_invoice):
        bodies[message.template] = (message.subject, *message_bodies(message))
    # then each says the real schedule and misses no field
    assert set(bodies) == {"payment_plan_requested", "payment_plan_confirmed"}
    for subject, text, html in bodies.values():
        assert "INVALID" not in subject + text + html
        assert f"- Part 3 of 3: {parts[2].due_date:%B} {parts[2].due_date.day}, {parts[2].due_date.year}, $40.00" in text
    subject, text, _html = bodies["payment_plan_confirmed"]
    assert subject == f"Your payment plan for invoice {open_invoice.number} is confirmed"
    assert "A note from us: Happy to help." in text


def test_a_real_plan_on_a_saved_card_names_the_card_in_its_confirmation(business, customer, open_invoice):
    # given a card the customer saved by paying another invoice, and a plan charged to it
    saved = payment_create(invoice=open_invoice, card=card(), save_card=True).saved_method
    invoice = make_invoice(business, customer, lines=[NewLine("Boiler replacement", 1, 30000)])
    plan_create(invoice=invoice, parts=3, auto_charge=True, saved_method=saved)
    # when its confirmation is rendered
    message = Message.objects.get(invoice=invoice, template="payment_plan_confirmed")
    text, html = message_bodies(message)
    # then it names the card and the parts' amounts
    assert "INVALID" not in message.subject + text + html
    assert (
        "As agreed, each part will be charged automatically to Visa •••• 4242 on its date. "
        "We will write to you 3 days before each charge; you don't need to do anything."
    ) in text
    assert "You will pay $300.00 in 3 parts:" in text
    assert text.count(", $100.00\n") == 3
