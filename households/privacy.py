"""Personal numbers (身份证号, phone, bank account): who may see them whole, and how others see them."""

from __future__ import annotations

from accounts.models import Role, User
from households.idnumber import mask as mask_id_number

# The roles whose work needs the whole numbers: entering and checking households, confirming cases.
# The system administrator manages accounts and areas, not households.
ROLES_SEEING_PERSONAL_NUMBERS = {
    Role.VILLAGE_CADRE,
    Role.TOWNSHIP_OFFICIAL,
    Role.COUNTY_FUPIN,
    Role.COUNTY_MINZHENG,
}


def can_see_personal_numbers(user: User) -> bool:
    return user.is_authenticated and user.role in ROLES_SEEING_PERSONAL_NUMBERS


def mask_phone(phone: str) -> str:
    """138****5678."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_bank_account(account: str) -> str:
    """Last four digits only."""
    if not account:
        return ""
    return "*" * max(len(account) - 4, 4) + account[-4:]


__all__ = ["can_see_personal_numbers", "mask_bank_account", "mask_id_number", "mask_phone"]
