"""The assistant's command language, read by rules rather than a language model: the same words
on the same day always give the same command, and what is not understood is said so, with
examples, instead of guessed.

`parse(text, today=...)` returns a `Command` (a tool name and typed arguments) or raises
`NotUnderstood`; `normalised(command)` is the canonical string idempotency keys are built from.
Keywords are case-insensitive, free text keeps its case; extra spaces, a leading "please" and a
trailing period are ignored.

Rules that settle ambiguous wording (each one pinned by a test):

* `create task`: the clauses ` due <date>`, ` for <name>` and ` on deal|invoice|project <ref>`
  are read only at the end of the text, peeled off from the right one at a time, each kind once,
  and only while some title is left before them; what remains is the title. So
  "create task: call for pricing for Bob" is the task "call for pricing" for Bob.
* A ` for ` clause (the assignee, or an expense's employee) is taken only when 1-3 words follow,
  none of them due/for/on, the first not an article or possessive (the, a, my, our...), and the
  words are not a date. "create task: call for pricing" is therefore the task "call" for
  "pricing", while "prepare slides for the board" stays one title. Double quotes make a title,
  reference or description literal: create task: "call for pricing" due friday.
* A clause whose words have the shape of an impossible date (due 31/02/2026) is an error, never
  text.
* `expense`: the first " for " starts the description; a later trailing "for <name>" is the
  employee, which covers "... on <date> for Bob" and "... for taxi for Bob", so
  "expense 30 EUR for dinner for two" books dinner for an employee "two" - quote the description
  to keep it whole. Amounts: see assistant/money.py.
* `remind` and `draft email`: the partner is what comes before the first " about ".
* `note`: the reference runs to the first colon (quote it if it holds one); only a note's text
  may span lines, and it keeps its trailing period.
* `call`: a trailing ` on <date>`; today, tomorrow, next week, next <weekday> and in N days are
  also read without "on".
* The trailing period is dropped, so "summarize partner Acme Inc." reads
  "Acme Inc"; quote the name to keep it.
* Control and invisible format characters (bidi overrides such as U+202E, zero-width spaces)
  are refused anywhere; a tab counts as a space and the zero-width joiner is kept, for emoji.
  Names of people and partners take letters, marks, digits, spaces and & ' . , - ( ) / + @ _ #
  only; titles, topics and references also take symbols such as emoji.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from assistant.dates import InvalidDate, parse_date
from assistant.money import InvalidAmount, parse_money

MAX_INPUT = 1000
MAX_TITLE = 200
MAX_NAME = 120
MAX_TEXT = 200

#: tool name -> one command it understands, as shown to people in "what I understand".
EXAMPLES: dict[str, str] = {
    "create_task": "create task: Call Acme about the renewal due friday for alice",
    "remind": "remind Acme Corp about INV/2026/00012",
    "draft_email": "draft email to Acme Corp about the delayed delivery",
    "note": "note on deal Office Chairs: called them, they want a new quote",
    "call": "call Acme Corp on friday",
    "summarize": "summarize invoice INV/2026/00012",
    "expense": "expense 42.50 EUR for lunch with Acme on 2026-03-02",
    "health_check": "health check",
}
TOOLS: tuple[str, ...] = tuple(EXAMPLES)


@dataclass(frozen=True)
class Command:
    tool: str
    args: dict
    text: str


class NotUnderstood(ValueError):
    """The text is not a command; `message` says why in plain words, `suggestions` are commands
    that would work (every example when nothing was recognised)."""

    def __init__(self, message: str, suggestions: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.suggestions = list(EXAMPLES.values()) if suggestions is None else list(suggestions)


def _fail(tool: str, message: str):
    raise NotUnderstood(message, [EXAMPLES[tool]])


# ---- the text as a whole ---------------------------------------------------------------------

_LINE_BREAKS = str.maketrans({"\r": "\n", "\u0085": "\n", "\u2028": "\n", "\u2029": "\n", "\t": " "})
_ZERO_WIDTH_JOINER = "\u200d"
_PLEASE = re.compile(r"^please\b[ ,]*", re.I)


def _clean(text) -> str:
    """One text with `\\n` line breaks, no control characters, NFC, spaces collapsed per line."""
    if not isinstance(text, str):
        raise NotUnderstood("Please type a command.")
    if len(text) > MAX_INPUT:
        raise NotUnderstood(f"That is too long: a command can have at most {MAX_INPUT} characters.")
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    for char in text:
        category = unicodedata.category(char)
        if char != "\n" and (category in ("Cc", "Cs") or (category == "Cf" and char != _ZERO_WIDTH_JOINER)):
            raise NotUnderstood(
                f"The text holds an invisible control character (U+{ord(char):04X}). Please type it again without it."
            )
    text = unicodedata.normalize("NFC", text)
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- values ----------------------------------------------------------------------------------

_NAME_PUNCTUATION = set(" &'’.,-()/+@_#")
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_CLAUSE_WORDS = {"due", "for", "on"}
_NOT_A_NAME_START = {
    "the", "a", "an", "my", "our", "your", "their", "his", "her", "its", "this", "that", "these",
    "those", "each", "every", "all", "some", "any", "next", "both",
}


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] in "\"“" and value[-1] in "\"”":
        return value[1:-1].strip()
    return value


def _has_substance(value: str) -> bool:
    return any(unicodedata.category(char)[0] in "LNS" for char in value)


def _is_name(value: str) -> bool:
    return (
        any(unicodedata.category(char)[0] in "LN" for char in value)
        and not _VARIATION_SELECTORS.search(value)
        and all(unicodedata.category(char)[0] in "LMN" or char in _NAME_PUNCTUATION for char in value)
    )


def _name(tool: str, what: str, value: str) -> str:
    value = _unquote(value)
    if not value:
        _fail(tool, f"Please say which {what}.")
    if len(value) > MAX_NAME:
        _fail(tool, f"The {what} is too long: at most {MAX_NAME} characters.")
    if not _is_name(value):
        _fail(tool, f"“{_short(value)}” does not look like a {what}: use letters, digits, spaces and & ' . , - only.")
    return value


def _free(tool: str, what: str, value: str, limit: int = MAX_TEXT, *, unquote: bool = True) -> str:
    value = _unquote(value) if unquote else value.strip()
    if not _has_substance(value):
        _fail(tool, f"Please say what the {what} is.")
    if len(value) > limit:
        _fail(tool, f"The {what} is too long: at most {limit} characters.")
    return value


def _clause_name(value: str, today: date) -> str | None:
    """`value` as the name of a trailing ` for ` clause, or None when it reads as something else."""
    words = value.split()
    if not 1 <= len(words) <= 3 or words[0].lower() in _NOT_A_NAME_START:
        return None
    if any(word.lower() in _CLAUSE_WORDS for word in words) or not _is_name(value):
        return None
    try:
        if parse_date(value, today) is not None:
            return None
    except InvalidDate:
        return None
    return value


# ---- trailing clauses ------------------------------------------------------------------------


def _clause(keyword: str, read):
    """A reader of the last ` <keyword> <value>` of a text: (keyword position, text before, value)."""
    pattern = re.compile(rf"^(?P<rest>.*)(?:^|\s)(?P<kw>{keyword})\s+(?P<value>\S.*)$", re.I)

    def reader(text: str, today: date):
        match = pattern.match(text)
        if match is None:
            return None
        value = read(match, today)
        return None if value is None else (match.start("kw"), match["rest"].strip(), value)

    return reader


def _date_value(match, today: date):
    try:
        return parse_date(match["value"], today)
    except InvalidDate as error:
        return NotUnderstood(str(error))  # raised only if this clause is the one taken


def _target_value(match, today: date):
    ref = _unquote(match["value"])
    if not _has_substance(ref) or len(ref) > MAX_TEXT:
        return None
    return match["kind"].lower(), ref


_DUE = _clause("due", _date_value)
_ON_DATE = _clause("on", _date_value)
_FOR = _clause("for", lambda match, today: _clause_name(match["value"], today))
_ON_TARGET = _clause(r"on\s+(?P<kind>deal|invoice|project)", _target_value)


def _peel(tool: str, text: str, today: date, readers: dict, *, keep_rest: bool) -> tuple[dict, str]:
    """Take clauses off the end of `text`, rightmost first, each kind once; with `keep_rest`
    a clause is taken only if some text is left before it. Returns (values by kind, the rest)."""
    found = {}
    while True:
        best = None
        for kind, reader in readers.items():
            hit = None if kind in found else reader(text, today)
            if hit and (hit[1] or not keep_rest) and (best is None or hit[0] > best[1][0]):
                best = (kind, hit)
        if best is None:
            return found, text
        kind, (_, text, value) = best
        if isinstance(value, NotUnderstood):
            _fail(tool, f"{value.message} Please give a date like 2026-12-15, 15 Dec or friday.")
        found[kind] = value


# ---- the tools -------------------------------------------------------------------------------

_HEALTH = re.compile(r"^(?:health ?check|check(?: the)? health|(?:system )?health|(?:system )?status)$", re.I)
_CREATE = re.compile(r"^(?:create|new|add|make)(?: a| new)? task\b *:? *(?P<rest>.*)$", re.I)
_QUOTED_HEAD = re.compile(r"^[\"“](?P<title>[^\"“”]*)[\"”](?P<rest>.*)$")
_REMIND = re.compile(r"^remind (?P<partner>.+?) about (?:(?:the|their) )?(?:invoice )?(?P<ref>.+)$", re.I)
_EMAIL = re.compile(
    r"^(?:(?:draft|write|compose)(?: an?)? e-?mail to|e-?mail(?: to)?) (?P<partner>.+?) about (?P<topic>.+)$", re.I
)
_NOTE = re.compile(
    r"^(?:note on|add (?:a )?note (?:to|on)) (?P<kind>deal|invoice|task) "
    r"(?:[\"“](?P<quoted>[^\"“”\n]+)[\"”]|(?P<ref>[^:\n]+?)) ?:(?P<body>.*)$",
    re.I | re.S,
)
_CALL = re.compile(r"^(?:call|phone|ring|schedule (?:a )?call with) (?P<rest>.+)$", re.I)
_BARE_DATE = re.compile(r"^(?P<rest>.+) (?P<when>today|tomorrow|next \S+|in \S+ (?:days?|weeks?))$", re.I)
_SUMMARY = re.compile(
    r"^(?:summari[sz]e|summary of|sum up)(?: the)? (?:(?P<kind>deal|invoice|task|partner|customer|client) )?(?P<ref>.+)$",
    re.I,
)
_INVOICE_REF = re.compile(r"^[A-Z][A-Z0-9.]*/\d{4}/\d+$", re.I)
_EXPENSE = re.compile(r"^(?:(?:add|log|record) (?:an )?)?expense (?P<money>.+?) for (?P<rest>.+)$", re.I)

#: tool -> (how its commands start, what to say when one does not go on like a command).
_HINTS = {
    "create_task": (r"^(?:create|new|add|make)(?: a| new)? task\b", "Please give the task a title."),
    "remind": (r"^remind\b", "Say who to remind about which invoice."),
    "draft_email": (r"^(?:(?:draft|write|compose)(?: an?)? )?e-?mail\b", "Say who the email is to and what it is about."),
    "note": (r"^(?:note\b|add (?:a )?note\b)", "Say the deal, invoice or task, then a colon and the note."),
    "call": (r"^(?:call|phone|ring|schedule (?:a )?call)\b", "Say who to call."),
    "summarize": (r"^(?:summari[sz]e|summary|sum up)\b", "Say what to summarise: a deal, invoice, task or partner."),
    "expense": (r"^(?:(?:add|log|record) (?:an )?)?expense\b", "Say the amount, the currency and what it was for."),
}


def _health_check(text, today):
    return {} if _HEALTH.match(text) else None


def _create_task(text, today):
    match = _CREATE.match(text)
    if match is None:
        return None
    readers = {"due": _DUE, "assignee": _FOR, "target": _ON_TARGET}
    quoted = _QUOTED_HEAD.match(match["rest"])
    clauses, left = ({}, "")
    if quoted:
        clauses, left = _peel("create_task", quoted["rest"].strip(), today, readers, keep_rest=False)
    if quoted and not left:  # a quoted title is literal; words after the quotes must be clauses
        title = _free("create_task", "title", quoted["title"], MAX_TITLE, unquote=False)
    else:
        clauses, left = _peel("create_task", match["rest"], today, readers, keep_rest=True)
        title = _free("create_task", "title", left, MAX_TITLE)
    target_kind, target_ref = clauses.get("target", (None, None))
    due, assignee = clauses.get("due"), clauses.get("assignee")
    return {"title": title, "due": due, "assignee": assignee, "target_kind": target_kind, "target_ref": target_ref}


def _remind(text, today):
    match = _REMIND.match(text)
    if match is None:
        return None
    ref = _free("remind", "invoice", match["ref"])
    if ref.lower() in ("invoice", "the invoice"):
        _fail("remind", "Please say which invoice, like INV/2026/00012.")
    return {"partner": _name("remind", "partner", match["partner"]), "invoice_ref": ref}


def _draft_email(text, today):
    match = _EMAIL.match(text)
    if match is None:
        return None
    partner = _name("draft_email", "partner", match["partner"])
    return {"partner": partner, "topic": _free("draft_email", "topic", match["topic"])}


def _note(text, today):
    match = _NOTE.match(text)
    if match is None:
        return None
    ref = match["quoted"] if match["quoted"] is not None else match["ref"]
    body = _free("note", "note", match["body"], MAX_INPUT, unquote=False)
    return {"target_kind": match["kind"].lower(), "target_ref": _free("note", match["kind"].lower(), ref), "body": body}


def _call(text, today):
    match = _CALL.match(text)
    if match is None:
        return None
    clauses, rest = _peel("call", match["rest"], today, {"on": _ON_DATE}, keep_rest=True)
    if "on" not in clauses and (bare := _BARE_DATE.match(rest)):
        try:
            when = parse_date(bare["when"], today)
        except InvalidDate as error:
            _fail("call", str(error))
        if when is not None:
            clauses["on"], rest = when, bare["rest"]
    return {"partner": _name("call", "partner", rest), "on": clauses.get("on")}


def _summarize(text, today):
    match = _SUMMARY.match(text)
    if match is None:
        return None
    ref = _free("summarize", "name", match["ref"])
    kind = (match["kind"] or "").lower()
    if not kind:
        if not _INVOICE_REF.match(ref):
            return None
        kind = "invoice"
    return {"target_kind": "partner" if kind in ("customer", "client") else kind, "target_ref": ref}


def _expense(text, today):
    match = _EXPENSE.match(text)
    if match is None:
        return None
    try:
        amount, currency = parse_money(match["money"])
    except InvalidAmount as error:
        _fail("expense", error.message)
    clauses, rest = _peel("expense", match["rest"], today, {"date": _ON_DATE, "employee": _FOR}, keep_rest=True)
    return {
        "amount": amount,
        "currency": currency,
        "description": _free("expense", "description", rest),
        "date": clauses.get("date"),
        "employee": clauses.get("employee"),
    }


_READERS = {
    "health_check": _health_check, "create_task": _create_task, "remind": _remind, "draft_email": _draft_email,
    "call": _call, "summarize": _summarize, "expense": _expense,
}


def parse(text: str, *, today: date) -> Command:
    """The command `text` asks for, dates read against `today`; NotUnderstood otherwise."""
    if isinstance(today, datetime) or not isinstance(today, date):
        raise TypeError("today must be a date (the organisation's local day), not a datetime")
    cleaned = _clean(text)
    shown = " ".join(cleaned.split())
    body = _PLEASE.sub("", cleaned)
    if not body:
        raise NotUnderstood("Please type a command. Here is what I understand:")
    if (args := _note(body, today)) is not None:
        return Command("note", args, shown)
    if "\n" in body:
        raise NotUnderstood("Please write the command on one line; only the text of a note may have line breaks.")
    if body.endswith("."):
        body = body[:-1].rstrip()
    for tool, reader in _READERS.items():
        if (args := reader(body, today)) is not None:
            return Command(tool, args, shown)
    for tool, (prefix, hint) in _HINTS.items():
        if re.match(prefix, body, re.I):
            _fail(tool, f"{hint} For example: {EXAMPLES[tool]}")
    raise NotUnderstood(f"I did not understand “{_short(shown)}”. Here is what I understand:")


def normalised(command: Command) -> str:
    """The tool and its arguments as one canonical string: keys sorted, free text case-folded with
    white space collapsed, dates ISO, amounts with two decimals. Equal meaning, equal string."""

    def canonical(value):
        if isinstance(value, str):
            return " ".join(value.casefold().split())
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value.quantize(Decimal("0.01")))
        return value

    args = {key: canonical(value) for key, value in command.args.items()}
    return json.dumps([command.tool, args], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
