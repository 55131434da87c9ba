"""Encryption of sensitive fields at rest (rule 9), keyed from ``PAYDESK_SECRET_KEY``.

Fernet (AES-128-CBC + HMAC) through ``MultiFernet`` so a key can be rotated: put the new
secret first in ``PAYDESK_FIELD_KEYS`` and old values still decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _fernet_for(secret: str) -> Fernet:
    digest = hashlib.sha256(b"paydesk-field-encryption:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


@lru_cache(maxsize=1)
def _cipher() -> MultiFernet:
    extra = [key for key in os.environ.get("PAYDESK_FIELD_KEYS", "").split(",") if key.strip()]
    secrets = extra + [settings.SECRET_KEY]
    return MultiFernet([_fernet_for(secret.strip()) for secret in secrets])


def encrypt_text(plain: str) -> str:
    return _cipher().encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ValueError("field cannot be decrypted with the configured keys") from error


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; reads give the plain text back.

    Cannot be filtered on (each encryption differs); keep searchable copies elsewhere
    only when they are not sensitive.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)
