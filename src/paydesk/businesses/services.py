"""Every write to businesses, staff and API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from paydesk.core.errors import PaydeskError
from paydesk.core.money import is_supported_currency

from .enums import ApiKeyKind, StaffRole
from .models import ApiKey, Business, BusinessLogo, StaffMembership

_KEY_PREFIX = {ApiKeyKind.SECRET: "sk", ApiKeyKind.PUBLISHABLE: "pk"}


def api_key_digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedBusiness:
    business: Business
    secret_key: str
    publishable_key: str


def api_key_create(*, business: Business, kind: ApiKeyKind, livemode: bool) -> str:
    """Create a key and return it in full; only its digest is kept."""
    mode = "live" if livemode else "test"
    raw_key = f"{_KEY_PREFIX[kind]}_{mode}_{secrets.token_urlsafe(24)}"
    ApiKey.objects.create(
        business=business,
        kind=kind.value,
        livemode=livemode,
        digest=api_key_digest(raw_key),
        display_prefix=raw_key[:12],
    )
    return raw_key


@transaction.atomic
def business_create(
    *,
    name: str,
    email: str,
    password: str | None = None,
    currency: str = "usd",
    locale: str = "en",
) -> CreatedBusiness:
    """A business, its owner's login (when a password is given) and a pair of test keys."""
    name = (name or "").strip()
    if not name:
        raise PaydeskError("parameter_missing", "A business needs a name.", param="name")
    if "@" not in (email or ""):
        raise PaydeskError("email_invalid", "That email address is not valid.", param="email")
    if not is_supported_currency(currency):
        raise PaydeskError("currency_invalid", "Unsupported currency.", param="currency")
    business = Business.objects.create(
        name=name, email=email, default_currency=currency, default_locale=locale
    )
    if password:
        user_model = get_user_model()
        user = user_model.objects.filter(username=email).first()
        if user is None:
            user = user_model.objects.create_user(username=email, email=email, password=password)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        StaffMembership.objects.create(business=business, user=user, role=StaffRole.OWNER)
    secret_key = api_key_create(business=business, kind=ApiKeyKind.SECRET, livemode=False)
    publishable_key = api_key_create(
        business=business, kind=ApiKeyKind.PUBLISHABLE, livemode=False
    )
    return CreatedBusiness(business, secret_key, publishable_key)


MAX_LOGO_BYTES = 200_000
_IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def business_set_logo(*, business: Business, image: bytes | None) -> Business:
    """Store a PNG or JPEG logo (at most 200 KB), or remove it with ``None``.

    Refuses other formats by their first bytes, not by a name or a claimed type: SVG and
    HTML are refused because a browser could run scripts in them.
    """
    if image is None:
        BusinessLogo.objects.filter(business=business).delete()
        business.has_logo = False
    else:
        content_type = next(
            (kind for signature, kind in _IMAGE_SIGNATURES.items() if image.startswith(signature)), None
        )
        if content_type is None:
            raise PaydeskError("logo_invalid", "The logo must be a PNG or JPEG image.", param="logo")
        if len(image) > MAX_LOGO_BYTES:
            raise PaydeskError("logo_too_large", "The logo must be at most 200 KB.", param="logo")
        BusinessLogo.objects.update_or_create(business=business, defaults={"image": image, "content_type": content_type})
        business.has_logo = True
    business.save(update_fields=["has_logo"])
    return business


def business_set_bank_details(
    *, business: Business, account_holder: str, iban: str = "", bic: str = "", bank_name: str = "",
    local_details: str = "", accepts_bank_transfer: bool = True,
) -> Business:
    """Where customers send bank transfers. An IBAN and BIC are checked (check digits,
    country format, and that the BIC fits the IBAN's bank where that is known); countries
    without IBAN give free-text ``local_details`` instead.
    """
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    iban_compact = ""
    if iban.strip():
        try:
            iban_compact = IBAN(iban).compact
        except SchwiftyException:
            raise PaydeskError("iban_invalid", "That IBAN is not valid; please check it.", param="iban") from None
    bic_compact = ""
    if bic.strip():
        try:
            bic_compact = BIC(bic).compact
        except SchwiftyException:
            raise PaydeskError("bic_invalid", "That BIC is not valid; please check it.", param="bic") from None
    if not (iban_compact or local_details.strip()):
        raise PaydeskError("parameter_missing", "Give an IBAN or the local account details.", param="iban")
    if not account_holder.strip():
        raise PaydeskError("parameter_missing", "Give the account holder's name.", param="account_holder")
    business.bank_account_holder = account_holder.strip()[:140]
    business.bank_iban = iban_compact
    business.bank_bic = bic_compact
    business.bank_name = bank_name.strip()[:140]
    business.bank_local_details = local_details.strip()
    business.accepts_bank_transfer = accepts_bank_transfer
    business.save(
        update_fields=[
            "bank_account_holder", "bank_iban", "bank_bic", "bank_name", "bank_local_details", "accepts_bank_transfer",
        ]
    )
    return business


def business_clock_advance(*, business: Business, seconds: int) -> Business:
    """Move the business's test clock forward (never back: time that passed stays passed)."""
    if seconds <= 0:
        raise PaydeskError("parameter_missing", "Advance the clock by at least one hour or day.", param="days")
    with transaction.atomic():
        locked = Business.objects.select_for_update(of=("self",)).get(pk=business.pk)
        locked.test_clock_offset_seconds += seconds
        locked.save(update_fields=["test_clock_offset_seconds"])
    return locked


MAX_PORTAL_FAQ_LENGTH = 10_000
MAX_PAYMENT_INSTRUCTIONS_LENGTH = 5_000


def _plain_text(text: str) -> str:
    """Staff's text with line ends made alike and blank edges trimmed; it is shown as plain
    text (escaped, paragraphs at blank lines), never as HTML."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def business_set_portal_texts(*, business: Business, portal_faq: str, payment_instructions: str) -> Business:
    """What the customer portal's help page says: the business's answers to common questions
    and how to pay it, as plain text. Records ``business.portal_texts_updated`` when either
    changed. Refuses a FAQ over 10,000 characters or instructions over 5,000."""
    from paydesk.events.services import event_record

    portal_faq, payment_instructions = _plain_text(portal_faq), _plain_text(payment_instructions)
    if len(portal_faq) > MAX_PORTAL_FAQ_LENGTH:
        raise PaydeskError(
            "portal_faq_too_long", f"The questions and answers may have at most {MAX_PORTAL_FAQ_LENGTH} characters.",
            param="portal_faq",
        )
    if len(payment_instructions) > MAX_PAYMENT_INSTRUCTIONS_LENGTH:
        raise PaydeskError(
            "payment_instructions_too_long",
            f"The payment instructions may have at most {MAX_PAYMENT_INSTRUCTIONS_LENGTH} characters.",
            param="payment_instructions",
        )
    with transaction.atomic():
        locked = Business.objects.select_for_update(of=("self",)).get(pk=business.pk)
        if (locked.portal_faq, locked.payment_instructions) == (portal_faq, payment_instructions):
            return locked
        locked.portal_faq, locked.payment_instructions = portal_faq, payment_instructions
        locked.save(update_fields=["portal_faq", "payment_instructions"])
        # The texts serve both modes; recorded in test mode like the other settings staff
        # change in the dashboard (plan_policy.updated), which works in test mode for now.
        event_record(
            business=locked,
            livemode=False,
            type="business.portal_texts_updated",
            data={
                "id": locked.public_id,
                "object": "business",
                "portal_faq": locked.portal_faq,
                "payment_instructions": locked.payment_instructions,
            },
        )
    return locked
