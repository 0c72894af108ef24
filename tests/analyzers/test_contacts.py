"""Recipients read from a partner's email field the way Odoo reads it, and everything Odoo would
guess at refused with the reason, so a rule chooses another channel instead of emailing a trap."""

from email.utils import getaddresses

import pytest

from analyzers.contacts import e164_phone, email_addresses, recipients_of
from integrations.channels import EMAIL_MAX_RECIPIENTS


def odoo_reads(text: str) -> list[str]:
    """What Odoo sends to for this field (mail.mail uses email_normalize_all(partner.email)): the
    pairs getaddresses finds, with an '@' in the address, `Name a@b.com` split on its last word,
    lower-cased. Written here only to compare against."""
    found = []
    for name, address in getaddresses([text]):
        if " " in address and not name:
            address = address.rpartition(" ")[2]
        if address and "@" in address:
            found.append(address.lower())
    return found


ACCEPTED = [
    ("billing@acme.example", ["billing@acme.example"]),
    ("Billing@ACME.example", ["billing@acme.example"]),
    ("Jane Doe <jane@acme.example>", ["jane@acme.example"]),
    ('"Doe, Jane" <jane@acme.example>', ["jane@acme.example"]),
    ("<jane@acme.example>", ["jane@acme.example"]),
    ("Jane Doe jane@acme.example", ["jane@acme.example"]),
    ("jane@acme.example, john@acme.example", ["jane@acme.example", "john@acme.example"]),
    ("jane@acme.example;john@acme.example", ["jane@acme.example", "john@acme.example"]),
    ("jane@acme.example, Jane@Acme.example", ["jane@acme.example"]),
    ("jane@acme.example, , john@acme.example;", ["jane@acme.example", "john@acme.example"]),
    ('Jane <jane@acme.example>, "Accounts" <ap@acme.example>', ["jane@acme.example", "ap@acme.example"]),
    ("  jane@acme.example  ", ["jane@acme.example"]),
    ("Dubois & Fils SA <info@dubois.example>", ["info@dubois.example"]),
    ("St. John's Clinic <desk@stjohns.example>", ["desk@stjohns.example"]),
    ("jane.doe+invoices@acme-billing.example", ["jane.doe+invoices@acme-billing.example"]),
]


@pytest.mark.parametrize("field, addresses", ACCEPTED)
def test_a_field_odoo_reads_cleanly_gives_the_same_addresses(field, addresses):
    assert recipients_of(field) == (addresses, None)
    assert email_addresses(field) == addresses
    assert list(dict.fromkeys(odoo_reads(field))) == addresses


NAME = "display name in the email field contains an email address or a domain"
REFUSED = [
    ('"billing@acme.example" <pay@evil.example>', NAME),
    ("billing@acme.example <pay@evil.example>", NAME),
    ("acme.example billing <pay@evil.example>", NAME),
    ('"billing＠acme.example" <pay@evil.example>', NAME),
    ("Jane <jane@acme.example>, ACME.com <pay@evil.example>",
     "display name in entry 2 of the email field contains an email address or a domain"),
    ("=?utf-8?b?YmlsbGluZ0BhY21lLmV4YW1wbGU=?= <pay@evil.example>", "is encoded, which can hide an address"),
    ("jane@acme.example\r\nBcc: ceo@evil.example", "the email field contains a line break"),
    ("jane@acme.example\nceo@evil.example", "the email field contains a line break"),
    ("jane@acme.example\tceo@evil.example", "the email field contains control or invisible characters"),
    ("jane\u200b@acme.example", "the email field contains control or invisible characters"),
    ("jane@acme.example\u202e", "the email field contains control or invisible characters"),
    ("jane@acme.example ceo@evil.example", "several addresses without a comma between them"),
    ("not an address", "the email field is not a valid email address"),
    ("Jane, jane@acme.example", "entry 1 of the email field is not a valid email address"),
    ("jane@acme", "the email field is not a valid email address"),
    ("@acme.example", "the email field is not a valid email address"),
    ("jane@@acme.example", "the email field is not a valid email address"),
    ("jane..doe@acme.example", "the email field is not a valid email address"),
    ("jane@аcme.example", "the email field is not a valid email address"),  # Cyrillic а
    ("ｊane@acme.example", "the email field is not a valid email address"),  # full-width j
    ("mailto:jane@acme.example", "the email field is not a valid email address"),
    ("Jane <jane@acme.example", "unclosed quote or angle bracket"),
    ('"Jane <jane@acme.example>', "unclosed quote or angle bracket"),
    ("jane@acme.example>", "closing angle bracket without an opening one"),
    ("Jane <<jane@acme.example>>", "angle bracket inside another"),
    (", ;", "the email field holds no address"),
    (", ".join(f"user{n}@acme.example" for n in range(EMAIL_MAX_RECIPIENTS + 1)),
     f"lists {EMAIL_MAX_RECIPIENTS + 1} addresses; one message may go to at most {EMAIL_MAX_RECIPIENTS}"),
]


@pytest.mark.parametrize("field, reason", REFUSED)
def test_anything_odoo_would_guess_at_is_refused_with_the_reason(field, reason):
    addresses, problem = recipients_of(field)

    assert addresses == [] and email_addresses(field) == []
    assert reason in problem
    assert "evil" not in problem  # the reason describes the field, it does not repeat it


def test_the_most_recipients_one_message_may_have_are_accepted():
    field = ", ".join(f"user{n}@acme.example" for n in range(EMAIL_MAX_RECIPIENTS))
    assert len(email_addresses(field)) == EMAIL_MAX_RECIPIENTS


@pytest.mark.parametrize("field", [None, False, "", "   ", 42, ["jane@acme.example"]])
def test_an_empty_field_has_no_address_and_nothing_to_report(field):
    assert recipients_of(field) == ([], None)


@pytest.mark.parametrize("phone, expected", [
    ("+32 470 12 34 56", "+32470123456"),
    ("0032 (470) 12-34-56", "+32470123456"),
    ("0470 12 34 56", None),
    ("+32 470 12 34 56 ext. 3", None),
    (False, None),
])
def test_only_international_phone_numbers_are_used(phone, expected):
    assert e164_phone(phone) == expected
