"""Claims a text makes that the facts do not support (their words are in vocabulary.py).

Most classes are refused wherever their words appear. Two need more care: "paid" is a claim
only while an amount is open and only when it is stated — "if you have already paid, thank
you" and "not yet paid" are not claims; and "the bank details changed" is a change word and an
account word close together in one clause.
"""

import re

from . import vocabulary as words
from .matching import Hit, Terms, Text

CANCELLED = "it says the invoice is cancelled"
WAIVED = "it says the invoice was waived or written off"
NOTHING_OWED = "it says nothing is owed"
DISCOUNT = "it offers a discount"
FREE = "it says it is free"
PAYMENT_PLAN = "it proposes a payment plan"
LEGAL = "it threatens legal action"
COLLECTION = "it speaks of collection or formal notice"
BANK_CHANGED = "it says the bank details changed"
OTHER_PAYMENT_METHOD = "it suggests another payment method"
DEADLINE = "it sets a deadline"

#: Refused wherever their words appear (collection only where escalation is not allowed).
_PLAIN = {
    CANCELLED: Terms(words.CANCELLED),
    WAIVED: Terms(words.WAIVED),
    DISCOUNT: Terms(words.DISCOUNT),
    FREE: Terms(words.FREE),
    PAYMENT_PLAN: Terms(words.PAYMENT_PLAN),
    LEGAL: Terms(words.LEGAL),
    COLLECTION: Terms(words.COLLECTION),
    OTHER_PAYMENT_METHOD: Terms(words.PAYMENT_METHODS),
    DEADLINE: Terms(words.DEADLINES),
}
_NOTHING_OWED = Terms(words.NOTHING_OWED)
_CONDITIONALS = Terms(words.CONDITIONALS)
_NEGATIONS = Terms(words.NEGATIONS)
_CHANGES = Terms(words.CHANGE_WORDS)
_ACCOUNTS = Terms(words.ACCOUNT_WORDS)
#: The order reasons are given in.
ORDER = (CANCELLED, WAIVED, NOTHING_OWED, DISCOUNT, FREE, PAYMENT_PLAN, LEGAL, COLLECTION, BANK_CHANGED,
         OTHER_PAYMENT_METHOD, DEADLINE)

_SENTENCE_BREAK = re.compile(r"[.!?;\n]")
_CLAUSE_BREAK = re.compile(r"[.!?;\n,:–—()\"«»]")
#: How many words before a "paid" word may deny it, and how far apart a change and an account
#: word may stand.
_NEGATION_REACH = 4
_CHANGE_REACH = 4


def problems(text: Text, *, amount_open: bool, allows_escalation: bool) -> list[str]:
    found = {reason for reason, terms in _PLAIN.items() if terms.found_in(text)}
    if allows_escalation:
        found.discard(COLLECTION)
    if amount_open and _states_nothing_owed(text):
        found.add(NOTHING_OWED)
    if _says_bank_changed(text):
        found.add(BANK_CHANGED)
    return [reason for reason in ORDER if reason in found]


def _states_nothing_owed(text: Text) -> bool:
    owed = _NOTHING_OWED.hits(text)
    conditionals = _CONDITIONALS.hits(text)
    return any(_is_stated(text.source, hit, owed, conditionals) for hit in owed)


def _is_stated(source: str, hit: Hit, owed: list[Hit], conditionals: list[Hit]) -> bool:
    """Whether `hit` is said as a fact: not asked ("already paid?"), not denied just before it,
    not inside a condition, and not the consequence of a condition about paying ("if you have
    already paid, no action is needed")."""
    sentence_end = _SENTENCE_BREAK.search(source, hit.end)
    if sentence_end and sentence_end.group() == "?":
        return False
    clause = source[_last_break(_CLAUSE_BREAK, source, hit.start):hit.start]
    if _NEGATIONS.found_in(" ".join(re.findall(r"[\w']+", clause)[-_NEGATION_REACH:])):
        return False
    sentence_start = _last_break(_SENTENCE_BREAK, source, hit.start)
    markers = [marker for marker in conditionals if sentence_start <= marker.start and marker.end <= hit.start]
    if not markers:
        return True
    marker = markers[-1]
    clause_break = _CLAUSE_BREAK.search(source, marker.end, hit.start)
    if clause_break is None:
        return False
    return not any(marker.end <= other.start and other.end <= clause_break.start() for other in owed)


def _last_break(pattern: re.Pattern, source: str, before: int) -> int:
    starts = [match.end() for match in pattern.finditer(source, 0, before)]
    return starts[-1] if starts else 0


def _says_bank_changed(text: Text) -> bool:
    changes, accounts = _CHANGES.hits(text), _ACCOUNTS.hits(text)
    for change in changes:
        for account in accounts:
            gap = text.source[min(change.end, account.end):max(change.start, account.start)]
            if not _CLAUSE_BREAK.search(gap) and len(re.findall(r"\w+", gap)) <= _CHANGE_REACH:
                return True
    return False
