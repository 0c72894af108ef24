"""Who can be contacted, read strictly from Odoo's partner fields.

Odoo's `email` field is free text. Odoo itself reads it as a list of addresses separated by
commas (semicolons are tolerated), each either bare (`a@b.com`), in angle brackets, or after a
display name (`"Name" <a@b.com>`, `Name <a@b.com>`, `Name a@b.com`), and sends one message to
every address it finds, lower-cased. AIOM reads the same field the same way, but where Odoo
guesses (it skips what it cannot parse and keeps whatever looks like an address) AIOM refuses
the whole field and says why: a line break, control or invisible character, an entry that is
not a valid address, a display name that itself holds an address or a domain (the usual way
to make a message look addressed to someone else), more addresses than one message may go to.
A refused field counts as no address, so a rule picks another channel or a task for staff.

Phones ("+32 470 12 34 56", "0032 …") are used only in international (E.164) form.
"""

import re
import unicodedata
from functools import lru_cache

from pydantic_core import PydanticCustomError
from pydantic.networks import validate_email

from integrations.channels import E164, EMAIL_MAX_RECIPIENTS

_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")
#: Odoo's own test for "one address and nothing else" (ASCII only, so look-alike letters fail).
SINGLE_EMAIL = re.compile(r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,63}$")
#: Something a reader takes for a web or mail domain: `acme.com`, `pay.evil.example`.
_DOMAIN_LIKE = re.compile(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.[^\W\d_]{2,63}\b")
#: `Name <address>` (the name quoted or not), `<address>`, or Odoo's tolerated `Name address`.
_NAMED = re.compile(r'^(?P<name>"(?:[^"\\]|\\.)*"|[^"<>]*?)\s*<(?P<address>[^<>]*)>$')
_SEPARATORS = ",;"


class _Refused(Exception):
    """The field cannot be used; the message says why, in plain words."""


def recipients_of(value) -> tuple[list[str], str | None]:
    """The addresses in an Odoo email field, as Odoo reads them (in order, lower-cased, without
    duplicates), and None; or no addresses and the reason the field was refused. An empty field
    gives ([], None): nothing was refused, there is simply no address."""
    if not value or not isinstance(value, str) or not value.strip():
        return [], None
    addresses, refused = _parsed(value)
    return list(addresses), refused


@lru_cache(maxsize=4096)
def _parsed(value: str) -> tuple[tuple[str, ...], str | None]:
    """Remembered per field value: an analysis reads the same customer's address on every invoice."""
    try:
        return tuple(_addresses(value)), None
    except _Refused as refused:
        return (), str(refused)


def email_addresses(value) -> list[str]:
    """The usable addresses of an Odoo email field; [] when it is empty or refused."""
    return recipients_of(value)[0]


def e164_phone(value) -> str | None:
    """The number in E.164 form (`+32470123456`), or None when it is not an international number."""
    if not value or not isinstance(value, str):
        return None
    number = _PHONE_PUNCTUATION.sub("", value)
    if number.startswith("00"):
        number = "+" + number[2:]
    return number if E164.fullmatch(number) else None


def _addresses(value: str) -> list[str]:
    if "\r" in value or "\n" in value:
        raise _Refused("the email field contains a line break")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") for char in value):
        raise _Refused("the email field contains control or invisible characters")
    entries = [entry.strip() for entry in _split(value)]
    entries = [entry for entry in entries if entry]
    addresses = []
    for position, entry in enumerate(entries, start=1):
        where = f"entry {position} of the email field" if len(entries) > 1 else "the email field"
        address = _entry_address(entry, where)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise _Refused("the email field holds no address")
    if len(addresses) > EMAIL_MAX_RECIPIENTS:
        raise _Refused(f"the email field lists {len(addresses)} addresses; one message may go to at most "
                       f"{EMAIL_MAX_RECIPIENTS}")
    return addresses


def _split(value: str) -> list[str]:
    """The entries between top-level commas or semicolons (not inside quotes or angle brackets)."""
    entries, current, quoted, bracketed, escaped = [], [], False, False, False
    for char in value:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"' and not bracketed:
            quoted = not quoted
        elif char == "<" and not quoted:
            if bracketed:
                raise _Refused("the email field has an angle bracket inside another")
            bracketed = True
        elif char == ">" and not quoted:
            if not bracketed:
                raise _Refused("the email field has a closing angle bracket without an opening one")
            bracketed = False
        elif char in _SEPARATORS and not quoted and not bracketed:
            entries.append("".join(current))
            current = []
            continue
        current.append(char)
    if quoted or bracketed or escaped:
        raise _Refused("the email field has an unclosed quote or angle bracket")
    entries.append("".join(current))
    return entries


def _entry_address(entry: str, where: str) -> str:
    named = _NAMED.match(entry)
    if named:
        name, address = named["name"], named["address"].strip()
    elif " " in entry or "\t" in entry:
        # Odoo's tolerance: `Jane Doe jane@acme.com` is the name, then the address.
        name, _, address = entry.rpartition(" ")
        if "@" in name and "@" in address:
            raise _Refused(f"{where} holds several addresses without a comma between them")
    else:
        name, address = "", entry
    _check_name(name.strip(), where)
    return _valid_address(address, where)


def _check_name(name: str, where: str) -> None:
    if name.startswith('"') and name.endswith('"'):
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    if not name:
        return
    plain = unicodedata.normalize("NFKC", name)
    if "=?" in plain:
        raise _Refused(f"the display name in {where} is encoded, which can hide an address")
    if "@" in plain or _DOMAIN_LIKE.search(plain):
        raise _Refused(f"the display name in {where} contains an email address or a domain")
    if any(char in plain for char in "<>()[]"):
        raise _Refused(f"the display name in {where} contains brackets")


def _valid_address(address: str, where: str) -> str:
    if not SINGLE_EMAIL.fullmatch(address):
        raise _Refused(f"{where} is not a valid email address")
    try:
        validate_email(address)
    except (PydanticCustomError, ValueError):
        raise _Refused(f"{where} is not a valid email address") from None
    return address.lower()
