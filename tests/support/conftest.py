"""Support fixtures: staff of each role (their emails are who is told of a request), and
support requests made through the service."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from paydesk.businesses.enums import StaffRole
from paydesk.businesses.models import StaffMembership


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add_member(business, role: str, email: str):
    user = get_user_model().objects.create_user(username=email, email=email, password="another horse")
    StaffMembership.objects.create(business=business, user=user, role=role)
    return user


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def team(created_business):
    """The owner (made with the business), an admin, a support agent and an accountant."""
    business = created_business.business
    return {
        "owner": get_user_model().objects.get(username="owner@riverside.test"),
        "admin": add_member(business, StaffRole.ADMIN, "admin@riverside.test"),
        "support": add_member(business, StaffRole.SUPPORT, "help@riverside.test"),
        "accountant": add_member(business, StaffRole.ACCOUNTANT, "books@riverside.test"),
        "read_only": add_member(business, StaffRole.READ_ONLY, "auditor@riverside.test"),
    }


# The Russian catalogue compiled as the dashboard's tests compile it (the .mo is not kept).
from ..dashboard.conftest import compiled_russian_catalogue  # noqa: E402, F401
