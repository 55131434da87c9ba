from enum import StrEnum

from django.db import models


class StaffRole(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    SUPPORT = "support", "Support"
    ACCOUNTANT = "accountant", "Accountant"
    READ_ONLY = "read_only", "Read-only"


class ApiKeyKind(StrEnum):
    SECRET = "secret"
    PUBLISHABLE = "publishable"
