"""Who can be contacted, read strictly from Odoo's partner fields.

Odoo stores free text in `email` ("Name <a@b>", several addresses with commas) and `phone`
("+32 470 12 34 56", "0032 …"). Only addresses and numbers that validate are used; anything
else counts as missing, so a rule picks another channel instead of proposing a message to
nobody.
"""

import re
from email.utils import getaddresses

from pydantic_core import PydanticCustomError
from pydantic.networks import validate_email

from integrations.channels import E164, EMAIL_MAX_RECIPIENTS

_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")


def email_addresses(value) -> list[str]:
    """The valid addresses in an Odoo email field, in order, without duplicates."""
    if not value or not isinstance(value, str):
        return []
    addresses = []
    for _, address in getaddresses([value.replace(";", ",")]):
        try:
            _, normalized = validate_email(address)
        except (PydanticCustomError, ValueError):
            continue
        if normalized.lower() not in {known.lower() for known in addresses}:
            addresses.append(normalized)
    return addresses[:EMAIL_MAX_RECIPIENTS]


def e164_phone(value) -> str | None:
    """The number in E.164 form (`+32470123456`), or None when it is not an international number."""
    if not value or not isinstance(value, str):
        return None
    number = _PHONE_PUNCTUATION.sub("", value)
    if number.startswith("00"):
        number = "+" + number[2:]
    return number if E164.fullmatch(number) else None
