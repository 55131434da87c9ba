"""Dashboard fixtures: logged-in clients for each kind of staff member."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.signals import setting_changed

import paydesk.dashboard

from paydesk.businesses.enums import StaffRole
from paydesk.businesses.models import StaffMembership
from paydesk.businesses.services import business_create
from paydesk.customers.services import customer_create

from ..conftest import make_invoice

OWNER_EMAIL = "owner@riverside.test"
OWNER_PASSWORD = "correct horse"
CATALOGUE = Path(paydesk.dashboard.__file__).parent / "locale" / "ru" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="session", autouse=True)
def compiled_russian_catalogue():
    """Compile the .po the build would compile, when its .mo is missing or older.

    The .mo is not committed, so a plain ``pytest`` after editing the .po would otherwise
    test yesterday's words. Django caches catalogues; the signal makes it read them again.
    """
    compiled = CATALOGUE.with_suffix(".mo")
    if not compiled.exists() or compiled.stat().st_mtime < CATALOGUE.stat().st_mtime:
        with CATALOGUE.open("rb") as source:
            catalogue = read_po(source, locale="ru")
        with compiled.open("wb") as target:
            write_mo(target, catalogue)
        setting_changed.send(
            sender=type(django_settings), setting="LOCALE_PATHS", value=django_settings.LOCALE_PATHS, enter=True
        )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is slow on purpose; these tests are about pages, not password storage.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner(created_business):
    return get_user_model().objects.get(username=OWNER_EMAIL)


@pytest.fixture
def staff(owner) -> Client:
    """The business owner, logged in, reading English."""
    client = logged_in_client(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def member_client(business, role: str, username: str) -> Client:
    user = get_user_model().objects.create_user(username=username, email=username, password="another horse")
    StaffMembership.objects.create(business=business, user=user, role=role)
    client = logged_in_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def read_only(business) -> Client:
    return member_client(business, StaffRole.READ_ONLY, "auditor@riverside.test")


@pytest.fixture
def other_business_invoice(db):
    """An open invoice of another business, which Riverside's staff must never reach."""
    other = business_create(name="Hilltop Dental", email="owner@hilltop.test").business
    stranger = customer_create(business=other, livemode=False, name="Grace Hopper", email="grace@example.test")
    return make_invoice(other, stranger)
