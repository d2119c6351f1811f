"""Seeded random samples that anyone can re-draw: same population, rate and seed → same ids.

The population is sorted first, so the order in which the database returns it does not matter;
the seed is recorded on the spot check; `random.Random(seed)` is stable across Python versions for
`sample` on a list of the same length.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Iterable
from decimal import Decimal


def sample_size(rate: Decimal, population: int) -> int:
    """ceil(rate × population), computed exactly: 20% of 11 is 3, not 2."""
    return min(population, math.ceil(Decimal(rate) * population))


def new_seed() -> int:
    # 53 bits: exact in JSON and in a spreadsheet, so a printed seed can be typed back in.
    return secrets.randbits(53)


def draw(population: Iterable[int], *, rate: Decimal, seed: int) -> list[int]:
    """The drawn ids, sorted for display."""
    ordered = sorted(set(population))
    return sorted(random.Random(seed).sample(ordered, sample_size(rate, len(ordered))))
