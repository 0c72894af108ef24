"""No contact, link or number in a rewritten message that the Odoo data does not hold.

A language model's copy may only mention email addresses, phone numbers, links and numbers
that the rules draft or the finding's Odoo facts vouch for: an injected "write to
ceo@evil.example" or "add a 5% fee" must never reach a customer, whether or not the model
followed its instructions.
"""

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"\+?\(?\d[\d ()\-\u00a0]{5,}\d")
# Dates look like phone numbers to _PHONE; they are blanked out before looking for phones.
_DATE = re.compile(r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}([-/.])\d{1,2}\1\d{4})\b")
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"')]+", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class Copy(Protocol):
    subject: str | None
    body: str


class UnknownReference(Exception):
    """The copy mentions something the Odoo data does not vouch for; the message says what."""


def check_references(improved: Copy, facts: dict, draft: Copy) -> None:
    """Refuse copy that brings in an email address, phone number, link or number of its own.

    Only structured data vouches for what the copy may mention: the rules draft, numeric
    facts, and fact strings that are one value (an email field, a phone field, a date, an
    invoice reference). Free text such as a partner's note never does: an address or a
    "5% fee" inside it is exactly what a prompt injection would plant. Numbers are compared
    by value, in any of the usual spellings (1,250.00 · 1.250,00 · 1250).
    """
    copy = "\n".join(filter(None, [improved.subject, improved.body]))
    rules_copy = "\n".join(filter(None, [draft.subject, draft.body]))
    values = list(_leaves(facts))
    strings = [str(value).strip() for value in values]

    emails = {email.lower() for email in _EMAIL.findall(rules_copy)}
    emails |= {value.lower() for value in strings if _EMAIL.fullmatch(value)}
    _refuse_unknown("an email address", [email for email in _EMAIL.findall(copy) if email.lower() not in emails])

    phones = {_digits(phone) for phone in _phones(rules_copy)}
    phones |= {_digits(value) for value in strings if _phones(value) == [value]}
    _refuse_unknown("a phone number", [phone for phone in _phones(copy) if _digits(phone) not in phones])

    links = {_link_key(link) for link in _LINK.findall(rules_copy)}
    links |= {_link_key(value) for value in strings if _LINK.fullmatch(value)}
    _refuse_unknown("a link", [link for link in _LINK.findall(copy) if _link_key(link) not in links])

    # The contacts just checked are vouched for whole; their digits are not amounts or dates.
    prose = _LINK.sub(" ", _EMAIL.sub(" ", copy))
    for phone in _phones(prose):
        prose = prose.replace(phone, " ")
    numbers = {Decimal(str(value)) for value in values
               if isinstance(value, (int, float)) and not isinstance(value, bool)}
    for text in [rules_copy, *(value for value in strings if not any(char.isspace() for char in value))]:
        for token in _NUMBER.findall(text):
            numbers |= _readings(token)
    _refuse_unknown("a number", [token for token in _NUMBER.findall(prose) if not _readings(token) & numbers])


def _refuse_unknown(what: str, unknown: list[str]) -> None:
    if unknown:
        raise UnknownReference(f"Claude's text adds {what} that is not in the Odoo data: "
                               f"{', '.join(sorted(set(unknown)))}")


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield value


def _phones(text: str) -> list[str]:
    return [match.strip() for match in _PHONE.findall(_DATE.sub(" ", text)) if 7 <= len(_digits(match)) <= 15]


def _link_key(link: str) -> str:
    return link.rstrip(".,;:").lower()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _readings(token: str) -> set[Decimal]:
    """The values a number may mean, whichever of ',' and '.' separates thousands."""
    readings = set()
    for spelling in (token.replace(",", ""), token.replace(".", "").replace(",", ".")):
        try:
            readings.add(Decimal(spelling))
        except InvalidOperation:
            pass
    return readings
