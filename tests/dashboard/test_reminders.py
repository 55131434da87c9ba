"""The reminders page: editing the steps and quiet hours, previews in English and Russian,
the measured effect, and pausing reminders for an invoice or a customer."""

from __future__ import annotations

import datetime
import re

import pytest

from paydesk.businesses.models import Business
from paydesk.core import clock
from paydesk.customers.models import Customer
from paydesk.invoicing.models import Invoice
from paydesk.messaging.models import ReminderPolicy, ReminderSent, ReminderStep
from paydesk.messaging.reminder_policy import reminder_policy_for
from paydesk.messaging.reminders import reminders_sweep
from paydesk.payments.services import payment_create

from ..conftest import card, make_invoice

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(autouse=True)
def wall_clock_at_noon():
    with clock.frozen_at(NOON):
        yield


def policy_form_data(business, **overrides) -> dict:
    """What the page's form sends when saved as it is shown, with ``overrides``."""
    steps = list(reminder_policy_for(business=business).steps.all())
    data = {
        "enabled": "on",
        "time_zone": business.time_zone,
        "quiet_start_hour": "21",
        "quiet_end_hour": "8",
        "steps-TOTAL_FORMS": str(len(steps) + 1),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "10",
    }
    for index, step in enumerate(steps):
        timing = "on" if step.offset_days == 0 else "before" if step.offset_days < 0 else "after"
        data.update(
            {
                f"steps-{index}-step_id": str(step.pk),
                f"steps-{index}-days": str(abs(step.offset_days)) if step.offset_days else "",
                f"steps-{index}-timing": timing,
                f"steps-{index}-channel": step.channel,
                f"steps-{index}-enabled": "on",
            }
        )
    data.update({f"steps-{len(steps)}-days": "", f"steps-{len(steps)}-timing": "before", f"steps-{len(steps)}-channel": "email"})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def offsets(business) -> list[tuple[int, str, bool]]:
    steps = ReminderStep.objects.filter(policy__business=business).order_by("offset_days")
    return list(steps.values_list("offset_days", "channel", "enabled"))


def test_the_page_shows_the_default_steps_with_preview_links(staff, business):
    html = staff.get("/dashboard/reminders/").content.decode()

    assert 'aria-current="page">Reminders</a>' in html
    assert [step.offset_days for step in reminder_policy_for(business=business).steps.all()] == [-3, 0, 3, 7, 14]
    for step in reminder_policy_for(business=business).steps.all():
        assert f'/dashboard/reminders/steps/{step.pk}/preview/en/' in html
        assert f'/dashboard/reminders/steps/{step.pk}/preview/ru/' in html
    assert "3 days before the due date" in html and "14 days after the due date" in html
    assert '<option value="21" selected>21:00</option>' in html


def test_staff_change_a_step_switch_one_off_add_one_and_set_quiet_hours(staff, business):
    steps = {step.offset_days: step for step in reminder_policy_for(business=business).steps.all()}
    index = {offset: position for position, offset in enumerate(sorted(steps))}
    data = policy_form_data(
        business,
        quiet_start_hour="22",
        quiet_end_hour="7",
        time_zone="Europe/Moscow",
        **{
            f"steps-{index[3]}-days": "5",
            f"steps-{index[3]}-channel": "sms",
            f"steps-{index[7]}-enabled": None,
            "steps-5-days": "30",
            "steps-5-timing": "after",
            "steps-5-enabled": "on",
        },
    )

    response = staff.post("/dashboard/reminders/", data, follow=True)

    assert "Reminder settings saved." in response.content.decode()
    assert offsets(business) == [
        (-3, "email", True), (0, "email", True), (5, "sms", True), (7, "email", False), (14, "email", True), (30, "email", True)
    ]
    policy = ReminderPolicy.objects.get(business=business)
    assert (policy.quiet_start_hour, policy.quiet_end_hour) == (22, 7)
    assert Business.objects.get(pk=business.pk).time_zone == "Europe/Moscow"
    # the edited step kept its identity, so what it already sent still counts as sent
    assert ReminderStep.objects.get(pk=steps[3].pk).offset_days == 5


def test_two_steps_on_one_day_are_refused_next_to_the_field(staff, business):
    reminder_policy_for(business=business)
    data = policy_form_data(business, **{"steps-5-days": "3", "steps-5-timing": "after", "steps-5-enabled": "on"})

    response = staff.post("/dashboard/reminders/", data)

    assert response.status_code == 400
    assert re.search(r'id="id_steps-5-days_error"><li>Two steps cannot fall on the same day.</li>', response.content.decode())
    assert len(offsets(business)) == 5


def test_a_before_or_after_step_needs_a_number_of_days(staff, business):
    reminder_policy_for(business=business)

    response = staff.post("/dashboard/reminders/", policy_form_data(business, **{"steps-0-days": ""}))

    assert response.status_code == 400
    assert "Enter how many days, from 1." in response.content.decode()
    assert offsets(business)[0] == (-3, "email", True)


def test_a_read_only_member_can_look_but_not_save(read_only, business):
    reminder_policy_for(business=business)

    page = read_only.get("/dashboard/reminders/")
    refused = read_only.post("/dashboard/reminders/", policy_form_data(business, quiet_start_hour="3"))

    assert page.status_code == 200 and "Save reminder settings" not in page.content.decode()
    assert refused.status_code == 403
    assert ReminderPolicy.objects.get(business=business).quiet_start_hour == 21


def test_the_preview_shows_each_steps_email_in_english_and_russian(staff, business):
    due_step = reminder_policy_for(business=business).steps.get(offset_days=0)

    english = staff.get(f"/dashboard/reminders/steps/{due_step.pk}/preview/en/").content.decode()
    russian = staff.get(f"/dashboard/reminders/steps/{due_step.pk}/preview/ru/").content.decode()

    assert "Invoice INV-0042 from Riverside Plumbing is due today" in english
    assert "Hello Ada Lovelace," in english and "Call-out visit" in english and "Pay $120.00 now" in english
    assert "Can&#x27;t pay it all at once? Reply to this email" in english
    assert f'src="/dashboard/reminders/steps/{due_step.pk}/preview/en/email.html"' in english
    assert "Сегодня срок оплаты счёта INV-0042 от «Riverside Plumbing»" in russian
    assert f'src="/dashboard/reminders/steps/{due_step.pk}/preview/ru/email.html"' in russian
    assert "Здравствуйте, Анна Иванова!" in russian and "Выезд мастера" in russian
    assert "Riverside Plumbing: invoice INV-0042, $120.00, is due today." in english  # the SMS text


def test_the_preview_escapes_what_staff_typed(staff, business):
    Business.objects.filter(pk=business.pk).update(name="<b>Riverside</b>")
    step = reminder_policy_for(business=business).steps.get(offset_days=0)

    html = staff.get(f"/dashboard/reminders/steps/{step.pk}/preview/en/").content.decode()
    framed = staff.get(f"/dashboard/reminders/steps/{step.pk}/preview/en/email.html").content.decode()

    assert "<b>Riverside</b>" not in html and "<b>Riverside</b>" not in framed
    assert "&lt;b&gt;Riverside&lt;/b&gt;: invoice INV-0042" in html  # the SMS text, shown as typed


def test_the_framed_email_keeps_its_own_styles_under_a_locked_down_policy(staff, business):
    step = reminder_policy_for(business=business).steps.get(offset_days=7)

    response = staff.get(f"/dashboard/reminders/steps/{step.pk}/preview/ru/email.html")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Мы пока не получили оплату по счёту INV-0042" in html and 'style="' in html
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy and "sandbox" in policy
    assert "script-src" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_another_businesss_step_and_an_unknown_language_are_not_found(staff, other_business_invoice):
    foreign = reminder_policy_for(business=other_business_invoice.business).steps.first()
    own = reminder_policy_for(business=Business.objects.get(name="Riverside Plumbing")).steps.first()

    assert staff.get(f"/dashboard/reminders/steps/{foreign.pk}/preview/en/").status_code == 404
    assert staff.get(f"/dashboard/reminders/steps/{foreign.pk}/preview/en/email.html").status_code == 404
    assert staff.get(f"/dashboard/reminders/steps/{own.pk}/preview/de/").status_code == 404


def test_the_measured_effect_table_shows_each_step(staff, business, customer):
    invoice = make_invoice(business, customer)
    Invoice.objects.filter(pk=invoice.pk).update(due_date=clock.today())
    reminders_sweep(business=business, livemode=False)
    payment_create(invoice=invoice, card=card())

    html = staff.get("/dashboard/reminders/").content.decode()

    row = re.search(r"<th scope=\"row\">On the due date</th>(.*?)</tr>", html, flags=re.S).group(1)
    cells = re.findall(r"<td class=\"number\">(.*?)</td>", row)
    assert cells == ["1", "1 (100 %)", "$120.00"]
    before = re.search(r"<th scope=\"row\">3 days before the due date</th>(.*?)</tr>", html, flags=re.S).group(1)
    assert re.findall(r"<td class=\"number\">(.*?)</td>", before) == ["0", "—", "—"]


def test_the_page_in_russian(staff, business):
    html = staff.get("/dashboard/reminders/?lang=ru").content.decode()

    assert "Напоминания об оплате" in html
    assert "За 3 дня до срока оплаты" in html and "Через 14 дней после срока оплаты" in html and "В день оплаты" in html


# ---- pausing ----


def test_staff_pause_and_resume_an_invoices_reminders(staff, open_invoice):
    page = staff.get(f"/dashboard/invoices/{open_invoice.public_id}/").content.decode()
    assert "On, as your reminder steps say." in page and "Pause reminders for this invoice" in page

    path = f"/dashboard/invoices/{open_invoice.public_id}/reminders/"
    paused = staff.post(path, {"paused": "true"}, follow=True).content.decode()

    assert Invoice.objects.get(pk=open_invoice.pk).reminders_paused is True
    assert "Reminders for this invoice are paused." in paused and "Resume reminders for this invoice" in paused
    staff.post(path, {"paused": "false"})
    assert Invoice.objects.get(pk=open_invoice.pk).reminders_paused is False


def test_a_paused_invoice_gets_no_reminder_from_the_sweep(staff, business, open_invoice):
    Invoice.objects.filter(pk=open_invoice.pk).update(due_date=clock.today())
    staff.post(f"/dashboard/invoices/{open_invoice.public_id}/reminders/", {"paused": "true"})

    assert reminders_sweep(business=business, livemode=False) == 0

    staff.post(f"/dashboard/invoices/{open_invoice.public_id}/reminders/", {"paused": "false"})
    assert reminders_sweep(business=business, livemode=False) == 1


def test_staff_pause_a_customer_and_set_their_zone_and_opt_out(staff, customer, open_invoice):
    staff.post(f"/dashboard/customers/{customer.public_id}/reminders/", {"paused": "true"})
    saved = staff.post(
        f"/dashboard/customers/{customer.public_id}/reminder-settings/",
        {"time_zone": "Asia/Tokyo", "non_essential_opt_out": "on"},
        follow=True,
    ).content.decode()

    customer.refresh_from_db()
    assert (customer.reminders_paused, customer.time_zone, customer.non_essential_opt_out) == (True, "Asia/Tokyo", True)
    assert "The customer&#x27;s reminder settings are saved." in saved
    assert "Paused for all of this customer's invoices." in saved and "Quiet hours follow their time zone, Asia/Tokyo." in saved
    invoice_page = staff.get(f"/dashboard/invoices/{open_invoice.public_id}/").content.decode()
    assert "Paused for all of this customer's invoices." in invoice_page


def test_an_unknown_time_zone_is_refused(staff, customer):
    path = f"/dashboard/customers/{customer.public_id}/reminder-settings/"
    response = staff.post(path, {"time_zone": "Mars/Olympus"}, follow=True)

    assert "That is not a time zone we know." in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).time_zone == ""


def test_another_businesss_invoice_cannot_be_paused(staff, other_business_invoice):
    response = staff.post(f"/dashboard/invoices/{other_business_invoice.public_id}/reminders/", {"paused": "true"})

    assert response.status_code == 404
    assert Invoice.objects.get(pk=other_business_invoice.pk).reminders_paused is False


def test_a_read_only_member_cannot_pause(read_only, open_invoice):
    assert read_only.post(f"/dashboard/invoices/{open_invoice.public_id}/reminders/", {"paused": "true"}).status_code == 403
    page = read_only.get(f"/dashboard/invoices/{open_invoice.public_id}/").content.decode()
    assert "Pause reminders for this invoice" not in page
    assert Invoice.objects.get(pk=open_invoice.pk).reminders_paused is False


def test_the_reminder_pages_keep_to_the_strict_policy(staff, business, open_invoice):
    step = reminder_policy_for(business=business).steps.first()
    paths = [
        "/dashboard/reminders/",
        f"/dashboard/reminders/steps/{step.pk}/preview/en/",
        f"/dashboard/reminders/steps/{step.pk}/preview/ru/",
        f"/dashboard/invoices/{open_invoice.public_id}/",
        f"/dashboard/customers/{open_invoice.customer.public_id}/",
    ]
    for path in paths:
        response = staff.get(path)
        html = response.content.decode()
        assert response.status_code == 200, path
        assert "script-src 'self'" in response["Content-Security-Policy"], path
        assert " style=" not in html and "<style" not in html, path
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
        for form in re.findall(r'<form method="post".*?</form>', html, flags=re.S):
            assert 'name="csrfmiddlewaretoken"' in form, path
    assert ReminderSent.objects.count() == 0


def test_the_reminders_page_shows_what_smart_retries_recovered(client, business, customer):
    from paydesk.core import clock
    from paydesk.payments.models import AutomaticCharge, Payment, SavedPaymentMethod
    from paydesk.payments.services import payment_create

    from ..conftest import card, make_invoice

    client.login(username="owner@riverside.test", password="correct horse")
    invoice = make_invoice(business, customer)
    method = SavedPaymentMethod.objects.create(
        business=business, livemode=False, customer=customer, provider="sandbox", provider_token="tok_x",
        card_brand="visa", card_last4="4242", card_exp_month=12, card_exp_year=2030, active=True, created=clock.now(),
    )
    charge = AutomaticCharge.objects.create(
        business=business, livemode=False, invoice=invoice, saved_method=method, status="succeeded",
        attempt_count=2, created=clock.now(),
    )
    declined = payment_create(invoice=invoice, card=card("4000000000009995"))
    paid = payment_create(invoice=invoice, card=card())
    Payment.objects.filter(pk__in=[declined.pk, paid.pk]).update(automatic_charge=charge)
    page = client.get("/dashboard/reminders/").content.decode()
    assert "Smart retries of automatic charges" in page
    assert "Not enough money on the card" in page and "$120.00" in page
