"""Money: an integer number of minor units and an ISO 4217 currency. Never a float.

Arithmetic across two currencies is refused, not converted. Formatting for people happens
only at the edge (``format_money``), in the reader's locale, with babel.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

# One trillion minor units (ten billion dollars) is far past any small business's invoice;
# refusing larger numbers keeps sums far from 64-bit overflow in every database.
MAX_AMOUNT_MINOR = 10**12
# Codes for testing and for "no currency" are not money anyone can be paid in.
_NOT_PAYABLE = {"XXX", "XTS", "XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD"}


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


@lru_cache(maxsize=1)
def supported_currencies() -> frozenset[str]:
    """Lower-case ISO 4217 codes Paydesk accepts."""
    return frozenset(code.lower() for code in list_currencies() if code not in _NOT_PAYABLE)


def is_supported_currency(code: str) -> bool:
    return isinstance(code, str) and code.lower() == code and code in supported_currencies()


def minor_unit_exponent(currency: str) -> int:
    """How many decimal places the currency has (2 for usd, 0 for jpy, 3 for kwd)."""
    return get_currency_precision(currency.upper())


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.amount_minor) is not int:
            raise TypeError("Money amounts are integers of minor units")
        if not is_supported_currency(self.currency):
            raise ValueError(f"unsupported currency {self.currency!r}")

    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money combines only with Money")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor <= other.amount_minor

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def to_decimal(self) -> Decimal:
        """The amount in major units, exactly (for display and export, never for sums)."""
        return Decimal(self.amount_minor).scaleb(-minor_unit_exponent(self.currency))


def percent_of(amount_minor: int, rate_percent: Decimal) -> int:
    """``rate_percent`` % of an amount, rounded half up to a whole minor unit."""
    exact = Decimal(amount_minor) * Decimal(rate_percent) / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split_proportionally(total_minor: int, weights: list[int]) -> list[int]:
    """Split ``total_minor`` across ``weights`` so the parts add up exactly.

    Largest-remainder method: each part is the floor of its exact share, and the units
    left over go to the parts with the largest fractional remainders (earliest first on
    ties), so the result is deterministic and never off by a cent.
    """
    weight_sum = sum(weights)
    if total_minor == 0 or weight_sum == 0:
        return [0] * len(weights)
    shares = [divmod(total_minor * weight, weight_sum) for weight in weights]
    parts = [quotient for quotient, _ in shares]
    left_over = total_minor - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda index: (-shares[index][1], index))
    for index in by_remainder[:left_over]:
        parts[index] += 1
    return parts


def parse_major_amount(text: str, currency: str) -> int | None:
    """What a person typed as an amount ("12,50", "12.50", "1 234") in minor units (1250);
    None unless it is a plain positive amount with no more decimals than the currency has."""
    cleaned = (text or "").strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    # Plain digits with at most one decimal point: no exponents, no "1e999999999".
    if not cleaned or len(cleaned) > 20 or not all(character in "0123456789." for character in cleaned):
        return None
    if cleaned.count(".") > 1:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    exponent = minor_unit_exponent(currency)
    if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -exponent:
        return None
    return int(value.scaleb(exponent))


def format_money(money: Money, locale: str = "en") -> str:
    """``$1,234.50`` in English, ``1 234,50 ₽`` in Russian."""
    return format_currency(money.to_decimal(), money.currency.upper(), locale=locale)
