"""What a rule would have done to the recent past: every action the organisation proposed in the
last days, judged by the rule alone as at the moment it was proposed (in the organisation's
local time), with the partners' facts as AIOM knows them now — counts per effect, the newest
examples, and what became of those actions (approved, rejected, failed, and what other apps
know: paid, bounced …), so an admin sees the rule's reach before turning it on.

Apps that know outcomes register a source (`register_outcome_source`); actions knows none of
them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from pydantic import ValidationError

from ..models import Action, ActionStatus
from ..protocol import ActionProtocol
from .evaluate import matches
from .facts import build_facts, partner_of, policy_of
from .models import PartnerFacts
from .rules import Effect, RuleDefinition, parse_rule

NO_MATCH = "no_match"
KEYS = (Effect.DENY.value, Effect.REQUIRE_APPROVAL.value, Effect.AUTO_EXECUTE.value, NO_MATCH)
EXAMPLES = 5

#: fn(organization, action_ids: list) -> {action id (str): outcome label}; called once per backtest.
OUTCOME_SOURCES: list = []

APPROVED = (ActionStatus.APPROVED, ActionStatus.EXECUTING, ActionStatus.EXECUTED, ActionStatus.OUTCOME_UNKNOWN)
STATUS_OUTCOMES = {**{status.value: "approved" for status in APPROVED},
                   ActionStatus.REJECTED.value: "rejected", ActionStatus.FAILED.value: "failed"}

#: How each outcome reads in a sentence; unknown labels read as themselves.
OUTCOME_WORDS = {"approved": "approved", "rejected": "rejected", "failed": "failed",
                 "paid": "paid in full", "partly_paid": "partly paid", "replied": "answered",
                 "bounced": "bounced", "complained": "marked as spam", "unsubscribed": "unsubscribed"}
EFFECT_WORDS = {Effect.DENY.value: "refused", Effect.REQUIRE_APPROVAL.value: "sent for approval",
                Effect.AUTO_EXECUTE.value: "run without approval"}


def register_outcome_source(fn) -> None:
    if fn not in OUTCOME_SOURCES:
        OUTCOME_SOURCES.append(fn)


@dataclass(frozen=True)
class Example:
    action_id: str
    title: str
    created_at: datetime
    status: str
    effect: str | None


@dataclass(frozen=True)
class Backtest:
    days: int
    total: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KEYS, 0))
    examples: dict[str, list[Example]] = field(default_factory=lambda: {key: [] for key in KEYS})
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)

    def summary(self) -> list[str]:
        """Plain sentences for the rule's page."""
        if not self.total:
            return [f"No actions were proposed in the last {self.days} days, so there is nothing to try this rule on."]
        matched = self.total - self.counts[NO_MATCH]
        lines = [f"In the last {self.days} days {_actions(self.total)} {'was' if self.total == 1 else 'were'} "
                 f"proposed; this rule would have applied to {matched} of them."]
        for key, words in EFFECT_WORDS.items():
            if self.counts[key]:
                lines.append(f"{_actions(self.counts[key]).capitalize()} would have been {words}.")
        for label, by_effect in self.outcomes.items():
            affected = sum(count for key, count in by_effect.items() if key != NO_MATCH)
            if affected:
                lines.append(f"Of the actions it would have applied to, {affected} "
                             f"{'was' if affected == 1 else 'were'} {OUTCOME_WORDS.get(label, label.replace('_', ' '))}.")
        return lines


def _actions(count: int) -> str:
    return f"{count} action" if count == 1 else f"{count} actions"


def backtest(organization, definition: RuleDefinition, *, days: int = 30, now: datetime | None = None) -> Backtest:
    """What `definition` alone would have done to the organisation's actions of the last `days`."""
    definition = parse_rule(definition)
    now = now or timezone.now()
    policy = policy_of(organization)
    rows = list(Action.objects.filter(organization=organization, created_at__gt=now - timedelta(days=days),
                                      created_at__lte=now)
                .order_by("-created_at").values("id", "protocol", "status", "title", "created_at"))
    parsed = []
    for row in rows:
        try:
            parsed.append((row, ActionProtocol.model_validate(row["protocol"])))
        except ValidationError:  # a type retired since: it cannot be judged, and is left out
            continue
    partners = {partner for _, protocol in parsed if (partner := partner_of(protocol)) is not None}
    known = {facts.partner_id: facts for facts in
             PartnerFacts.objects.filter(organization=organization, partner_id__in=partners)} if partners else {}

    effect = definition.then.effect
    counts = dict.fromkeys(KEYS, 0)
    examples = {key: [] for key in KEYS}
    effect_of = {}
    for row, protocol in parsed:
        facts = build_facts(protocol, at=row["created_at"], zone=policy.zone, known=known.get(partner_of(protocol)))
        key = effect.value if matches(definition.when, facts, effect=effect) else NO_MATCH
        action_id = str(row["id"])
        effect_of[action_id] = key
        counts[key] += 1
        if len(examples[key]) < EXAMPLES:
            examples[key].append(Example(action_id=action_id, title=row["title"], created_at=row["created_at"],
                                         status=row["status"], effect=None if key == NO_MATCH else key))
    return Backtest(days=days, total=len(parsed), counts=counts, examples=examples,
                    outcomes=_outcomes(organization, parsed, effect_of))


def _outcomes(organization, parsed, effect_of: dict[str, str]) -> dict[str, dict[str, int]]:
    """Outcome label → effect key → count, for the actions whose outcome is known."""
    table = defaultdict(Counter)
    for row, _ in parsed:
        if (label := STATUS_OUTCOMES.get(row["status"])) is not None:
            table[label][effect_of[str(row["id"])]] += 1
    ids = list(effect_of)
    for source in OUTCOME_SOURCES if ids else ():
        for action_id, label in source(organization, ids).items():
            if str(action_id) in effect_of:
                table[label][effect_of[str(action_id)]] += 1
    return {label: {key: counts[key] for key in KEYS} for label, counts in table.items()}
