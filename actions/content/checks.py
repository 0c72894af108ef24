"""The checks behind `actions.content` (interface first; the vocabulary lives in vocabulary.py)."""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from . import claims, patterns, vocabulary
from .matching import Terms, Text, fold, is_invisible, join_spelled_out


@dataclass(frozen=True)
class ClaimFacts:
    """What the structured facts support, for the claims check."""

    #: An amount is still open on the invoice (so "paid", "settled", "nothing to pay" are false).
    amount_open: bool = True
    #: The message's level allows speaking of escalation (formal notice, collection): only the
    #: firm reminder level does; legal threats are never allowed.
    allows_escalation: bool = False


@dataclass(frozen=True)
class Neutralised:
    text: str
    #: What was taken out, in words ("an email address", "a link", "a bank account number", "a
    #: phone number", "a long number", "payment instructions", "invisible or control
    #: characters"), each once; empty when nothing was.
    removed: tuple[str, ...] = field(default_factory=tuple)

    @property
    def suspicious(self) -> bool:
        return bool(self.removed)


def normalise(text: str) -> str:
    """NFKC: look-alike full-width letters and digits become the plain ones they imitate."""
    return unicodedata.normalize("NFKC", text or "")


def slot_problems(text: str) -> list[str]:
    """Why `text` may not stand in a prose slot: digits, email addresses (also spelled with
    [at]/[dot]), links and domain-like tokens (with or without a scheme, markdown, hxxp),
    phone numbers, bank or payment vocabulary, format, control or bidi characters, look-alike
    letters from another script. Judged after NFKC. Empty when the slot may be used."""
    source = normalise(text)
    problems = []
    if any(is_invisible(char) and char != "\n" for char in source):
        problems.append(_INVISIBLE_IN_SLOT)
    visible = join_spelled_out(_visible(source))
    found = patterns.find(visible)
    problems += [_SLOT_REASONS[item.kind] for item in found]
    rest = _blanked(visible, [(item.start, item.end) for item in found])
    if "@" in rest:
        problems.append(_SLOT_REASONS[patterns.EMAIL])
    if any(char.isnumeric() or char in "%‰‱" for char in rest):
        problems.append(_NUMBER_IN_SLOT)
    prepared = Text(rest)
    if hits := _NUMBER_WORDS.hits(prepared):
        problems.append(f"it contains a number written in words ({_listed(hits)})")
    if hits := _PAYMENT_WORDS.hits(prepared):
        problems.append(f"it mentions bank or payment details ({_listed(hits)})")
    if _mixes_alphabets(visible):
        problems.append("it mixes letters from another alphabet (look-alikes)")
    return list(dict.fromkeys(problems))


@lru_cache(maxsize=4096)
def neutralise(text: str) -> Neutralised:
    """Odoo free text fit to print in a message: addresses, links, domain-like tokens, long digit
    runs, account-like tokens (IBAN), phone numbers and control/format characters removed;
    white space folded. Remembered per text (the answer is immutable): an analysis meets the
    same customer name on every one of its invoices."""
    source = normalise(text)
    removed = {INVISIBLE} if _TERMINAL_ESCAPE.search(source) else set()
    source = _TERMINAL_ESCAPE.sub(" ", source)
    removed |= {INVISIBLE} if any(is_invisible(char) and not char.isspace() for char in source) else set()
    clean = "".join(" " if char.isspace() else char for char in _visible(source))
    spans = [(item.start, item.end, item.kind) for item in patterns.find(clean)]
    # Payment instructions planted in a name: the phrase and everything after it go.
    if planted := _PLANTED_INSTRUCTIONS.hits(_blanked(clean, spans)):
        spans.append((planted[0].start, len(clean), PAYMENT_INSTRUCTIONS))
    spans += _planted_tail(clean, spans)
    removed |= {kind for *_, kind in spans}
    cleaned = _cut(clean, spans) if spans else " ".join(clean.split())
    return Neutralised(cleaned, tuple(kind for kind in _REMOVED_ORDER if kind in removed))


def _planted_tail(text: str, spans) -> list[tuple[int, int, str]]:
    """A name is what comes before its first separator ("Dubois & Fils SA", "Studio 54"); a part
    after one that holds a number (an address, an amount) or a claim ("invoice cancelled") is
    something planted for a reader: everything after the name goes. A claim in the name itself
    takes the whole name (the caller prints a reference instead)."""
    blanked = _blanked(text, spans)
    separators = list(_NAME_SEPARATOR.finditer(blanked))
    bounds = [(0, 0), *((match.start(), match.end()) for match in separators)]
    ends = [start for start, _ in bounds[1:]] + [len(blanked)]
    name_ends = bounds[1][0] if separators else len(text)  # all that follows the name goes at once
    for (cut_at, begins), ends_at in zip(bounds, ends):
        part = blanked[begins:ends_at]
        if claims.problems(Text(part), amount_open=True, allows_escalation=False):
            return [(0 if not cut_at else name_ends, len(text), CLAIM)]
        if cut_at and any(char.isdigit() for char in part):
            return [(name_ends, len(text), ADDRESS_OR_NUMBERS)]
    return []


def claim_problems(text: str, facts: ClaimFacts) -> list[str]:
    """Claims `text` makes that `facts` do not support, in English, French, German, Dutch and
    Spanish: cancellation, waiver, write-off, paid or settled while an amount is open,
    discounts, free, instalments or payment plans, legal or collection threats (collection and
    formal notice only where `facts.allows_escalation`), changed bank details, other payment
    methods, invented deadlines and dates. Meant for prose: the facts written by code (a due
    date, the payment instructions) are not claims to check."""
    return claims.problems(Text(join_spelled_out(_visible(normalise(text)))), amount_open=facts.amount_open,
                           allows_escalation=facts.allows_escalation)


def added_details(before: str, after: str) -> list[str]:
    """What `after` brings in that `before` did not have: numbers, links, email addresses,
    phone numbers, bank details (words for a warning, e.g. "a new number: 500"). Numbers are
    compared by value, whichever of "," and "." separates thousands (1,000.00 is 1.000,00)."""
    old = list(_details(before))
    old_keys = {(kind, key) for kind, key, _ in old if kind != _NUMBER}
    old_values = {value for kind, key, _ in old if kind == _NUMBER for value in key}
    added = {}
    for kind, key, shown in _details(after):
        new = not key & old_values if kind == _NUMBER else (kind, key) not in old_keys
        if new:
            added.setdefault(f"{_NEW[kind]}: {shown}")
    return list(added)


# ---------------------------------------------------------------------------------------------
# Slots

_INVISIBLE_IN_SLOT = "it contains invisible or control characters"
_NUMBER_IN_SLOT = "it contains a number"
_SLOT_REASONS = {
    patterns.EMAIL: "it contains an email address",
    patterns.LINK: "it contains a link",
    patterns.PHONE: "it contains a phone number",
    patterns.BANK_ACCOUNT: "it contains a bank account number",
    patterns.LONG_NUMBER: _NUMBER_IN_SLOT,
}
_NUMBER_WORDS = Terms(vocabulary.NUMBER_WORDS)
_PAYMENT_WORDS = Terms(vocabulary.BANK_DETAILS, vocabulary.PAYMENT_METHODS)


def _visible(text: str) -> str:
    """`text` without the characters nobody sees (white space stays)."""
    return "".join(char for char in text if char.isspace() or not is_invisible(char))


def _blanked(text: str, spans) -> str:
    """`text` with each (start, end, ...) span replaced by spaces: what was found once is not
    found again, and positions stay."""
    chars = list(text)
    for start, end, *_ in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _listed(hits) -> str:
    return ", ".join(dict.fromkeys(hit.text for hit in hits))


def _mixes_alphabets(text: str) -> bool:
    """A word with Latin letters and letters of another alphabet: "pаy" with a Cyrillic "а"."""
    for word in re.findall(r"[^\W\d_]+", text):
        alphabets = {unicodedata.name(char, "").partition(" ")[0] for char in word if char.isalpha()}
        if "LATIN" in alphabets and alphabets - {"LATIN", "MODIFIER"}:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Names

INVISIBLE = "invisible or control characters"
PAYMENT_INSTRUCTIONS = "payment instructions"
ADDRESS_OR_NUMBERS = "an address or numbers"
CLAIM = "a claim about the invoice"
_REMOVED_ORDER = (patterns.EMAIL, patterns.LINK, patterns.BANK_ACCOUNT, patterns.PHONE, patterns.LONG_NUMBER,
                  PAYMENT_INSTRUCTIONS, ADDRESS_OR_NUMBERS, CLAIM, INVISIBLE)
#: Where a name ends and whatever was added to it begins: a comma, a semicolon, a colon, an
#: opening bracket, or a dash or slash between spaces.
_NAME_SEPARATOR = re.compile(r"\s*[,;:(\[]\s*|\s+[-–—/|·•]+\s+")
#: Terminal escape sequences (ESC [ … m and the one-character CSI): their visible tail ("[31m")
#: would otherwise stay once the escape character itself is gone.
_TERMINAL_ESCAPE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]")
_PLANTED_INSTRUCTIONS = Terms(vocabulary.PAYMENT_INSTRUCTIONS, vocabulary.BANK_DETAILS, vocabulary.PAYMENT_METHODS)
_CUT = "\x00"
_SEPARATORS = r"\s,;:/|·•\-–—"
_STRAY = " ,;:/|·•-–—"
#: A cut with the separators around it ("ACME — <cut>", "Müller (<cut>) GmbH").
_AROUND_CUT = re.compile(rf"[{_SEPARATORS}(\[{{<]*{_CUT}+(?:[{_SEPARATORS}()\[\]{{}}<>]*{_CUT}+)*"
                         rf"[{_SEPARATORS})\]}}>.!?]*")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]|\{\s*\}")
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _cut(text: str, spans) -> str:
    """`text` without the spans, tidied: no separator or bracket left dangling."""
    chars = list(text)
    for start, end, _ in spans:
        chars[start:end] = _CUT * (end - start)
    tidied = _EMPTY_BRACKETS.sub(" ", _AROUND_CUT.sub(" ", "".join(chars)))
    return " ".join(_balanced(tidied).split()).strip(_STRAY)


def _balanced(text: str) -> str:
    """`text` without brackets that lost their partner to a cut."""
    unmatched, open_at = set(), []
    for index, char in enumerate(text):
        if char in "([{":
            open_at.append(index)
        elif char in _PAIRS:
            if open_at and text[open_at[-1]] == _PAIRS[char]:
                open_at.pop()
            else:
                unmatched.add(index)
    unmatched.update(open_at)
    return "".join(char for index, char in enumerate(text) if index not in unmatched)


# ---------------------------------------------------------------------------------------------
# Edits

_NUMBER, _PAYMENT = "number", "payment words"
_NEW = {
    patterns.EMAIL: "a new email address",
    patterns.LINK: "a new link",
    patterns.PHONE: "a new phone number",
    patterns.BANK_ACCOUNT: "a new bank account number",
    _PAYMENT: "new bank or payment details",
    _NUMBER: "a new number",
}
_NUMBER_TOKEN = re.compile(r"\d+(?:[.,]\d+)*")


def _details(text: str):
    """(kind, key, as written) for each detail of `text`, by position; the key compares."""
    source = _visible(normalise(text))
    found = [item for item in patterns.find(source) if item.kind != patterns.LONG_NUMBER]
    details = [(item.start, item.kind, _key(item), item.text) for item in found]
    rest = _blanked(source, [(item.start, item.end) for item in found])
    details += [(match.start(), _NUMBER, _values(match.group()), match.group())
                for match in _NUMBER_TOKEN.finditer(rest)]
    details += [(hit.start, _PAYMENT, " ".join(fold(hit.text).text.split()), hit.text)
                for hit in _PAYMENT_WORDS.hits(rest)]
    return [detail[1:] for detail in sorted(details, key=lambda detail: detail[0])]


def _key(item: patterns.Found) -> str:
    text = item.text.lower()
    if item.kind == patterns.LINK:
        return re.sub(r"^www\.", "", re.sub(r"^[a-z]+\s?:\s?(//)?", "", text)).rstrip("/")
    if item.kind == patterns.PHONE:
        return "".join(char for char in text if char.isdigit())
    return re.sub(r"[\s\-]", "", text)


def _values(token: str) -> frozenset[Decimal]:
    values = set()
    for thousands, decimal in ((",", "."), (".", ",")):
        try:
            values.add(Decimal(token.replace(thousands, "").replace(decimal, ".")))
        except InvalidOperation:
            continue
    return frozenset(values)
