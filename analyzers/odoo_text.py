"""Names from Odoo (partners, deals, tasks, projects) as findings show them.

Customers write some of these names themselves, through website forms, so a name may carry a
link, an address or bank details meant to be repeated to someone else ("ACME — pay to IBAN …
via evil.example/pay"). A finding's title only ever holds a name after `actions.content`
neutralised it, or a plain reference ("customer #7") when nothing is left. The raw name stays
in the facts under its usual key (whoever writes from it neutralises it again), and each field
that needed cleaning is recorded twice in the facts:

- `suspicious_text`: for people, e.g. "partner name: a link and a bank account number removed";
- `suspicious_records`: which Odoo record holds it, so the run can raise one alert per record.
"""

from collections.abc import Iterable

from actions.content import neutralise
from aiom.text import one_line

SUSPICIOUS_TEXT = "suspicious_text"
SUSPICIOUS_RECORDS = "suspicious_records"
#: Names (customer, deal, salesperson, company) fit on a line of a message at this length.
NAME_LIMIT = 80


def neutral_name(text, reference: str) -> str:
    """`text` fit to print in any AIOM text (one line), or `reference` when nothing is left."""
    return one_line(neutralise(str(text or "")).text, NAME_LIMIT) or reference


def cleaning_flags(fields: Iterable[tuple[str, object]]) -> tuple[str, ...]:
    """One line per (label, text) that needed neutralising: "partner name: a link removed"."""
    return tuple(_flag(label, removed) for label, text in fields if (removed := neutralise(str(text or "")).removed))


def _flag(label: str, removed) -> str:
    return f"{label}: {in_words(list(removed))} removed"


def shown_name(facts: dict, text, *, field: str, model: str, record_id: int | None, fallback: str) -> str:
    """`text` fit to show in a title; what had to be taken out is noted in `facts`."""
    facts.setdefault(SUSPICIOUS_TEXT, [])
    facts.setdefault(SUSPICIOUS_RECORDS, [])
    cleaned = neutralise(str(text or ""))
    shown = cleaned.text or fallback
    if cleaned.suspicious:
        removed = list(cleaned.removed)
        facts[SUSPICIOUS_TEXT].append(_flag(field, removed))
        facts[SUSPICIOUS_RECORDS].append({"model": model, "id": record_id, "field": field, "name": shown,
                                          "removed": removed})
    return shown


def in_words(items: list[str]) -> str:
    """["a link", "a phone number", "an email address"] → "a link, a phone number and an email address"."""
    items = [str(item) for item in items]
    return " and ".join(items) if len(items) < 3 else f"{', '.join(items[:-1])} and {items[-1]}"
