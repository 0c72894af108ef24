"""Amounts as people type them in an expense: "42.50 EUR", "EUR 42.50", "€42.50", "42,50 €",
"$1,234.50", "£12".

A comma or dot followed by exactly three digits groups thousands ("1,234.50", "1.234,50",
"1,234"); otherwise it is the decimal mark, with at most two decimals ("42,50"). A bare "1.234"
is refused rather than guessed: read one way it is a thousand times the other. The currency
code is checked for shape only (three letters); € is EUR, $ USD and £ GBP.
"""

import re
from decimal import Decimal

MAX_AMOUNT = Decimal("999999999.99")
SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}

_FORMS = [
    re.compile(r"(?P<symbol>[€$£]) ?(?P<number>[0-9.,]+)"),
    re.compile(r"(?P<number>[0-9.,]+) ?(?P<symbol>[€$£])"),
    re.compile(r"(?P<code>[A-Za-z]{3}) ?(?P<number>[0-9.,]+)"),
    re.compile(r"(?P<number>[0-9.,]+) ?(?P<code>[A-Za-z]{3})"),
]
_NUMBERS = [  # (shape, thousands separator, decimal mark)
    (re.compile(r"[0-9]+(?:[.,][0-9]{1,2})?"), "", None),
    (re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?"), ",", "."),
    (re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+,[0-9]{1,2}"), ".", ","),
]


class InvalidAmount(ValueError):
    """`message` says in plain words what is wrong with the amount."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_money(text: str) -> tuple[Decimal, str]:
    """(amount with two decimals, ISO 4217 code) of `text`; InvalidAmount if it is not one."""
    text = " ".join(text.split())
    match = next((found for form in _FORMS if (found := form.fullmatch(text))), None)
    if match is None:
        if re.fullmatch(r"[0-9.,]+", text):
            raise InvalidAmount(f"Which currency is {text} in? Say EUR, USD, GBP or use €, $, £.")
        raise InvalidAmount(f"I could not read the amount “{text[:40]}”.")
    number = match["number"]
    for shape, thousands, mark in _NUMBERS:
        if shape.fullmatch(number):
            plain = number.replace(",", ".") if mark is None else number.replace(thousands, "").replace(mark, ".")
            amount = Decimal(plain)
            break
    else:
        raise InvalidAmount(f"The amount “{number}” should be a number with at most two decimals, like 42.50.")
    if amount <= 0:
        raise InvalidAmount("The amount must be more than zero.")
    if amount > MAX_AMOUNT:
        raise InvalidAmount("That amount is too large.")
    symbol = match.groupdict().get("symbol")
    return amount.quantize(Decimal("0.01")), SYMBOLS[symbol] if symbol else match["code"].upper()
