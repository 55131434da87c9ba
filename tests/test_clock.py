"""Test clocks: a business moves its own test-mode time; live mode and other businesses don't."""

from __future__ import annotations

import datetime

from paydesk.core import clock


def test_advancing_the_clock_moves_only_this_business_in_test_mode(api, other_api, business):
    before = clock.real_now()
    answer = api.post("/test_helpers/advance_clock", {"days": 2, "hours": 3}).json()
    assert answer["offset_seconds"] == 2 * 86400 + 3 * 3600
    assert answer["now"] >= int((before + datetime.timedelta(days=2, hours=3)).timestamp())
    assert set(answer["work_done"]) >= {"reminders", "automatic_charges", "messages", "webhooks"}
    # objects made over the API now carry the business's time
    created = api.post("/customers", {"name": "Later"}).json()["created"]
    assert created >= answer["now"] - 5
    # another business still lives in real time
    other = other_api.post("/customers", {"name": "Now"}).json()["created"]
    assert other < answer["now"] - 86400


def test_the_clock_only_moves_forward(api):
    response = api.post("/test_helpers/advance_clock", {"days": 0, "hours": 0})
    assert response.status_code == 400 and response.json()["error"]["param"] == "days"
    negative = api.post("/test_helpers/advance_clock", {"days": -1})
    assert negative.status_code == 400


def test_the_hosted_page_shows_an_invoice_overdue_at_the_business_time(api, client, business, customer):
    from paydesk.invoicing.models import Invoice

    from .conftest import make_invoice

    invoice = make_invoice(business, customer)  # due in 14 days
    page = client.get(f"/i/{invoice.hosted_token}").content.decode()
    assert "(overdue)" not in page
    api.post("/test_helpers/advance_clock", {"days": 15})
    page = client.get(f"/i/{invoice.hosted_token}").content.decode()
    assert "(overdue)" in page
    assert Invoice.objects.get(pk=invoice.pk).status == "open"


def test_one_advance_is_at_most_400_days(api):
    refused = api.post("/test_helpers/advance_clock", {"days": 401})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "parameter_out_of_range"
