"""Email addresses, links, bank account numbers, phone numbers and long numbers in a text.

Written to catch them however they are disguised: addresses spelled "name [at] example [dot]
com" or "name at example dot com", links without a scheme ("example.org/pay"), defanged
("hxxps://example[.]org"), in markdown or between angle brackets, account numbers with or
without spaces. A text is expected in NFKC (full-width "＠" and "．" already plain).
"""

import re
from dataclasses import dataclass

from . import vocabulary

EMAIL = "an email address"
LINK = "a link"
BANK_ACCOUNT = "a bank account number"
PHONE = "a phone number"
LONG_NUMBER = "a long number"


@dataclass(frozen=True)
class Found:
    kind: str
    start: int
    end: int
    text: str


def _alternatives(words) -> str:
    return "|".join(sorted({re.escape(word) for word in words}, key=len, reverse=True))


_AT_WORDS = _alternatives(word for words in vocabulary.AT_WORDS.values() for word in words)
_DOT_WORDS = _alternatives(word for words in vocabulary.DOT_WORDS.values() for word in words)
_OPEN, _CLOSE = r"[\[\(\{<]", r"[\]\)\}>]"
#: "@" or "." written out inside brackets: "[at]", "(dot)", "{.}".
_AT = rf"(?:\s?@\s?|\s?{_OPEN}\s?(?:@|{_AT_WORDS})\s?{_CLOSE}\s?)"
_DOT = rf"(?:[.\u3002]|\s?{_OPEN}\s?(?:\.|{_DOT_WORDS})\s?{_CLOSE}\s?)"
_LABEL = r"[^\W_](?:[\w\-]{0,61}[^\W_])?"
_TLD = r"[^\W\d_]{2,63}"
#: Ten labels at most before the ending keep the search linear (a longer host is still found,
#: from a later label); the host must end there, not go on with another label.
_HOST = rf"{_LABEL}(?:{_DOT}{_LABEL}){{0,10}}{_DOT}{_TLD}(?![\w\-])(?!{_DOT}[^\W_])"
#: In an address a dot may also stand between spaces: "name @ example . com".
_EMAIL_DOT = rf"(?:{_DOT}|\s[.\u3002]\s)"
_PATH = r"(?::\d{1,5})?(?:[/?#][^\s<>\"]*)?"
_URL_TAIL = r"[^\s<>\"]"

_EMAILS = [
    re.compile(rf"(?<![\w.+\-])[\w.+\-]+{_AT}{_LABEL}(?:{_EMAIL_DOT}{_LABEL}){{0,10}}{_EMAIL_DOT}{_TLD}(?!\w)",
               re.IGNORECASE),
    # Spoken, in one language at a time: "at … dot" in English, "arobase … point" in French.
    *(re.compile(rf"(?<![\w.+\-])[\w.+\-]+\s+(?:{_alternatives(ats)})\s+{_LABEL}"
                 rf"(?:\s+(?:{_alternatives(vocabulary.DOT_WORDS[language])})\s+{_LABEL}){{0,10}}"
                 rf"\s+(?:{_alternatives(vocabulary.DOT_WORDS[language])})\s+{_TLD}(?!\w)", re.IGNORECASE)
      for language, ats in vocabulary.AT_WORDS.items()),
]
_MARKUP = [
    re.compile(r"\[[^\]\n]*\]\([^)\n]*\)"),  # markdown
    re.compile(r"<[^<>\n]*>"),  # autolinks and markup
]
_URLS = [
    re.compile(rf"(?<!\w)(?:h[tx]{{2}}ps?|s?ftp|wss?)\s?(?::|\[:\]|\(:\))\s?//{_URL_TAIL}*", re.IGNORECASE),
    re.compile(rf"(?<!\w)(?:mailto|javascript|data|tel|sms|file|whatsapp):{_URL_TAIL}+", re.IGNORECASE),
    re.compile(rf"(?<![\w.])www\d{{0,3}}{_DOT}{_URL_TAIL}+", re.IGNORECASE),
    re.compile(rf"(?<![\d.])\d{{1,3}}(?:\.\d{{1,3}}){{3}}(?![\d.]){_PATH}"),  # IP address
    # "example .com", "example. com", "example,com": only before endings that are no word.
    re.compile(rf"(?<!\w){_LABEL}(?:\s[.,]\s?|[.,]\s|,)(?:com|org|biz|io|xyz|ru|cn)(?!\w)", re.IGNORECASE),
    # "example dot com": spoken in English, only before a common ending ("the dot is" stays prose).
    re.compile(rf"(?<!\w){_LABEL}\s+dot\s+(?:com|net|org|info|biz|io|co|eu|uk|de|fr|nl|be|es|ch|us|app|xyz)(?!\w)",
               re.IGNORECASE),
]
#: A host name without a scheme: "example.org/pay", "pay.evil-site.com".
_HOST_LINK = re.compile(rf"(?<![\w@\-]){_HOST}{_PATH}", re.IGNORECASE)
#: Endings that make a host of initials a link after all ("J.P.Morgan" and "e.on" are names).
_COMMON_ENDINGS = frozenset("com net org info biz io co me app dev xyz ly to tv cc gg ai eu uk us".split())
#: Two letters, two digits, then the account: compact, or in groups with spaces or hyphens.
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]){10,30}(?![A-Za-z0-9])")
_NUMBER_RUN = re.compile(r"(?:\+|\(\+?)?\d(?:[ .\-/()]{0,2}\d)*")
_DATE = re.compile(r"\d{1,4}([./\-])\d{1,2}\1\d{1,4}")
_NORTH_AMERICAN = re.compile(r"\(?\d{3}\)?[ .\-]?\d{3}[ .\-]\d{4}")


def _emails(text: str):
    for pattern in _EMAILS:
        for match in pattern.finditer(text):
            yield match.start(), match.end()


def _links(text: str):
    for pattern in _MARKUP:
        for match in pattern.finditer(text):
            yield match.start(), match.end()
    for pattern in (*_URLS, _HOST_LINK):
        for match in pattern.finditer(text):
            found = match.group().rstrip(".,;:!?)'\"")
            if pattern is not _HOST_LINK or not _is_initials(found):
                yield match.start(), match.start() + len(found)


def _is_initials(host: str) -> bool:
    labels = re.split(_DOT, re.split(r"[/?#:]", host, maxsplit=1)[0], flags=re.IGNORECASE)
    return all(len(label) == 1 for label in labels[:-1]) and labels[-1].lower() not in _COMMON_ENDINGS


def _accounts(text: str):
    for match in _IBAN.finditer(text):
        found = match.group()
        while re.search(r"[ \-][A-Z]+$", found):  # a capitalised word after the number is not part of it
            found = re.sub(r"[ \-][A-Z]+$", "", found)
        account = re.sub(r"[ \-]", "", found)
        if 14 <= len(account) <= 34 and sum(char.isdigit() for char in account[4:]) >= 8:
            yield match.start(), match.start() + len(found)


def _numbers(text: str):
    """Phone numbers and long numbers (five digits or more), each with its kind."""
    for match in _NUMBER_RUN.finditer(text):
        found = match.group().rstrip(" .-/(")
        digits = sum(char.isdigit() for char in found)
        looks_dialled = found[0] in "+(0" or _NORTH_AMERICAN.fullmatch(found)
        attached = match.start() and text[match.start() - 1].isalnum()  # "BE0123.456.789" is no phone
        if 7 <= digits <= 15 and looks_dialled and not attached and not _DATE.fullmatch(found):
            yield PHONE, match.start(), match.start() + len(found)
        elif digits >= 5:
            start, end = match.start(), match.start() + len(found)
            while start and text[start - 1].isalnum():  # "REF12345" goes whole
                start -= 1
            while end < len(text) and text[end].isalnum():
                end += 1
            yield LONG_NUMBER, start, end


def find(text: str) -> list[Found]:
    """Everything of the kinds above in `text`, by position; where two overlap, the one listed
    first wins (an address's digits are not a phone number)."""
    candidates = [
        *((EMAIL, start, end) for start, end in _emails(text)),
        *((LINK, start, end) for start, end in _links(text)),
        *((BANK_ACCOUNT, start, end) for start, end in _accounts(text)),
        *_numbers(text),
    ]
    kept: list[Found] = []
    for kind, start, end in candidates:
        if end > start and not any(start < other.end and other.start < end for other in kept):
            kept.append(Found(kind, start, end, text[start:end]))
    return sorted(kept, key=lambda found: found.start)
