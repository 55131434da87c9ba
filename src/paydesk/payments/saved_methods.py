"""Saved cards: kept with the customer's consent as provider tokens, offered for one-click
payment, removable at any time."""

from __future__ import annotations

from django.db import transaction

from paydesk.core import clock
from paydesk.core.errors import NotFound

from .models import SavedPaymentMethod

# A card is flagged as expiring when it stops working within this many days.
EXPIRING_SOON_DAYS = 60


def saved_method_list(*, customer):
    return SavedPaymentMethod.objects.filter(customer=customer, active=True, removed_at__isnull=True).order_by(
        "-is_default", "-id"
    )


def saved_method_get(*, customer, public_id: str, param: str | None = None) -> SavedPaymentMethod:
    method = saved_method_list(customer=customer).filter(public_id=public_id).first()
    if method is None:
        raise NotFound("payment_method", public_id, param=param)
    return method


def saved_method_default(*, customer) -> SavedPaymentMethod | None:
    """The method to pre-select: the default, else the most recently saved."""
    return saved_method_list(customer=customer).first()


def saved_method_activate(method: SavedPaymentMethod) -> None:
    """Called when a payment with a just-saved card succeeded. The first card becomes default."""
    if method.active:
        return
    has_default = saved_method_list(customer=method.customer).filter(is_default=True).exists()
    method.active = True
    method.is_default = not has_default
    method.save(update_fields=["active", "is_default"])


@transaction.atomic
def saved_method_remove(*, method: SavedPaymentMethod) -> SavedPaymentMethod:
    method = SavedPaymentMethod.objects.select_for_update(of=("self",)).get(pk=method.pk)
    method.removed_at = clock.now()
    was_default, method.is_default = method.is_default, False
    method.save(update_fields=["removed_at", "is_default"])
    if was_default:
        successor = saved_method_list(customer=method.customer).first()
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default"])
    return method


@transaction.atomic
def saved_method_make_default(*, method: SavedPaymentMethod) -> SavedPaymentMethod:
    saved_method_list(customer=method.customer).filter(is_default=True).update(is_default=False)
    method.is_default = True
    method.save(update_fields=["is_default"])
    return method


def saved_method_expiring(method: SavedPaymentMethod) -> bool:
    return method.expires_within(EXPIRING_SOON_DAYS, clock.today())


def saved_method_add(*, customer, card) -> SavedPaymentMethod:
    """The customer adds a card in the portal (test mode: the sandbox keeps it under a token
    after the checks a provider makes before it talks to the bank). The first card becomes
    the default. Refuses a card that fails those checks, with the provider's error."""
    from paydesk.core.errors import PaydeskError
    from paydesk.providers.base import ChargeResult
    from paydesk.providers.registry import provider_for

    if customer.livemode:
        raise PaydeskError(
            "payment_method_unavailable", "Cards are added by paying with them in live mode.", param="card"
        )
    provider = provider_for(business=customer.business, livemode=customer.livemode)
    tokenized = provider.card_tokenize(card)
    if isinstance(tokenized, ChargeResult):
        raise PaydeskError(
            tokenized.failure_code or "card_declined",
            tokenized.failure_message or "The card was refused.",
            param=tokenized.failure_param or "card",
        )
    with transaction.atomic():
        has_default = saved_method_list(customer=customer).filter(is_default=True).exists()
        return SavedPaymentMethod.objects.create(
            business=customer.business,
            livemode=customer.livemode,
            customer=customer,
            provider=provider.info.name,
            provider_token=tokenized.token,
            card_brand=tokenized.card.brand,
            card_last4=tokenized.card.last4,
            card_exp_month=tokenized.card.exp_month,
            card_exp_year=tokenized.card.exp_year,
            is_default=not has_default,
            # The customer added it on purpose, after the provider's checks: offered from now on.
            active=True,
            created=clock.now(),
        )
