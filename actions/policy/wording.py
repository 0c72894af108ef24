"""Policy rules in words: one plain sentence per rule, and what is wrong with a definition,
field by field, for the people who write rules (office staff, not programmers)."""

from decimal import Decimal

from pydantic import ValidationError

from .. import types
from .rules import ApproverKind, CheckName, Effect, Mode, Quorum, RuleDefinition, parse_rule

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CHANNELS = {"email": "an email", "sms": "an SMS", "odoo": "a change in Odoo", "internal": "an AIOM reminder"}
SOURCES = {"analyzer": "the analysis", "follow_up": "a follow-up sequence", "assistant": "the assistant",
           "dashboard": "the dashboard", "api": "the API"}
CHECKS = {CheckName.TARGET_EXISTS: "the record still exists",
          CheckName.TARGET_UNCHANGED: "the record has not changed since it was proposed",
          CheckName.QUIET_HOURS: "it is within business hours and not a weekend",
          CheckName.NO_RECENT_CONTACT: "the customer was not contacted recently"}
MODES = {Mode.DRY_RUN: "Dry run", Mode.ENFORCE: "Enforced"}

#: What people call each field of a definition, for error messages.
LABELS = {
    "action_types": "Action types", "risk_levels": "Risk", "amount_over": "Amount over",
    "amount_at_most": "Amount at most", "partner_ids": "Customers", "partner_tags": "Customer tags",
    "partner_countries": "Countries", "recipient_domains": "Recipient domains", "channels": "Channel",
    "sources": "Source", "weekdays": "Weekdays", "time_from": "From (time)", "time_to": "Until (time)",
    "days_overdue_at_least": "Days overdue at least", "days_overdue_at_most": "Days overdue at most",
    "effect": "Effect", "reason": "Reason", "approvers": "Approvers", "expiry_hours": "Expiry (hours)",
    "add_checks": "Extra checks", "raise_risk_to": "Raise risk to", "kind": "Approvers", "role": "Role",
    "team": "Team", "users": "People", "count": "Number of approvers", "quorum": "All or any",
}
PATTERN_HINTS = {"partner_countries": "use two-letter country codes such as DE or FR",
                 "recipient_domains": "use domains such as example.com",
                 "team": "use lower-case letters, digits, spaces, “-” and “_”",
                 "role": "choose approver or admin"}
#: The schema's own objections, as the editor's words.
REWORDED = {"approvers of kind role need a role": "Choose the role whose people approve.",
            "approvers of kind team need a team": "Name the team whose people approve.",
            "approvers of kind users need a user": "Tick the people who approve.",
            "'all' applies to named users only": "“All of them” applies to named people only.",
            "more approvers asked for than users named": "You asked for more approvers than people named.",
            "approvers apply to require_approval rules only": "Approvers apply only when the rule needs approval.",
            "'any of the groups' needs at least two groups of approvers":
                "“Or, instead” needs the approvers above as well."}


def mode_label(mode: str) -> str:
    return MODES.get(mode, mode)


def describe(definition, *, people: dict[int, str] | None = None) -> str:
    """The rule in one sentence, e.g. "When a send invoice reminder goes to a customer in DE and
    the amount is over 5,000: require 2 approvers." `people`: user id → name, for named approvers."""
    rule = parse_rule(definition) if not isinstance(definition, RuleDefinition) else definition
    when = rule.when
    head = _subject(when)
    if (customer := _customer(when)):
        head += (" goes to " if _all_messages(when) else " concerns ") + customer
    elif when.action_types or not when.channels:
        head += " is proposed"
    else:
        head += " is sent" if _all_messages(when) else " is made"
    timing = _timing(when)
    if timing:
        head += " " + timing
    rest = _conditions(when)
    return f"When {' and '.join([head, *rest])}: {_effect(rule.then, people or {})}."


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _article(label: str) -> str:
    return ("an " if label[:1].lower() in "aeiou" else "a ") + label


def _label(name: str) -> str:
    return types.ACTION_TYPES[name].label if name in types.ACTION_TYPES else name.replace("_", " ")


def _subject(when) -> str:
    if when.action_types:
        subject = _or([_article(_label(name)) for name in when.action_types])
        if when.channels:
            subject += " by " + _or([CHANNELS[c].split(" ", 1)[1] for c in when.channels])
        return subject
    if when.channels:
        return _or([CHANNELS[c] for c in when.channels])
    return "any action"


def _all_messages(when) -> bool:
    if when.action_types:
        return all(name in types.ACTION_TYPES and types.ACTION_TYPES[name].external for name in when.action_types)
    return bool(when.channels) and all(c in ("email", "sms") for c in when.channels)


def _customer(when) -> str:
    if not (when.partner_countries or when.partner_tags or when.partner_ids):
        return ""
    words = "a customer"
    if when.partner_countries:
        words += " in " + _or(list(when.partner_countries))
    if when.partner_tags:
        words += " tagged " + _or([f"“{tag}”" for tag in when.partner_tags])
    if when.partner_ids:
        words += " (Odoo contact " + _or([str(pk) for pk in when.partner_ids]) + ")"
    return words


def _timing(when) -> str:
    parts = []
    if when.weekdays:
        parts.append("on " + _or([WEEKDAYS[day] for day in sorted(when.weekdays)]))
    if when.time_from is not None:
        parts.append(f"between {when.time_from:%H:%M} and {when.time_to:%H:%M}")
    return " ".join(parts)


def amount(value: Decimal) -> str:
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def _conditions(when) -> list[str]:
    rest = []
    if when.amount_over is not None and when.amount_at_most is not None:
        rest.append(f"the amount is over {amount(when.amount_over)} and at most {amount(when.amount_at_most)}")
    elif when.amount_over is not None:
        rest.append(f"the amount is over {amount(when.amount_over)}")
    elif when.amount_at_most is not None:
        rest.append(f"the amount is at most {amount(when.amount_at_most)}")
    if when.risk_levels:
        rest.append(f"the risk is {_or([level.value for level in when.risk_levels])}")
    if when.recipient_domains:
        rest.append("a recipient's address is at " + _or(list(when.recipient_domains)))
    if when.sources:
        rest.append("it comes from " + _or([SOURCES[source] for source in when.sources]))
    least, most = when.days_overdue_at_least, when.days_overdue_at_most
    if least is not None and most is not None:
        rest.append(f"the invoice is {least} to {most} days overdue")
    elif least is not None:
        rest.append(f"the invoice is at least {least} days overdue")
    elif most is not None:
        rest.append(f"the invoice is at most {most} days overdue")
    return rest


def _effect(then, people: dict[int, str]) -> str:
    if then.effect == Effect.DENY:
        words = f"refuse ({then.reason.strip()})"
    elif then.effect == Effect.AUTO_EXECUTE:
        words = "run automatically"
    else:
        groups = [_approvers(group, people) for group in then.approvers]
        if then.approvers_match == Quorum.ANY:
            words = "require " + " or ".join(groups)
        else:
            words = "require approval" if not groups or groups == ["one approver"] else "require " + _and(groups)
    extra = []
    if then.expiry_hours:
        extra.append(f"expire after {then.expiry_hours} hours")
    if then.raise_risk_to:
        extra.append(f"raise the risk to {then.raise_risk_to.value}")
    if then.add_checks:
        extra.append("check before running that " + _and([CHECKS[check] for check in then.add_checks]))
    return ", ".join([words, *extra[:-1]]) + (f" and {extra[-1]}" if extra else "")


def _approvers(group, people: dict[int, str]) -> str:
    n = group.count
    if group.kind == ApproverKind.ANYONE:
        return "one approver" if n == 1 else f"{n} approvers"
    if group.kind == ApproverKind.ROLE:
        return _article(group.role) if n == 1 else f"{n} {group.role}s"
    if group.kind == ApproverKind.TEAM:
        return (f"someone from the {group.team} team" if n == 1 else f"{n} people from the {group.team} team")
    names = [people.get(pk, f"user #{pk}") for pk in group.users]
    if group.quorum == Quorum.ALL:
        return "approval by " + ("each of " + _and(names) if len(names) > 1 else names[0])
    return f"{n} of {_or(names)}" if len(names) > 1 else names[0]


# ---------------------------------------------------------------------------------------------


def plain_errors(exc: ValidationError) -> list[tuple[tuple, str, str]]:
    """(location, field label, message in words) for each error of a definition."""
    found = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        field = next((part for part in reversed(loc) if isinstance(part, str) and part in LABELS), None)
        found.append((loc, LABELS.get(field, ""), _message(error, field)))
    return found


def _message(error: dict, field: str | None) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        text = str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
        text = REWORDED.get(text, text)
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    if kind == "missing":
        return "This is needed."
    if kind == "extra_forbidden":
        return "A rule cannot ask about this."
    if kind in ("greater_than_equal", "greater_than"):
        return f"Must be at least {ctx.get('ge', ctx.get('gt'))}" + ("" if kind == "greater_than_equal" else " (exclusive)") + "."
    if kind in ("less_than_equal", "less_than"):
        return f"Must be at most {ctx.get('le', ctx.get('lt'))}."
    if kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(field, "this is not in the expected form")
        return hint[:1].upper() + hint[1:] + "."
    if kind in ("too_long", "string_too_long"):
        return f"At most {ctx.get('max_length')} allowed."
    if kind in ("too_short", "string_too_short"):
        return "Must not be empty."
    if kind in ("decimal_max_places", "decimal_max_digits"):
        return "Use at most 2 decimals and 12 digits before them."
    if kind == "enum":
        return "Choose one of the options offered."
    if kind in ("int_parsing", "int_type", "decimal_parsing", "decimal_type", "int_from_float"):
        return "Enter a number."
    if kind.startswith("time"):
        return "Enter a time such as 08:30."
    return error["msg"]
