"""Largest-remainder apportionment: integer shares that add up exactly to the total."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def apportion(total: int, weights: Sequence[int | float | Fraction]) -> list[int]:
    """Split `total` in proportion to `weights`; ties in the remainders go to the earlier entry."""
    weight_sum = sum(Fraction(w) for w in weights)
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("total and weights must not be negative")
    if weight_sum == 0:
        if total:
            raise ValueError("cannot share a positive total by zero weights")
        return [0] * len(weights)
    exact = [Fraction(total) * Fraction(w) / weight_sum for w in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares
