"""Households, members, incomes and cases (户有卡): the registry. Models arrive with issue 3."""
