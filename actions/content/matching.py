"""The word lists matched against a text whatever its case, accents or look-alike letters.

A text is folded once — lower case, accents dropped, Cyrillic and Greek letters that pass for
Latin ones read as the letters they imitate, typographic apostrophes and hyphens made plain —
and every folded character remembers where it came from, so a match is reported in the text's
own spelling ("Überweisung", not "uberweisung").
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from . import vocabulary

#: Capitals that pass for Latin ones, read before lower-casing (Greek "Η" looks like H, its
#: lower case "η" like n).
_CAPITAL_LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТУХІЈЅ" "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "ABEKMHOPCTYXIJS" "ABEZHIKMNOPTYX",
)
_SMALL_LOOKALIKES = str.maketrans({
    **dict(zip("аеорсухіјѕһԁԛԝвкмнт", "aeopcyxijshdqwbkmht")),
    **dict(zip("οαιενρτυκχη", "oaievptukxn")),
    **{quote: "'" for quote in "’‘ʼ`´′"},
    **{dash: "-" for dash in "‐‑"},
})
#: Categories of characters nobody sees: control, format (zero-width, bidi), private use,
#: surrogates, unassigned, line and paragraph separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
#: Letters and marks that draw nothing although their category says otherwise.
_BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800")
#: A word spelled out letter by letter: "I B A N", "b.i.t.c.o.i.n".
_SPELLED_OUT = re.compile(r"(?<!\w)(?:[^\W\d_][ .\-_*·]{1,2}){2,}[^\W\d_](?!\w)")


def join_spelled_out(text: str) -> str:
    """`text` with words spelled out letter by letter written whole again ("I B A N" → "IBAN")."""
    return _SPELLED_OUT.sub(lambda match: "".join(char for char in match.group() if char.isalpha()), text)


def is_invisible(char: str) -> bool:
    return unicodedata.category(char) in _INVISIBLE_CATEGORIES or char in _BLANK_LETTERS


def _fold_char(char: str, keep_accents: bool) -> str:
    folded = char.translate(_CAPITAL_LOOKALIKES).casefold()
    if not keep_accents:
        folded = "".join(part for part in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(part))
    return folded.translate(_SMALL_LOOKALIKES)


@dataclass(frozen=True)
class Folded:
    text: str
    #: For each character of `text`, the index of the source character it comes from.
    origins: tuple[int, ...]


def fold(source: str, *, keep_accents: bool = False) -> Folded:
    chars, origins = [], []
    for index, char in enumerate(source):
        folded = _fold_char(char, keep_accents)
        chars.append(folded)
        origins.extend([index] * len(folded))
    return Folded("".join(chars), tuple(origins))


@dataclass(frozen=True)
class Hit:
    """A match, in the coordinates and spelling of the source text."""

    start: int
    end: int
    text: str


# ---------------------------------------------------------------------------------------------
# Entries → regular expressions (the entry syntax is described in vocabulary.py)

_PIECES = {" ": r"[\s\-]+", "-": r"[\s\-]?", "'": r"'\s*"}


def _entry_regex(entry: str, keep_accents: bool) -> str:
    words = " ".join(entry.strip("*").split())
    body = "".join(_PIECES.get(char, re.escape(char)) for char in fold(words, keep_accents=keep_accents).text)
    head = r"(?<!\w)\w*" if entry.startswith("*") else r"(?<!\w)"
    tail = r"\w*" if entry.endswith("*") else r"(?!\w)"
    return head + body + tail


def _compile(entries: list[str], keep_accents: bool) -> re.Pattern | None:
    if not entries:
        return None
    ordered = sorted(set(entries), key=lambda entry: (-len(entry), entry))
    return re.compile("|".join(_entry_regex(entry, keep_accents) for entry in ordered))


def _entries(classes: tuple[Mapping[str, tuple[str, ...]], ...]) -> list[str]:
    return [entry for words in classes for entries in words.values() for entry in entries]


_HARMLESS = {keep_accents: _compile(_entries((vocabulary.HARMLESS_PHRASES,)), keep_accents=keep_accents)
             for keep_accents in (False, True)}


def _blanked_harmless(source: str, keep_accents: bool) -> Folded:
    """`source` folded, its harmless phrases turned into spaces of the same length so that no
    class can match inside them."""
    folded = fold(source, keep_accents=keep_accents)
    blanked = _HARMLESS[keep_accents].sub(lambda match: " " * len(match.group()), folded.text)
    return Folded(blanked, folded.origins)


class Text:
    """A text ready for the word lists: the source and its two foldings (with and without
    accents), harmless phrases blanked in both."""

    def __init__(self, source: str):
        self.source = source
        self.loose = _blanked_harmless(source, keep_accents=False)
        self.exact = _blanked_harmless(source, keep_accents=True)


class Terms:
    """One or more classes of the vocabulary (each a mapping of language to entries), matched
    together."""

    def __init__(self, *classes: Mapping[str, tuple[str, ...]]):
        entries = _entries(classes)
        self._loose = _compile([entry for entry in entries if not entry.startswith("=")], keep_accents=False)
        self._exact = _compile([entry[1:] for entry in entries if entry.startswith("=")], keep_accents=True)

    def hits(self, text: Text | str) -> list[Hit]:
        """Every match, by position; matches that overlap an earlier one are left out."""
        text = text if isinstance(text, Text) else Text(text)
        found = []
        for pattern, folded in ((self._loose, text.loose), (self._exact, text.exact)):
            if pattern is None:
                continue
            for match in pattern.finditer(folded.text):
                if match.end() > match.start():
                    start, end = folded.origins[match.start()], folded.origins[match.end() - 1] + 1
                    found.append(Hit(start, end, text.source[start:end]))
        kept = []
        for hit in sorted(found, key=lambda hit: (hit.start, -hit.end)):
            if not kept or hit.start >= kept[-1].end:
                kept.append(hit)
        return kept

    def found_in(self, text: Text | str) -> bool:
        return bool(self.hits(text))
