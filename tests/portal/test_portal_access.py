"""Into the portal without a password: magic links (single use, 30 minutes, this browser
only), portal sessions from the API, and /portal/find that tells nobody what exists."""

from __future__ import annotations

import datetime
import re

from django.test import Client
from django.urls import reverse

from paydesk.core import clock
from paydesk.customers.services import customer_create, customer_update
from paydesk.messaging.models import Message
from paydesk.portal.access import BROWSER_COOKIE

from ..conftest import make_invoice


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def without_tokens(response) -> str:
    """The page as a person sees it: the per-request CSRF token taken out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text_of(response))


def link_path(message: Message) -> str:
    return message.context["link_url"].split("127.0.0.1:8000", 1)[-1]


def ask_for_link(client: Client, email: str):
    client.get(reverse("portal-find"))  # the browser gets its nonce cookie
    return client.post(reverse("portal-find"), {"action": "link", "link_email": email})


def test_a_magic_link_opens_the_portal_once_in_the_browser_that_asked(client, customer, open_invoice):
    answer = ask_for_link(client, "ADA@example.test")
    assert answer.status_code == 200 and "is on its way" in text_of(answer)
    message = Message.objects.get(template="portal_magic_link")
    assert message.to == "ada@example.test"
    # Another browser cannot use it, and that try does not spend it.
    stranger = Client()
    refused = stranger.get(link_path(message))
    assert refused.status_code == 410 and "only in the browser where you asked" in text_of(refused)
    entered = client.get(link_path(message))
    assert entered.status_code == 302 and entered["Location"] == reverse("portal-home")
    home = client.get(reverse("portal-home"))
    assert home.status_code == 200 and open_invoice.number in text_of(home) and "$120.00" in text_of(home)
    # Single use.
    again = Client()
    again.cookies[BROWSER_COOKIE] = client.cookies[BROWSER_COOKIE].value
    assert again.get(link_path(message)).status_code == 410


def test_a_magic_link_expires_after_30_minutes(client, customer):
    ask_for_link(client, customer.email)
    message = Message.objects.get(template="portal_magic_link")
    with clock.frozen_at(clock.real_now() + datetime.timedelta(minutes=31)):
        refused = client.get(link_path(message))
    assert refused.status_code == 410 and "expired" in text_of(refused)


def test_asking_for_an_unknown_address_looks_the_same(client, customer):
    known = without_tokens(ask_for_link(client, customer.email)).replace(customer.email, "ADDRESS")
    unknown = without_tokens(ask_for_link(Client(), "nobody@example.test")).replace("nobody@example.test", "ADDRESS")
    assert known == unknown
    assert Message.objects.filter(template="portal_magic_link").count() == 1


def test_find_a_bill_by_number_and_amount_or_postal_code(client, business, customer, open_invoice):
    found = client.post(reverse("portal-find"), {"action": "find", "number": open_invoice.number.lower(), "amount": "120"})
    assert found.status_code == 302 and found["Location"] == reverse("hosted-invoice", kwargs={"token": open_invoice.hosted_token})
    customer_update(customer=customer, postal_code="SW1A 1AA")
    by_code = client.post(reverse("portal-find"), {"action": "find", "number": open_invoice.number, "postal_code": "sw1a1aa"})
    assert by_code.status_code == 302


def test_a_bill_that_does_not_exist_looks_exactly_like_a_wrong_guess(client, open_invoice):
    wrong_fact = client.post(reverse("portal-find"), {"action": "find", "number": open_invoice.number, "amount": "99.00"})
    no_such = client.post(reverse("portal-find"), {"action": "find", "number": "INV-9999", "amount": "99.00"})
    assert wrong_fact.status_code == no_such.status_code == 404
    assert without_tokens(wrong_fact).replace(open_invoice.number, "N") == without_tokens(no_such).replace("INV-9999", "N")


def test_finding_is_rate_limited_per_invoice_number_and_per_address(client, open_invoice):
    for _ in range(5):
        client.post(reverse("portal-find"), {"action": "find", "number": open_invoice.number, "amount": "1.00"})
    limited = client.post(reverse("portal-find"), {"action": "find", "number": open_invoice.number, "amount": "120.00"})
    assert limited.status_code == 429 and "Too many tries" in text_of(limited)
    for _ in range(5):
        Client().post(reverse("portal-find"), {"action": "link", "link_email": "someone@example.test"})
    assert Client().post(reverse("portal-find"), {"action": "link", "link_email": "someone@example.test"}).status_code == 429


def test_the_api_hands_out_a_short_lived_portal_url(api, other_api, customer):
    made = api.post(f"/customers/{customer.public_id}/portal_sessions", {"return_url": "https://riverside.test/account"})
    assert made.status_code == 200, made.json()
    session = made.json()
    assert session["object"] == "portal_session" and session["customer"] == customer.public_id
    assert session["expires_at"] - session["created"] == 300
    assert other_api.post(f"/customers/{customer.public_id}/portal_sessions").status_code == 404
    browser = Client()
    assert browser.get(session["url"].split("127.0.0.1:8000", 1)[-1]).status_code == 302
    assert browser.get(reverse("portal-home")).status_code == 200


def test_pages_need_a_session_and_show_only_its_customers(client, business, customer, open_invoice):
    assert client.get(reverse("portal-home"))["Location"].startswith(reverse("portal-find"))
    other = customer_create(business=business, livemode=False, name="Bob", email="bob@example.test")
    theirs = make_invoice(business, other)
    from paydesk.portal.access import portal_session_create

    _, url = portal_session_create(customer=customer)
    client.get(url.split("127.0.0.1:8000", 1)[-1])
    home = text_of(client.get(reverse("portal-home")))
    assert open_invoice.number in home and theirs.number not in home
    # Someone else's invoice id in the pay form is simply not there.
    chosen = client.get(reverse("portal-pay"), {"invoice": theirs.public_id})
    assert chosen.status_code == 302


def test_an_amount_is_read_the_way_people_copy_it_from_a_bill():
    from paydesk.portal.find import amounts_as_typed

    assert amounts_as_typed("$1,234.50", "usd") == {123450}
    assert 123450 in amounts_as_typed("1 234,50", "eur")
    assert amounts_as_typed("1.234,50", "eur") == {123450}
    assert amounts_as_typed("1,234", "usd") == {123400}
    assert amounts_as_typed("75", "usd") == {7500}
    assert amounts_as_typed("seventy", "usd") == set()
