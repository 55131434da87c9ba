"""The payment plan pages: the business's plan policy, plans set up by staff for an invoice,
answering customers' requests, pausing, resuming and canceling, and one business never
reaching another's plans."""

from __future__ import annotations

import datetime
import re

import pytest

from paydesk.core import clock
from paydesk.invoicing.models import Invoice
from paydesk.payments.enums import PaymentMethodType
from paydesk.payments.services import payment_create, payment_record_offline
from paydesk.terms.models import PaymentPlan, PlanPolicy
from paydesk.terms.services import plan_cancel, plan_create

from ..conftest import card, make_invoice

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.timezone.utc)
TODAY = NOON.date()


@pytest.fixture(autouse=True)
def wall_clock_at_noon():
    with clock.frozen_at(NOON):
        yield


def policy_form(**overrides) -> dict:
    """The settings form as staff would fill it in, with ``overrides`` (None leaves a field out)."""
    data = {
        "plans_enabled": "on",
        "max_installments": "6",
        "longest_span_days": "180",
        "smallest_part": "25.50",
        "deposit_percent": "20",
        "minimum_total": "0",
        "require_good_standing": "on",
        "approval": "review",
        "pay_later_enabled": "on",
        "pay_later_max_days": "45",
        "grace_days": "5",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def plan_form(**overrides) -> dict:
    data = {"plan-parts": "3", "plan-interval": "month", "plan-start_date": TODAY.isoformat(), "plan-deposit": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def error_for(html: str, field_id: str) -> str:
    """The text of the error shown next to the field with this id, or ""."""
    found = re.search(rf'<ul class="errorlist" id="{field_id}_error"><li>(.*?)</li>', html)
    return found.group(1) if found else ""


def schedule_of(plan: PaymentPlan) -> list[tuple[datetime.date, int, int]]:
    return [(part.due_date, part.amount, part.amount_paid) for part in plan.parts.all()]


def customer_request(invoice, *, parts: int = 2) -> PaymentPlan:
    """A customer's request for a plan, waiting for staff."""
    return plan_create(invoice=invoice, parts=parts, requested_by="customer", needs_review=True)


def staff_plan(invoice, *, parts: int = 3) -> PaymentPlan:
    return plan_create(invoice=invoice, parts=parts, requested_by="staff")


def status_of(plan: PaymentPlan) -> str:
    return PaymentPlan.objects.get(pk=plan.pk).status


# The policy


def test_the_settings_page_shows_the_defaults_with_every_field_labelled(staff, business):
    response = staff.get("/dashboard/plans/settings/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="page">Payment plans</a>' in html
    for field in PlanPolicy._meta.get_fields():
        if field.name in ("id", "business", "auto_approve"):
            continue
        assert re.search(rf'<label for="id_{field.name}">[^<]+', html), field.name
    assert '<label for="id_approval">Requests within these rules</label>' in html
    assert 'name="smallest_part" value="10.00"' in html
    assert "In USD, like 10.00." in html
    assert PlanPolicy.objects.count() == 0


def test_saving_the_settings_creates_the_policy_then_changes_it(staff, business):
    response = staff.post("/dashboard/plans/settings/", policy_form())

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/plans/settings/"
    policy = PlanPolicy.objects.get(business=business)
    saved = (
        policy.plans_enabled, policy.max_installments, policy.longest_span_days, policy.smallest_part,
        policy.deposit_percent, policy.minimum_total, policy.require_good_standing, policy.auto_approve,
        policy.pay_later_enabled, policy.pay_later_max_days, policy.grace_days,
    )
    assert saved == (True, 6, 180, 2550, 20, 0, True, False, True, 45, 5)
    page = staff.get("/dashboard/plans/settings/").content.decode()
    assert "Payment plan settings saved." in page
    assert 'name="smallest_part" value="25.50"' in page

    # unticked boxes are saved as "off", and the same row is changed
    staff.post(
        "/dashboard/plans/settings/",
        policy_form(plans_enabled=None, require_good_standing=None, approval="auto", minimum_total="1 000,00"),
    )

    policy = PlanPolicy.objects.get(business=business)
    assert PlanPolicy.objects.count() == 1
    assert (policy.plans_enabled, policy.require_good_standing, policy.auto_approve, policy.minimum_total) == (
        False, False, True, 100000
    )


def test_mistakes_in_the_settings_are_shown_next_to_their_fields_and_nothing_is_saved(staff, business):
    data = policy_form(
        max_installments="30",
        longest_span_days="0",
        smallest_part="ten",
        deposit_percent="95",
        minimum_total="",
        pay_later_max_days="a year",
        grace_days="-1",
    )

    response = staff.post("/dashboard/plans/settings/", data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Please correct the fields marked below." in html
    assert error_for(html, "id_max_installments") == "Enter a whole number from 2 to 24."
    assert error_for(html, "id_longest_span_days") == "Enter a whole number from 1 to 1825."
    assert error_for(html, "id_smallest_part") == "Enter an amount like 10.00."
    assert error_for(html, "id_deposit_percent") == "Enter a whole number from 0 to 90."
    assert error_for(html, "id_minimum_total") == "This field is required."
    assert error_for(html, "id_pay_later_max_days") == "Enter a whole number from 1 to 365."
    assert error_for(html, "id_grace_days") == "Enter a whole number from 0 to 30."
    assert error_for(html, "id_approval") == ""
    assert 'value="ten"' in html
    assert PlanPolicy.objects.count() == 0


def test_a_read_only_member_sees_the_settings_but_cannot_save_them(read_only, business):
    page = read_only.get("/dashboard/plans/settings/")

    assert page.status_code == 200
    assert b"Save plan settings" not in page.content
    assert read_only.post("/dashboard/plans/settings/", policy_form()).status_code == 403
    assert PlanPolicy.objects.count() == 0


# Staff set up a plan for an invoice


def test_staff_set_up_a_three_part_monthly_plan_and_see_it_on_the_plan_and_the_invoice(staff, open_invoice):
    invoice_path = f"/dashboard/invoices/{open_invoice.public_id}/"
    offer = staff.get(invoice_path).content.decode()
    assert "Set up a payment plan" in offer
    assert f'name="plan-start_date" value="{TODAY.isoformat()}"' in offer
    # no saved card, so no automatic charges are offered
    assert "plan-auto_charge" not in offer

    response = staff.post(f"{invoice_path}plan/", plan_form())

    plan = PaymentPlan.objects.get(invoice=open_invoice)
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/plans/{plan.public_id}/"
    assert (plan.status, plan.kind, plan.requested_by, plan.amount, plan.auto_charge) == (
        "active", "installments", "staff", 12000, False
    )
    assert schedule_of(plan) == [
        (datetime.date(2026, 3, 2), 4000, 0),
        (datetime.date(2026, 4, 2), 4000, 0),
        (datetime.date(2026, 5, 2), 4000, 0),
    ]
    detail = staff.get(response["Location"]).content.decode()
    assert "The payment plan is set up." in detail
    assert re.search(r'id="plan-status">Running</span>', detail)
    assert "3 parts, every month" in detail
    assert '<dd id="plan-paid">$0.00 of $120.00</dd>' in detail
    for date_text in ("March 2, 2026", "April 2, 2026", "May 2, 2026"):
        assert f"<td>{date_text}</td>" in detail
    assert detail.count('<span class="status status-due">Due</span>') == 1
    assert detail.count('<span class="status status-upcoming">Upcoming</span>') == 2
    assert f'href="/dashboard/invoices/{open_invoice.public_id}/"' in detail
    assert f'href="/dashboard/customers/{open_invoice.customer.public_id}/"' in detail
    invoice_page = staff.get(invoice_path).content.decode()
    assert "Set up a payment plan" not in invoice_page
    assert f'href="/dashboard/plans/{plan.public_id}/">Open the plan</a>' in invoice_page
    assert "$0.00 of $120.00 paid" in invoice_page
    assert "<td>May 2, 2026</td>" in invoice_page
    # the invoice is now due when the last part is
    assert Invoice.objects.get(pk=open_invoice.pk).due_date == datetime.date(2026, 5, 2)


def test_one_part_is_pay_later_on_that_date(staff, open_invoice):
    later = TODAY + datetime.timedelta(days=40)

    staff.post(f"/dashboard/invoices/{open_invoice.public_id}/plan/", plan_form(**{"plan-parts": "1", "plan-start_date": later.isoformat()}))

    plan = PaymentPlan.objects.get(invoice=open_invoice)
    assert (plan.kind, schedule_of(plan)) == ("pay_later", [(later, 12000, 0)])


def test_a_deposit_too_large_is_refused_next_to_the_deposit_and_no_plan_is_made(staff, open_invoice):
    response = staff.post(f"/dashboard/invoices/{open_invoice.public_id}/plan/", plan_form(**{"plan-deposit": "150.00"}))

    html = response.content.decode()
    assert response.status_code == 400
    assert error_for(html, "id_plan-deposit") == "The deposit must be less than what remains, with at least one part after it."
    assert 'value="150.00"' in html
    assert PaymentPlan.objects.count() == 0


def test_a_first_date_in_the_past_and_too_many_parts_are_refused(staff, open_invoice):
    data = plan_form(**{"plan-parts": "61", "plan-start_date": (TODAY - datetime.timedelta(days=1)).isoformat()})

    response = staff.post(f"/dashboard/invoices/{open_invoice.public_id}/plan/", data)

    html = response.content.decode()
    assert response.status_code == 400
    assert error_for(html, "id_plan-parts") == "Enter a whole number from 1 to 60."
    assert error_for(html, "id_plan-start_date") == "The first date cannot be in the past."
    assert PaymentPlan.objects.count() == 0


def test_a_deposit_makes_a_larger_first_part(staff, open_invoice):
    staff.post(f"/dashboard/invoices/{open_invoice.public_id}/plan/", plan_form(**{"plan-deposit": "30.00", "plan-interval": "week"}))

    plan = PaymentPlan.objects.get(invoice=open_invoice)
    assert schedule_of(plan) == [
        (datetime.date(2026, 3, 2), 3000, 0),
        (datetime.date(2026, 3, 9), 4500, 0),
        (datetime.date(2026, 3, 16), 4500, 0),
    ]


def test_the_customers_saved_card_can_be_charged_automatically(staff, business, customer, open_invoice):
    # given a card the customer saved when paying another invoice
    payment_create(invoice=make_invoice(business, customer), card=card(), save_card=True)
    invoice_path = f"/dashboard/invoices/{open_invoice.public_id}/"
    assert "Charge the customer&#x27;s saved card automatically (Visa •••• 4242)" in staff.get(invoice_path).content.decode()

    response = staff.post(f"{invoice_path}plan/", plan_form(**{"plan-auto_charge": "on"}))

    plan = PaymentPlan.objects.get(invoice=open_invoice)
    assert (plan.auto_charge, plan.saved_method.card_last4) == (True, "4242")
    assert "Each part is charged to Visa •••• 4242 on its date" in staff.get(response["Location"]).content.decode()


def test_an_invoice_with_a_plan_cannot_get_a_second_one(staff, open_invoice):
    staff_plan(open_invoice)

    response = staff.post(f"/dashboard/invoices/{open_invoice.public_id}/plan/", plan_form(), follow=True)

    assert response.redirect_chain == [(f"/dashboard/invoices/{open_invoice.public_id}/", 302)]
    assert "This invoice already has a payment plan. Cancel it first." in response.content.decode()
    assert PaymentPlan.objects.count() == 1


def test_a_draft_or_paid_invoice_is_not_offered_a_plan(staff, business, customer, open_invoice):
    draft = make_invoice(business, customer, finalize=False)
    payment_record_offline(invoice=open_invoice, method=PaymentMethodType.CASH, amount=None)

    assert Invoice.objects.get(pk=open_invoice.pk).status == "paid"
    assert "Set up a payment plan" not in staff.get(f"/dashboard/invoices/{open_invoice.public_id}/").content.decode()
    assert "Set up a payment plan" not in staff.get(f"/dashboard/invoices/{draft.public_id}/").content.decode()
    response = staff.post(f"/dashboard/invoices/{draft.public_id}/plan/", plan_form(), follow=True)
    assert "Only an open invoice with something still owed can be paid by a plan." in response.content.decode()
    assert PaymentPlan.objects.count() == 0


# Answering a customer's request


def test_a_request_waits_first_in_the_list_and_on_the_overview(staff, business, customer, open_invoice):
    running = staff_plan(make_invoice(business, customer))
    ended = staff_plan(make_invoice(business, customer))
    plan_cancel(plan=ended)
    request = customer_request(open_invoice)

    overview = staff.get("/dashboard/").content.decode()
    listing = staff.get("/dashboard/plans/").content.decode()

    assert "1 payment plan request is waiting for your review." in overview
    assert 'href="/dashboard/plans/">Review plan requests</a>' in overview
    positions = [listing.index(f"/dashboard/plans/{plan.public_id}/") for plan in (request, running, ended)]
    assert positions == sorted(positions)
    assert listing.index("Requests waiting for review") < positions[0]
    assert listing.index("Running plans") < positions[1] < listing.index("Ended plans") < positions[2]
    # the request shows what was asked: its invoice, customer, amount and dates
    request_row = listing[positions[0] : listing.index("</tr>", positions[0])]
    assert "2 parts, every month" in request_row
    assert ">INV-0001</a>" in request_row and "Ada Lovelace" in request_row and "$120.00" in request_row
    assert "March 2, 2026 to April 2, 2026" in request_row
    # the running plan shows its progress and next part
    running_row = listing[positions[1] : listing.index("</tr>", positions[1])]
    assert "$0.00 of $120.00" in running_row and "$40.00 on March 2, 2026" in running_row


def test_the_overview_has_no_notice_without_requests(staff, open_invoice):
    staff_plan(open_invoice)

    assert "plan-requests-notice" not in staff.get("/dashboard/").content.decode()


def test_staff_approve_a_request_with_a_message(staff, open_invoice):
    request = customer_request(open_invoice)
    detail_path = f"/dashboard/plans/{request.public_id}/"
    page = staff.get(detail_path).content.decode()
    assert "Approve the plan" in page and "Decline the request" in page
    assert "Pause the plan" not in page and "Resume the plan" not in page

    response = staff.post(f"{detail_path}approve/", {"approve-message": "Happy to help, Ada."})

    assert response.status_code == 302
    assert response["Location"] == detail_path
    plan = PaymentPlan.objects.get(pk=request.pk)
    assert (plan.status, plan.staff_message) == ("active", "Happy to help, Ada.")
    page = staff.get(detail_path).content.decode()
    assert "The plan is approved and running." in page
    assert "Approve the plan" not in page and "Pause the plan" in page
    assert '<dd class="prose" id="plan-staff-message">Happy to help, Ada.</dd>' in page


def test_a_request_may_be_approved_without_a_message(staff, open_invoice):
    request = customer_request(open_invoice)

    staff.post(f"/dashboard/plans/{request.public_id}/approve/", {"approve-message": ""})

    assert status_of(request) == "active"


def test_declining_needs_a_word_for_the_customer(staff, open_invoice):
    request = customer_request(open_invoice)
    detail_path = f"/dashboard/plans/{request.public_id}/"

    refused = staff.post(f"{detail_path}decline/", {"decline-message": "  "})

    assert refused.status_code == 400
    assert error_for(refused.content.decode(), "id_decline-message") == "Tell the customer why, so they know what they can do."
    assert status_of(request) == "requested"

    response = staff.post(f"{detail_path}decline/", {"decline-message": "We cannot split invoices under $200."})

    assert response.status_code == 302
    plan = PaymentPlan.objects.get(pk=request.pk)
    assert (plan.status, plan.staff_message) == ("declined", "We cannot split invoices under $200.")
    assert Invoice.objects.get(pk=open_invoice.pk).due_date == open_invoice.due_date
    page = staff.get(detail_path).content.decode()
    assert "The request is declined; the invoice stays as it was." in page
    assert "Approve the plan" not in page and "Cancel the plan" not in page


# Pausing, resuming, canceling


def test_staff_pause_resume_and_cancel_a_plan(staff, open_invoice):
    plan = staff_plan(open_invoice)
    detail_path = f"/dashboard/plans/{plan.public_id}/"

    staff.post(f"{detail_path}pause/")
    paused = staff.get(detail_path).content.decode()
    assert status_of(plan) == "paused"
    assert "The plan is paused" in paused
    assert "Resume the plan" in paused and "Pause the plan" not in paused and "Cancel the plan" in paused

    staff.post(f"{detail_path}resume/")
    resumed = staff.get(detail_path).content.decode()
    assert status_of(plan) == "active"
    assert "The plan is running again." in resumed
    assert "Pause the plan" in resumed and "Resume the plan" not in resumed

    staff.post(f"{detail_path}cancel/")
    canceled = staff.get(detail_path).content.decode()
    assert status_of(plan) == "canceled"
    assert "The plan is canceled. What remains is owed on the invoice as usual." in canceled
    assert canceled.count('<span class="status status-canceled">Not needed</span>') == 3
    for button in ("Pause the plan", "Resume the plan", "Cancel the plan", "Approve the plan"):
        assert button not in canceled
    # with the plan over, the invoice may have a new one
    assert "Set up a payment plan" in staff.get(f"/dashboard/invoices/{open_invoice.public_id}/").content.decode()


def test_a_move_the_status_no_longer_allows_is_refused_with_a_message(staff, open_invoice):
    plan = staff_plan(open_invoice)

    response = staff.post(f"/dashboard/plans/{plan.public_id}/resume/", follow=True)

    assert response.status_code == 200
    assert "This plan&#x27;s status does not allow that any more. Reload the page to see it." in response.content.decode()
    assert status_of(plan) == "active"


def test_a_read_only_member_sees_plans_but_cannot_act_on_them(read_only, open_invoice):
    plan = customer_request(open_invoice)
    detail_path = f"/dashboard/plans/{plan.public_id}/"

    page = read_only.get(detail_path)

    assert page.status_code == 200
    assert b"Approve the plan" not in page.content
    for action in ("approve/", "decline/", "pause/", "resume/", "cancel/"):
        assert read_only.post(f"{detail_path}{action}", {"decline-message": "No"}).status_code == 403, action
    assert read_only.post(f"/dashboard/invoices/{open_invoice.public_id}/plan/", plan_form()).status_code == 403
    assert status_of(plan) == "requested"


# Tenancy, strictness, language


def test_another_businesses_plans_are_not_found(staff, other_business_invoice):
    plan = customer_request(other_business_invoice)
    detail_path = f"/dashboard/plans/{plan.public_id}/"

    assert staff.get(detail_path).status_code == 404
    for action in ("approve/", "decline/", "pause/", "resume/", "cancel/"):
        assert staff.post(f"{detail_path}{action}", {"decline-message": "No"}).status_code == 404, action
    assert staff.post(f"/dashboard/invoices/{other_business_invoice.public_id}/plan/", plan_form()).status_code == 404
    assert plan.public_id not in staff.get("/dashboard/plans/").content.decode()
    assert "plan-requests-notice" not in staff.get("/dashboard/").content.decode()
    assert status_of(plan) == "requested"
    assert PaymentPlan.objects.count() == 1


def test_the_plan_pages_keep_to_the_strict_policy(staff, business, customer, open_invoice):
    plan = customer_request(open_invoice)
    plain_invoice = make_invoice(business, customer)

    for path in (
        "/dashboard/plans/",
        "/dashboard/plans/settings/",
        f"/dashboard/plans/{plan.public_id}/",
        f"/dashboard/invoices/{plain_invoice.public_id}/",
    ):
        response = staff.get(path)
        html = response.content.decode()
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path
        assert " style=" not in html and "<style" not in html, path
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
        forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
        assert forms, path
        for form in forms:
            assert 'name="csrfmiddlewaretoken"' in form, path


def test_the_plan_pages_speak_russian(staff, business, customer, open_invoice):
    request = customer_request(open_invoice)
    running = staff_plan(make_invoice(business, customer))
    plain_invoice = make_invoice(business, customer)

    overview = staff.get("/dashboard/?lang=ru").content.decode()
    listing = staff.get("/dashboard/plans/").content.decode()
    detail = staff.get(f"/dashboard/plans/{request.public_id}/").content.decode()
    settings_page = staff.get("/dashboard/plans/settings/").content.decode()
    invoice_page = staff.get(f"/dashboard/invoices/{plain_invoice.public_id}/").content.decode()
    paused = staff.post(f"/dashboard/plans/{running.public_id}/pause/", follow=True).content.decode()
    refused = staff.post("/dashboard/plans/settings/", policy_form(grace_days="31")).content.decode()

    assert "1 запрос на план оплаты ждёт вашего решения." in overview
    assert 'aria-current="page">Планы оплаты</a>' in listing
    assert "Запросы, ждущие решения" in listing and "2 части, каждый месяц" in listing
    assert "Ждёт решения" in detail and "Одобрить план" in detail and "Отклонить запрос" in detail
    assert "<td>2 марта 2026\u202fг.</td>" in detail  # babel keeps "г." on the line with a narrow no-break space
    assert '<label for="id_max_installments">Наибольшее число частей</label>' in settings_page
    assert "В USD, например 10.00." in settings_page
    assert "Оформить план оплаты" in invoice_page and "Каждый месяц" in invoice_page
    assert "План приостановлен" in paused
    assert error_for(refused, "id_grace_days") == "Введите целое число от 0 до 30."
