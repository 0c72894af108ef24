"""Judging an action against the organisation's policy rules: which rules match its facts, and
what they say together — the strongest effect (deny > require approval > run automatically,
whatever the rules' order), every approver group asked for, the shortest expiry, the added
checks and the highest risk. Dry-run rules are judged the same way and recorded, never applied.

The verdict is stamped on the action (`Verdict.as_dict`) and judged again before it runs;
`tightened` merges the two so a rule change between proposal and execution can only make an
action stricter, never looser.
"""

from dataclasses import dataclass
from datetime import datetime, time

from ..fields import RiskLevel
from ..protocol import ActionProtocol
from .facts import Facts, facts_for, partner_of, policy_of
from .models import PolicyRule, RuleStatus
from .rules import ApproverKind, CheckName, Effect, Mode, Quorum, When, parse_rule

NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


@dataclass(frozen=True)
class RuleMatch:
    rule_id: int
    key: str
    version: int
    name: str
    mode: str
    effect: Effect
    reason: str = ""
    approvers: tuple[dict, ...] = ()
    expiry_hours: int | None = None
    add_checks: tuple[str, ...] = ()
    raise_risk_to: str | None = None
    #: True: one of `approvers` is enough.
    any_group: bool = False

    def sentence(self) -> str:
        """What the rule does (or, in a dry run, would have done), in plain words."""
        dry = self.mode == Mode.DRY_RUN
        if self.effect == Effect.DENY:
            said = "would have refused this" if dry else "refuses this"
            return f'Rule "{self.name}" {said}' + (f": {self.reason}" if self.reason else ".")
        if self.effect == Effect.REQUIRE_APPROVAL:
            joiner = " or " if self.any_group else " and "
            who = joiner.join(_group_words(group) for group in self.approvers) or "approval"
            return f'Rule "{self.name}" {"would have required" if dry else "requires"} {who}.'
        said = "would have let this run" if dry else "lets this run"
        return f'Rule "{self.name}" {said} without waiting for approval.'

    def as_dict(self) -> dict:
        return {"rule_id": self.rule_id, "key": self.key, "version": self.version, "name": self.name,
                "mode": self.mode, "effect": self.effect.value, "reason": self.reason,
                "approvers": [dict(group) for group in self.approvers], "expiry_hours": self.expiry_hours,
                "add_checks": list(self.add_checks), "raise_risk_to": self.raise_risk_to,
                "any_group": self.any_group, "sentence": self.sentence()}

    @classmethod
    def from_dict(cls, data: dict) -> "RuleMatch":
        return cls(rule_id=data["rule_id"], key=str(data["key"]), version=data["version"], name=data["name"],
                   mode=data["mode"], effect=Effect(data["effect"]), reason=data.get("reason", ""),
                   approvers=tuple(data.get("approvers") or ()), expiry_hours=data.get("expiry_hours"),
                   add_checks=tuple(data.get("add_checks") or ()), raise_risk_to=data.get("raise_risk_to"),
                   any_group=bool(data.get("any_group")))


def _group_words(group: dict) -> str:
    count = group.get("count", 1)
    many = count > 1
    number = NUMBERS.get(count, str(count))
    kind = group.get("kind", ApproverKind.ANYONE)
    if kind == ApproverKind.ROLE:
        noun = "admin" if group.get("role") == "admin" else "approver"
        return f"{number} {noun}s" if many else f"an {noun}"
    if kind == ApproverKind.TEAM:
        return f"{number if many else 'one'} {'people' if many else 'person'} from the {group.get('team')} team"
    if kind == ApproverKind.USERS:
        named = len(group.get("users") or [])
        if group.get("quorum") == Quorum.ALL:
            return f"each of {named} named people" if named > 1 else "the named person"
        return f"{number} of {named} named people"
    return f"{number} approvers" if many else "an approver"


@dataclass(frozen=True)
class Verdict:
    rules_version: int
    matched: tuple[RuleMatch, ...] = ()
    dry_run: tuple[RuleMatch, ...] = ()
    effect: Effect | None = None
    deny_reasons: tuple[str, ...] = ()
    approvers: tuple[dict, ...] = ()
    expiry_hours: int | None = None
    add_checks: tuple[str, ...] = ()
    raise_risk_to: str | None = None
    #: Each: groups of which one is enough (from rules asking for "this or that").
    alternatives: tuple[tuple[dict, ...], ...] = ()

    def sentences(self) -> list[str]:
        """Each matched rule, then each dry-run one, in plain words."""
        return [match.sentence() for match in (*self.matched, *self.dry_run)]

    def as_dict(self) -> dict:
        """JSON for the action's guardrail decision ("policy")."""
        return {"rules_version": self.rules_version, "effect": self.effect.value if self.effect else None,
                "matched": [match.as_dict() for match in self.matched],
                "dry_run": [match.as_dict() for match in self.dry_run],
                "deny_reasons": list(self.deny_reasons), "approvers": [dict(group) for group in self.approvers],
                "expiry_hours": self.expiry_hours, "add_checks": list(self.add_checks),
                "raise_risk_to": self.raise_risk_to,
                "alternatives": [[dict(group) for group in groups] for groups in self.alternatives]}

    @classmethod
    def from_dict(cls, data: dict) -> "Verdict":
        return cls(rules_version=data.get("rules_version", 0),
                   matched=tuple(RuleMatch.from_dict(match) for match in data.get("matched") or ()),
                   dry_run=tuple(RuleMatch.from_dict(match) for match in data.get("dry_run") or ()),
                   effect=Effect(data["effect"]) if data.get("effect") else None,
                   deny_reasons=tuple(data.get("deny_reasons") or ()),
                   approvers=tuple(data.get("approvers") or ()), expiry_hours=data.get("expiry_hours"),
                   add_checks=tuple(data.get("add_checks") or ()), raise_risk_to=data.get("raise_risk_to"),
                   alternatives=tuple(tuple(groups) for groups in data.get("alternatives") or ()))


# ---------------------------------------------------------------------------------------------
# Conditions


def matches(when: When, facts: Facts, *, effect: Effect) -> bool:
    """Whether every condition of `when` holds for `facts`. A condition on a fact AIOM does not
    know holds for a deny or approval rule (the strict side) and not for an automatic one."""
    unknown = effect != Effect.AUTO_EXECUTE

    def known_or(value, test) -> bool:
        return unknown if value is None else test(value)

    checks = (
        not when.action_types or facts.action_type in when.action_types,
        not when.risk_levels or facts.risk_level in when.risk_levels,
        when.amount_over is None or known_or(facts.amount, lambda amount: amount > when.amount_over),
        when.amount_at_most is None or known_or(facts.amount, lambda amount: amount <= when.amount_at_most),
        not when.partner_ids or facts.partner_id in when.partner_ids,
        not when.partner_tags or known_or(facts.partner_tags, lambda tags: bool(tags & set(when.partner_tags))),
        not when.partner_countries or known_or(facts.partner_country,
                                               lambda country: country in when.partner_countries),
        not when.recipient_domains or any(_domain_matches(domain, wanted) for domain in facts.recipient_domains
                                          for wanted in when.recipient_domains),
        not when.channels or facts.channel in when.channels,
        not when.sources or facts.source in when.sources,
        not when.weekdays or facts.local_time.weekday() in when.weekdays,
        when.time_from is None or _in_window(facts.local_time.time(), when.time_from, when.time_to),
        when.days_overdue_at_least is None or known_or(facts.days_overdue,
                                                       lambda days: days >= when.days_overdue_at_least),
        when.days_overdue_at_most is None or known_or(facts.days_overdue,
                                                      lambda days: days <= when.days_overdue_at_most),
    )
    return all(checks)


def _domain_matches(domain: str, wanted: str) -> bool:
    return domain == wanted or domain.endswith("." + wanted)


def _in_window(moment: time, start: time, end: time) -> bool:
    """[start, end); a start after the end wraps midnight (22:00–06:00)."""
    moment = moment.replace(tzinfo=None)
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


# ---------------------------------------------------------------------------------------------
# Judging


def match_of(rule, definition, effect: Effect | None = None) -> RuleMatch:
    then = definition.then
    return RuleMatch(rule_id=rule.pk or 0, key=str(rule.key), version=rule.version, name=rule.name, mode=rule.mode,
                     effect=effect or then.effect, reason=then.reason.strip(),
                     approvers=tuple(group.model_dump(mode="json") for group in then.approvers),
                     expiry_hours=then.expiry_hours, add_checks=tuple(check.value for check in then.add_checks),
                     raise_risk_to=then.raise_risk_to.value if then.raise_risk_to else None,
                     any_group=then.approvers_match == Quorum.ANY)


def evaluate(rules, facts: Facts, *, rules_version: int) -> Verdict:
    """The verdict of `rules` (active PolicyRule rows) on `facts`."""
    enforced, dry = [], []
    for rule in rules:
        definition = parse_rule(rule.definition)
        if matches(definition.when, facts, effect=definition.then.effect):
            (dry if rule.mode == Mode.DRY_RUN else enforced).append(match_of(rule, definition))
    return combine(enforced, dry, rules_version=rules_version)


def combine(enforced, dry, *, rules_version: int) -> Verdict:
    enforced = tuple(enforced)
    effect = max((match.effect for match in enforced), key=lambda effect: effect.strength, default=None)
    expiries = [match.expiry_hours for match in enforced if match.expiry_hours]
    risks = [RiskLevel(match.raise_risk_to) for match in enforced if match.raise_risk_to]
    return Verdict(
        rules_version=rules_version, matched=enforced, dry_run=tuple(dry), effect=effect,
        deny_reasons=_unique(match.reason for match in enforced if match.effect == Effect.DENY),
        approvers=_unique(group for match in enforced if match.effect == Effect.REQUIRE_APPROVAL
                          and not match.any_group for group in match.approvers),
        alternatives=_unique(tuple(match.approvers) for match in enforced
                             if match.effect == Effect.REQUIRE_APPROVAL and match.any_group),
        expiry_hours=min(expiries) if expiries else None,
        add_checks=_unique(check for match in enforced for check in match.add_checks),
        raise_risk_to=RiskLevel.highest(*risks).value if risks else None)


def _unique(values) -> tuple:
    """In first-seen order; dicts compared by value."""
    seen, kept = [], []
    for value in values:
        if value not in seen:
            seen.append(value)
            kept.append(value)
    return tuple(kept)


def active_rules(organization) -> list[PolicyRule]:
    return list(PolicyRule.objects.filter(organization=organization, status=RuleStatus.ACTIVE)
                .order_by("position", "created_at", "pk"))


def judge(organization, protocol: ActionProtocol, *, at: datetime, policy=None, rules=None) -> Verdict:
    """The organisation's active rules on `protocol` at `at`: one query when it has none, two
    when it has some (and `policy` is given). A caller judging many actions passes `rules`
    (`active_rules`) read once."""
    policy = policy or policy_of(organization)
    rules = active_rules(organization) if rules is None else rules
    if not rules:
        return Verdict(rules_version=policy.rules_version)
    facts = facts_for(organization, protocol, at=at, policy=policy)
    return evaluate(rules, facts, rules_version=policy.rules_version)


def tightened(stamped: dict | None, fresh: Verdict) -> Verdict:
    """The verdict stamped on an action merged with a fresh one, never looser than either:
    deny if either denies, every approver group of both, the shorter expiry, both sets of
    checks, the higher risk; automatic only if both say so (or nothing was stamped)."""
    old = Verdict.from_dict(stamped) if stamped else Verdict(rules_version=0)
    effects = {old.effect, fresh.effect}
    if Effect.DENY in effects:
        effect = Effect.DENY
    elif Effect.REQUIRE_APPROVAL in effects:
        effect = Effect.REQUIRE_APPROVAL
    elif old.effect is None and not old.matched:
        effect = fresh.effect
    else:
        effect = Effect.AUTO_EXECUTE if effects == {Effect.AUTO_EXECUTE} else None
    reasons = fresh.deny_reasons if fresh.effect == Effect.DENY else old.deny_reasons
    expiries = [hours for hours in (old.expiry_hours, fresh.expiry_hours) if hours]
    risks = [RiskLevel(risk) for risk in (old.raise_risk_to, fresh.raise_risk_to) if risk]
    matched = _unique_matches((*fresh.matched, *old.matched))
    return Verdict(
        rules_version=fresh.rules_version, matched=matched, dry_run=fresh.dry_run, effect=effect,
        deny_reasons=tuple(reasons) if effect == Effect.DENY else (),
        approvers=_unique((*old.approvers, *fresh.approvers)),
        alternatives=_unique((*old.alternatives, *fresh.alternatives)),
        expiry_hours=min(expiries) if expiries else None,
        add_checks=_unique((*old.add_checks, *fresh.add_checks)),
        raise_risk_to=RiskLevel.highest(*risks).value if risks else None)


def _unique_matches(matches) -> tuple[RuleMatch, ...]:
    seen, kept = set(), []
    for match in matches:
        if (match.key, match.version) not in seen:
            seen.add((match.key, match.version))
            kept.append(match)
    return tuple(kept)


# ---------------------------------------------------------------------------------------------
# Checks a rule adds


def checks_for(protocol: ActionProtocol, names, *, policy=None) -> list[dict]:
    """Revalidation checks (protocol JSON, check id "policy-<name>") for the CheckName values in
    `names`, leaving out one the protocol already has. Quiet hours and recent contact read the
    guardrail policy (`policy`)."""
    existing = [check.predicate.model_dump(mode="json") for check in protocol.revalidation_plan.checks]
    ids = {check.check_id for check in protocol.revalidation_plan.checks}
    model, record_id = protocol.affected_records.odoo_model, protocol.affected_records.odoo_ids[0]
    added = []
    for name in dict.fromkeys(CheckName(name) for name in names):
        predicate = _predicate(name, protocol, model, record_id, policy)
        check_id = f"policy-{name.value.replace('_', '-')}"
        if predicate is None or check_id in ids or any(_same(predicate, other) for other in existing):
            continue
        added.append({"check_id": check_id, "predicate": predicate})
    return added


def with_checks(protocol: ActionProtocol, checks) -> ActionProtocol:
    """`protocol` with `checks` (from `checks_for`, which leaves out what it has) added to its
    revalidation plan: at proposal, where approvers read them, and at execution for checks a
    rule added since."""
    if not checks:
        return protocol
    return protocol.revise(revalidation_plan={
        "checks": [*protocol.revalidation_plan.model_dump(mode="json")["checks"], *checks]})


STATE_FIELDS = ("state", "stage_id", "payment_state")


def _predicate(name: CheckName, protocol: ActionProtocol, model: str, record_id: int, policy) -> dict | None:
    if name == CheckName.TARGET_EXISTS:
        return {"type": "odoo_record_exists", "model": model, "id": record_id}
    if name == CheckName.TARGET_UNCHANGED:
        current = _current_state(protocol, model, record_id)
        return None if current is None else {"type": "odoo_field_equals", "model": model, "id": record_id,
                                             "field": current[0], "expected": current[1]}
    if policy is None:
        raise ValueError(f"the {name.value} check needs the guardrail policy")
    if name == CheckName.QUIET_HOURS:
        return {"type": "quiet_hours_ok", "timezone": policy.zone, "start": policy.business_hours_start.isoformat(),
                "end": policy.business_hours_end.isoformat(), "weekends": not policy.weekends_off}
    channel = protocol.spec.op.channel
    partner = partner_of(protocol)
    if not protocol.is_external or partner is None:
        return None
    hours = policy.email_window_hours if channel == "email" else policy.sms_window_hours
    return {"type": "no_duplicate_action_in_window", "partner_id": partner, "channel": str(channel),
            "hours": max(1, hours)}


def _current_state(protocol: ActionProtocol, model: str, record_id: int) -> tuple[str, object] | None:
    """The target's state or stage field and its value when proposed, as the protocol tells it."""
    for change in protocol.proposed_changes:
        if (change.model, change.record_id, change.field) in {(model, record_id, name) for name in STATE_FIELDS} \
                and change.before is not None:
            before = change.before
            is_pair = isinstance(before, list) and len(before) == 2 and isinstance(before[0], int)
            return change.field, before[0] if is_pair else before
    for name in STATE_FIELDS:
        if name in protocol.metadata and protocol.metadata[name] is not None:
            return name, protocol.metadata[name]
    return None


def _same(predicate: dict, other: dict) -> bool:
    """Whether `other` already checks what `predicate` would."""
    if predicate["type"] != other["type"] and not (
            predicate["type"] == "odoo_field_equals" and other["type"] == "odoo_field_in"):
        return False
    if predicate["type"] == "quiet_hours_ok":
        return True
    if predicate["type"] == "no_duplicate_action_in_window":
        return (other["partner_id"], other["channel"]) == (predicate["partner_id"], predicate["channel"])
    keys = ("model", "id", "field") if predicate["type"] == "odoo_field_equals" else ("model", "id")
    return all(other.get(key) == predicate.get(key) for key in keys)
