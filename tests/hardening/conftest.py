"""Fixtures of the hardening tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from identification.models import Round


@pytest.fixture
def round_2012(county_tree):
    """An open round without quotas: whatever a test's import sets is all there is."""
    return Round.objects.create(
        year=2012, name="2012年贫困识别", poverty_line=Decimal("2300"), dibao_line=Decimal("1400")
    )
