"""Personal numbers in templates: `{{ member.id_number|id_number:user }}` is whole only for the roles
of households.privacy; `{{ member.id_number|masked_id }}` is always masked (lists, 公示)."""

from __future__ import annotations

from django import template

from households.privacy import can_see_personal_numbers, mask_bank_account, mask_id_number, mask_phone

register = template.Library()


@register.filter
def id_number(value: str, user) -> str:
    return value if can_see_personal_numbers(user) else mask_id_number(value)


@register.filter
def phone(value: str, user) -> str:
    return value if can_see_personal_numbers(user) else mask_phone(value)


@register.filter
def bank_account(value: str, user) -> str:
    return value if can_see_personal_numbers(user) else mask_bank_account(value)


@register.filter
def masked_id(value: str) -> str:
    return mask_id_number(value)
