"""Payment plans in a real browser: a customer splits a $300.00 invoice into three monthly
parts on the hosted page, agrees, pays the first part with a card saved for the others, and
the test clock (over real HTTP, a day at a time) charges the rest, with a notice before each
charge, a decline for insufficient funds, the customer told, and a retry that succeeds. Then
the same pages by keyboard alone, under axe and at 320 px wide, in Russian, and "Pay later".

The pages are served by pytest-django's ``live_server`` (the app in a thread, against the
test database); the test helpers are called on it over HTTP with the business's secret key.
Screenshots of every step are kept in ``test-artifacts/<test>/``.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from paydesk.core import clock
from paydesk.core.formatting import date_text
from paydesk.invoicing.models import Invoice
from paydesk.invoicing.services import NewLine
from paydesk.ledger.checks import ledger_check
from paydesk.messaging.models import Message
from paydesk.payments.models import Payment
from paydesk.terms.models import PaymentPlan, PlanPolicy
from paydesk.terms.schedule import add_months

from ..conftest import make_invoice
from .browser import assert_fits, axe_problems, focused_element, tab_to
from .conftest import advance_until

GOOD_CARD = "4242424242424242"
NBSP = "\u00a0"
NARROW = {"viewport": {"width": 320, "height": 568}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
AUTOMATIC_CHOICE = "Charge my card automatically on each date (the card I pay the first part with is saved)"


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def plans_business(business):
    """A business that lets customers ask for parts or a later date (the policy's defaults
    otherwise: up to 6 parts of at least $10.00 within 180 days, 30 days later at most,
    started at once), and takes cards only, so the page is about the plan."""
    business.accepts_wallets = False
    business.save(update_fields=["accepts_wallets"])
    PlanPolicy.objects.create(business=business, plans_enabled=True, pay_later_enabled=True)
    return business


@pytest.fixture
def invoice_300(plans_business, customer) -> Invoice:
    """An open invoice for $300.00, no tax, due in 14 days, to Ada (no language preference)."""
    return make_invoice(plans_business, customer, lines=[NewLine("Boiler replacement", 1, 30000)])


# --- helpers -----------------------------------------------------------------------------


def invoice_url(live_server, invoice: Invoice) -> str:
    return f"{live_server.url}/i/{invoice.hosted_token}"


def plan_page_pattern(invoice: Invoice, query: str = "") -> re.Pattern:
    return re.compile(rf"/i/{re.escape(invoice.hosted_token)}/plan{re.escape(query)}$")


def definition(page: Page, term: str):
    """The value next to a term in a description list ("Status" → "Paid")."""
    return page.locator(f'dl > div:has(> dt:text-is("{term}")) > dd')


def schedule_rows(page: Page) -> list[list[str]]:
    """The schedule table's rows, cell by cell, exactly as written (a Russian amount or date
    keeps its no-break spaces)."""
    return [[cell.strip() for cell in row.locator("td").all_text_contents()] for row in page.locator("#plan-schedule tbody tr").all()]


def part_statuses(page: Page) -> list[str]:
    return page.locator("#plan-schedule tbody tr").evaluate_all("rows => rows.map(row => row.dataset.partStatus)")


def fill_card(page: Page, number: str = GOOD_CARD) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry date").fill("12/30")
    page.get_by_label("Security code").fill("123")





# --- journeys ----------------------------------------------------------------------------


def test_three_monthly_parts_agreed_on_a_phone_then_charged_by_the_test_clock(page, live_server, shots, http_api, invoice_300):
    today = clock.today()
    dates = [date_text(add_months(today, months), "en") for months in range(3)]

    # Given the $300.00 invoice on a phone, offering to pay in parts or later
    page.goto(invoice_url(live_server, invoice_300))
    expect(page.get_by_role("heading", name="Can't pay it all today?")).to_be_visible()
    assert definition(page, "Amount due").text_content() == "$300.00"
    shots.take(page, "invoice-with-offer")

    # When the customer opens "Pay in parts"
    page.get_by_role("link", name="Pay in parts").click()
    expect(page).to_have_url(plan_page_pattern(invoice_300))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay in parts")
    expect(page.get_by_role("main")).to_contain_text("Invoice " + invoice_300.number + ": $300.00 to pay.")

    # And tries 4 monthly parts, then settles on 3
    page.get_by_label("Every month").check()
    page.get_by_label("Number of parts").select_option("4")
    page.get_by_role("button", name="Show the schedule").click()
    expect(page).to_have_url(plan_page_pattern(invoice_300, "?interval=month&parts=4"))
    assert [row[2] for row in schedule_rows(page)] == ["$75.00"] * 4
    page.get_by_label("Number of parts").select_option("3")
    page.get_by_role("button", name="Show the schedule").click()
    expect(page).to_have_url(plan_page_pattern(invoice_300, "?interval=month&parts=3"))

    # Then the exact schedule is shown before anything is agreed: today and a month apart, $100.00 each
    expect(page.get_by_label("Number of parts")).to_have_value("3")
    expect(page.get_by_label("Every month")).to_be_checked()
    assert schedule_rows(page) == [["1", dates[0], "$100.00"], ["2", dates[1], "$100.00"], ["3", dates[2], "$100.00"]]
    expect(page.get_by_text("The first part is due today. These are the exact amounts: nothing is added.")).to_be_visible()
    shots.take(page, "schedule-3-monthly")
    assert not PaymentPlan.objects.filter(invoice=invoice_300).exists()

    # When they choose automatic charges, agree, and continue
    page.get_by_label(AUTOMATIC_CHOICE).check()
    page.get_by_label("I agree to pay on this schedule").check()
    shots.take(page, "agreed")
    page.get_by_role("button", name="Agree and continue").click()

    # Then they are back on the invoice, with the plan shown and the first part asked for
    expect(page).to_have_url(re.compile(rf"/i/{re.escape(invoice_300.hosted_token)}\?plan=started#plan$"))
    expect(page.get_by_role("heading", name="Your payment plan")).to_be_visible()
    expect(page.locator("#plan [role=status]")).to_have_text(
        "Your plan is set up. Pay the first part now, and the card you use will be charged for the next parts on their dates."
    )
    assert schedule_rows(page) == [
        ["1", dates[0], "$100.00", "Due now"],
        ["2", dates[1], "$100.00", "Upcoming"],
        ["3", dates[2], "$100.00", "Upcoming"],
    ]
    # The invoice is now due when the last part is, so it is never "overdue" while the plan is kept
    assert definition(page, "Due date").text_content() == dates[2]
    expect(page.locator("#pay-button")).to_have_text("Pay $100.00")
    save_card = page.get_by_label("Save this card for the automatic payments of the next parts")
    expect(save_card).to_be_checked()
    shots.take(page, "plan-started")
    plan = PaymentPlan.objects.get(invoice=invoice_300)
    assert (plan.status, plan.auto_charge, plan.saved_method, plan.requested_by) == ("active", True, None, "customer")

    # When they pay the first part with the test card, "Save this card" left ticked
    fill_card(page)
    expect(page.get_by_label("Card number")).to_have_value("4242 4242 4242 4242")
    page.locator("#pay-button").click()

    # Then the receipt says $100.00 was paid and $200.00 is left
    expect(page).to_have_url(re.compile(rf"/i/{re.escape(invoice_300.hosted_token)}/receipts/pay_\w+\?new=1(#pay)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you — payment received")
    assert page.locator(".paid-amount").text_content() == "You paid $100.00."
    assert definition(page, "Still to pay").text_content() == "$200.00"
    shots.take(page, "receipt-first-part")

    # And the invoice shows the first part paid, the others upcoming on the saved card
    page.goto(invoice_url(live_server, invoice_300))
    assert [row[3] for row in schedule_rows(page)] == ["Paid", "Upcoming", "Upcoming"]
    assert part_statuses(page) == ["paid", "upcoming", "upcoming"]
    expect(page.locator("#plan")).to_contain_text(
        "Each part is charged to Visa •••• 4242 on its date. We email you 3 days before."
    )
    shots.take(page, "first-part-paid")
    plan.refresh_from_db()
    assert plan.saved_method is not None and plan.saved_method.card_last4 == "4242"

    # --- the rest happens on the test clock, over HTTP ---------------------------------
    plans = http_api.get(f"/payment_plans?invoice={invoice_300.public_id}")
    assert plans.status == 200, plans.body
    (plan_id,) = [each["id"] for each in plans.body["data"]]
    card_id = http_api.get(f"/customers/{invoice_300.customer.public_id}/payment_methods").body["data"][0]["id"]
    assert card_id == plan.saved_method.public_id

    def plan_now() -> dict:
        return http_api.get(f"/payment_plans/{plan_id}").body

    # When days pass, the customer is told of the second charge before it is made
    upcoming = Message.objects.filter(invoice=invoice_300, template="plan_part_upcoming")
    advance_until(http_api, upcoming.exists)
    notice = upcoming.get()
    assert notice.to == "ada@example.test"
    assert f"As agreed, we will charge $100.00 for part 2 of 3 to Visa •••• 4242 on {dates[1]}." in notice.body_text
    assert plan_now()["schedule"][1]["amount_paid"] == 0

    # And the second part is charged automatically days later
    days_after_notice = advance_until(http_api, lambda: plan_now()["schedule"][1]["status"] == "paid", most_days=5)
    assert days_after_notice >= 2
    second = Payment.objects.filter(invoice=invoice_300).latest("pk")
    assert (second.status, second.amount, second.saved_method_id) == ("succeeded", 10000, plan.saved_method_id)
    page.reload()
    assert [row[3] for row in schedule_rows(page)] == ["Paid", "Paid", "Upcoming"]
    shots.take(page, "second-part-charged")

    # When the card runs dry before the third part
    drained = http_api.post(f"/test_helpers/payment_methods/{card_id}/drain")
    assert drained.body.get("drained") is True, drained.body
    failed = Message.objects.filter(invoice=invoice_300, template="plan_part_failed")
    advance_until(http_api, failed.exists)

    # Then the charge is declined, nothing is taken, and the customer is told
    declined = http_api.get(f"/payments?invoice={invoice_300.public_id}").body["data"][0]
    assert declined["status"] == "failed" and declined["last_payment_error"]["decline_code"] == "insufficient_funds"
    told = failed.get()
    assert told.to == "ada@example.test"
    assert "We tried to charge $100.00 for part 3 of 3 to Visa •••• 4242, but the payment did not go through." in told.body_text
    plan_after_decline = plan_now()
    assert plan_after_decline["status"] == "active" and plan_after_decline["schedule"][2]["amount_paid"] == 0
    assert Invoice.objects.get(pk=invoice_300.pk).amount_paid == 20000

    # When the card has money again, a retry goes through
    funded = http_api.post(f"/test_helpers/payment_methods/{card_id}/fund")
    assert funded.body.get("funded") is True, funded.body
    advance_until(http_api, lambda: plan_now()["status"] == "completed", most_days=20)

    # Then the invoice is paid in full through the plan, and the books balance
    finished = plan_now()
    assert [part["status"] for part in finished["schedule"]] == ["paid", "paid", "paid"]
    assert (finished["amount_paid"], finished["amount_remaining"]) == (30000, 0)
    assert http_api.get(f"/invoices/{invoice_300.public_id}").body["status"] == "paid"
    succeeded = Payment.objects.filter(invoice=invoice_300, status="succeeded").order_by("pk")
    assert [payment.amount for payment in succeeded] == [10000, 10000, 10000]
    assert ledger_check()["problems"] == []

    # And the hosted page, reloaded, says so
    page.reload()
    expect(page.get_by_text("This invoice is paid in full. Thank you!")).to_be_visible()
    assert definition(page, "Status").text_content() == "Paid"
    assert definition(page, "Amount due").text_content() == "$0.00"
    shots.take(page, "paid-in-full")
    # with the plan's three parts, all paid
    rows = schedule_rows(page)
    assert [row[3:] for row in rows] == [["Paid"]] * 3, rows


def test_pay_in_parts_by_keyboard_alone_with_axe_and_at_320_pixels(new_context, page, live_server, shots, invoice_300):
    # Given the invoice page, and only Tab, Space and Enter from here on
    page.goto(invoice_url(live_server, invoice_300))
    keyboard = page.keyboard

    # When the customer tabs to "Pay in parts" (after the card form) and presses Enter
    link = tab_to(page, lambda focused: focused["text"] == "Pay in parts")
    assert (link["tag"], link["id"], link["outline"]) == ("a", "pay-in-parts", True)
    keyboard.press("Enter")

    # Then the plan choice page opens, and axe finds nothing serious on it
    expect(page).to_have_url(plan_page_pattern(invoice_300))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay in parts")
    shots.take(page, "plan-choice")
    assert axe_problems(page, shots, "plan-choice") == []

    # And its controls come in reading order, each with a visible focus ring
    visited = [tab_to(page, lambda focused: focused["id"] == "interval-month")]
    for _ in range(2):
        keyboard.press("Tab")
        visited.append(focused_element(page))
    assert [element["id"] for element in visited] == ["interval-month", "parts", "show-schedule"]
    keyboard.press("Tab")
    visited.append(focused_element(page))
    assert visited[-1]["id"] == "choice-automatic"
    # (Space chooses automatic charges, Tab leaves the radio group for the box, Space ticks it)
    keyboard.press("Space")
    keyboard.press("Tab")
    visited.append(focused_element(page))
    assert visited[-1]["id"] == "agree"
    keyboard.press("Space")
    keyboard.press("Tab")
    visited.append(focused_element(page))
    assert (visited[-1]["id"], visited[-1]["text"]) == ("agree-button", "Agree and continue")
    assert all(element["outline"] for element in visited), visited
    expect(page.get_by_label(AUTOMATIC_CHOICE)).to_be_checked()
    expect(page.get_by_label("I agree to pay on this schedule")).to_be_checked()
    shots.take(page, "agreed-by-keyboard")

    # When they press Enter on "Agree and continue"
    keyboard.press("Enter")

    # Then the plan is set up, the invoice page shows it, and axe finds nothing serious there
    expect(page).to_have_url(re.compile(r"\?plan=started#plan$"))
    expect(page.get_by_role("heading", name="Your payment plan")).to_be_visible()
    assert [row[3] for row in schedule_rows(page)] == ["Due now", "Upcoming", "Upcoming"]
    shots.take(page, "invoice-with-plan")
    assert axe_problems(page, shots, "invoice-with-plan") == []
    plan = PaymentPlan.objects.get(invoice=invoice_300)
    assert (plan.status, plan.auto_charge, [part.amount for part in plan.parts.all()]) == ("active", True, [10000] * 3)

    # And at 320 px wide (WCAG's reflow width) the plan choice page does not scroll sideways,
    # even with the longest schedule the policy allows (on a second invoice: this one has its plan)
    second = make_invoice(invoice_300.business, invoice_300.customer, lines=[NewLine("Radiators", 1, 30000)])
    narrow = new_context(**NARROW).new_page()
    narrow.goto(invoice_url(live_server, second))
    narrow.get_by_role("link", name="Pay in parts").click()
    narrow.get_by_label("Number of parts").select_option("6")
    narrow.get_by_role("button", name="Show the schedule").click()
    expect(narrow.locator("#plan-schedule tbody tr")).to_have_count(6)
    shots.take(narrow, "plan-choice-320px")
    assert_fits(narrow, 320, "plan choice, 6 parts")


def test_the_invoice_with_its_plan_at_320_pixels_wide(new_context, live_server, shots, invoice_300):
    # Given a plan of three monthly parts agreed on the plan choice page, on a 320 px phone
    page = new_context(**NARROW).new_page()
    page.goto(invoice_url(live_server, invoice_300) + "/plan?interval=month&parts=3")
    assert_fits(page, 320, "plan choice")
    page.get_by_label("I will pay each part myself (you email me 3 days before)").check()
    page.get_by_label("I agree to pay on this schedule").check()
    page.get_by_role("button", name="Agree and continue").click()

    # Then the invoice page shows the plan's schedule, with no sideways scrolling
    expect(page.get_by_role("heading", name="Your payment plan")).to_be_visible()
    assert [row[3] for row in schedule_rows(page)] == ["Due now", "Upcoming", "Upcoming"]
    shots.take(page, "invoice-with-plan-320px")
    assert_fits(page, 320, "invoice with its plan")


def test_the_plan_choice_page_in_russian(page, live_server, shots, invoice_300):
    # Given the plan choice page asked for in Russian
    page.goto(invoice_url(live_server, invoice_300) + "/plan?lang=ru")

    # Then the page says it is Russian, and what the catalogue translates is in Russian
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("link", name="Вернуться к счёту")).to_be_visible()
    expect(page.get_by_role("navigation", name="Язык")).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_contain_text(
        "Мы никогда не просим номер карты, ПИН-код или пароль по почте или по телефону."
    )
    # And the plan page's own words come from the Russian catalogue (it was still being
    # translated when this was written, so these follow whatever it says; they fail if the page
    # shows words that bypass the catalogue)
    with translation.override("ru"):
        ru = translation.gettext
        expect(page.get_by_role("heading", level=1)).to_have_text(ru("Pay in parts"))
        expect(page.get_by_role("heading", level=2)).to_have_text(ru("Your schedule"))
        expect(page.locator("label[for=parts]")).to_have_text(ru("Number of parts"))
        expect(page.locator("#show-schedule")).to_have_text(ru("Show the schedule"))
        expect(page.locator("label[for=agree]")).to_have_text(ru("I agree to pay on this schedule"))
        expect(page.locator("#agree-button")).to_have_text(ru("Agree and continue"))
    # And the schedule's dates and amounts are written the Russian way (by Babel, not the catalogue)
    today = clock.today()
    rows = schedule_rows(page)
    assert rows == [[str(months + 1), date_text(add_months(today, months), "ru"), f"100,00{NBSP}$"] for months in range(3)]
    assert re.search("[а-яё]{3,}", rows[0][1]), rows
    shots.take(page, "plan-choice-russian")


def test_pay_later_moves_the_due_date(page, live_server, shots, invoice_300):
    policy = PlanPolicy.objects.get(business=invoice_300.business)
    earliest = invoice_300.due_date + datetime.timedelta(days=1)
    latest = invoice_300.due_date + datetime.timedelta(days=policy.pay_later_max_days)
    chosen = invoice_300.due_date + datetime.timedelta(days=20)

    # Given the invoice page, due in 14 days
    page.goto(invoice_url(live_server, invoice_300))
    assert definition(page, "Due date").text_content() == date_text(invoice_300.due_date, "en")

    # When the customer opens "Pay later"
    page.get_by_role("link", name="Pay later").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay later")

    # Then the date field offers exactly the days the policy allows
    field = page.get_by_label(re.compile(r"^New date"))
    assert page.locator("label[for=pay_date]").text_content() == (
        f"New date (from {date_text(earliest, 'en')} to {date_text(latest, 'en')})"
    )
    expect(field).to_have_attribute("min", earliest.isoformat())
    expect(field).to_have_attribute("max", latest.isoformat())
    shots.take(page, "pay-later")
    assert axe_problems(page, shots, "pay-later") == []

    # When they choose a date 20 days after the due date and move it
    field.fill(chosen.isoformat())
    page.get_by_role("button", name="Move my payment date").click()

    # Then the invoice page shows the new date
    expect(page).to_have_url(re.compile(r"\?plan=started#plan$"))
    expect(page.get_by_role("heading", name="Your new payment date")).to_be_visible()
    assert definition(page, "Due date").text_content() == date_text(chosen, "en")
    assert schedule_rows(page) == [["1", date_text(chosen, "en"), "$300.00", "Upcoming"]]
    expect(page.locator("#pay-button")).to_have_text("Pay $300.00")
    shots.take(page, "new-date")
    invoice_300.refresh_from_db()
    assert invoice_300.due_date == chosen
    plan = PaymentPlan.objects.get(invoice=invoice_300)
    assert (plan.kind, plan.status, plan.auto_charge) == ("pay_later", "active", False)
