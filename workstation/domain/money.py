"""Money is Decimal yuan with two places (fen); never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")


class MoneyError(ValueError):
    """A value that cannot be an amount of money."""


def yuan(value: str | int | Decimal) -> Decimal:
    """Parse an amount in yuan. Floats are refused: they cannot hold fen exactly."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"amount must be a decimal string or integer, not {type(value).__name__}")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise MoneyError(f"not an amount of money: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    return amount


def round_fen(amount: Decimal) -> Decimal:
    """Round half-up (四舍五入) to the fen, as every line item is."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def format_yuan(amount: Decimal) -> str:
    return f"¥{round_fen(amount):,.2f}"
