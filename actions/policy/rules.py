"""What a policy rule says, validated: `when` (conditions, all of which must hold) → `then`
(one effect and its modifiers). Stored as JSON on `PolicyRule.definition`, edited in the
dashboard and the admin; every reader parses it with `parse_rule`.

Rules only tighten the built-in guardrails: a deny or a required approval always counts, an
automatic execution only where the guardrails would let a person's approval be skipped (see
`actions.policy.evaluate`).
"""

from datetime import time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from ..fields import Channel, RiskLevel, Source, Strict
from .. import types

Name = Annotated[str, Field(min_length=1, max_length=100)]


class Effect(StrEnum):
    """Precedence is by effect, strongest first, never by the rules' order."""

    DENY = "deny"
    REQUIRE_APPROVAL = "require_approval"
    AUTO_EXECUTE = "auto_execute"

    @property
    def strength(self) -> int:
        return {"deny": 3, "require_approval": 2, "auto_execute": 1}[self.value]


class Mode(StrEnum):
    ENFORCE = "enforce"
    #: Evaluated and recorded ("this rule would have …"), never applied.
    DRY_RUN = "dry_run"


class ApproverKind(StrEnum):
    ANYONE = "anyone"  # any member who may decide
    ROLE = "role"  # members with that role (approver, admin)
    TEAM = "team"  # members in that team (Membership.teams), e.g. finance
    USERS = "users"  # the named users


class Quorum(StrEnum):
    ANY = "any"  # `count` of the eligible people
    ALL = "all"  # every named user (kind USERS only)


class CheckName(StrEnum):
    """Revalidation checks a rule may add: each becomes a predicate on the action's target."""

    TARGET_EXISTS = "target_exists"  # the record is still there
    TARGET_UNCHANGED = "target_unchanged"  # the record's state/stage is what it was when proposed
    QUIET_HOURS = "quiet_hours"  # the organisation's business hours and weekends
    NO_RECENT_CONTACT = "no_recent_contact"  # no message to the partner on the channel in the window


class Approvers(Strict):
    """Who must approve: `count` of the eligible people, or all named users."""

    kind: ApproverKind = ApproverKind.ANYONE
    role: str | None = Field(default=None, pattern=r"^(approver|admin)$")
    team: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9 _-]*$")
    users: list[Annotated[int, Field(gt=0)]] = Field(default_factory=list, max_length=10)
    count: int = Field(default=1, ge=1, le=5)
    quorum: Quorum = Quorum.ANY

    @model_validator(mode="after")
    def _consistent(self):
        needs = {ApproverKind.ROLE: self.role, ApproverKind.TEAM: self.team,
                 ApproverKind.USERS: self.users or None}
        if self.kind in needs and not needs[self.kind]:
            raise ValueError(f"approvers of kind {self.kind.value} need a {'user' if self.kind == ApproverKind.USERS else self.kind.value}")
        if self.quorum == Quorum.ALL and self.kind != ApproverKind.USERS:
            raise ValueError("'all' applies to named users only")
        if self.kind == ApproverKind.USERS and len(set(self.users)) != len(self.users):
            raise ValueError("each user is named once")
        if self.kind == ApproverKind.USERS and self.quorum == Quorum.ANY and self.count > len(self.users):
            raise ValueError("more approvers asked for than users named")
        return self


class When(Strict):
    """Conditions; an empty list or None means "any". All given conditions must hold."""

    action_types: list[str] = Field(default_factory=list, max_length=40)
    risk_levels: list[RiskLevel] = Field(default_factory=list)
    amount_over: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    amount_at_most: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    partner_ids: list[Annotated[int, Field(gt=0)]] = Field(default_factory=list, max_length=200)
    #: Odoo contact tags (res.partner.category names), any of them; compared case-insensitively.
    partner_tags: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(default_factory=list, max_length=20)
    #: ISO 3166 two-letter codes of the partner's country.
    partner_countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(default_factory=list, max_length=60)
    #: Domains of email recipients (any recipient matching; sub-domains included).
    recipient_domains: list[Annotated[str, Field(min_length=3, max_length=253, pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")]] = (
        Field(default_factory=list, max_length=20))
    channels: list[Channel] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    #: 0 = Monday … 6 = Sunday, in the organisation's time zone, at the moment of judging.
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(default_factory=list, max_length=7)
    #: Local time window [from, to); from > to wraps midnight (22:00–06:00).
    time_from: time | None = None
    time_to: time | None = None
    days_overdue_at_least: int | None = Field(default=None, ge=0, le=3650)
    days_overdue_at_most: int | None = Field(default=None, ge=0, le=3650)

    @field_validator("action_types")
    @classmethod
    def _known_types(cls, names):
        unknown = [name for name in names if name not in types.ACTION_TYPES]
        if unknown:
            raise ValueError(f"unknown action type(s): {', '.join(unknown)}")
        return names

    @field_validator("partner_tags", "recipient_domains")
    @classmethod
    def _lower(cls, values):
        return [value.strip().lower() for value in values]

    @model_validator(mode="after")
    def _ranges(self):
        if (self.time_from is None) != (self.time_to is None):
            raise ValueError("a time window needs both a start and an end")
        if self.time_from is not None and self.time_from == self.time_to:
            raise ValueError("a time window's start and end differ")
        if (self.amount_over is not None and self.amount_at_most is not None
                and self.amount_at_most <= self.amount_over):
            raise ValueError("'amount at most' must be above 'amount over'")
        if (self.days_overdue_at_least is not None and self.days_overdue_at_most is not None
                and self.days_overdue_at_most < self.days_overdue_at_least):
            raise ValueError("'days overdue at most' must not be below 'at least'")
        return self


class Then(Strict):
    effect: Effect
    #: Shown to people when the rule denies; required for deny.
    reason: str = Field(default="", max_length=300)
    #: For require_approval: every group listed must be satisfied (AND); none = one approver.
    approvers: list[Approvers] = Field(default_factory=list, max_length=5)
    #: "any": one of the groups is enough ("a finance approver or two approvers").
    approvers_match: Quorum = Quorum.ALL
    #: Pending actions it matches expire after at most this many hours.
    expiry_hours: int | None = Field(default=None, ge=1, le=720)
    add_checks: list[CheckName] = Field(default_factory=list, max_length=4)
    raise_risk_to: RiskLevel | None = None

    @model_validator(mode="after")
    def _effect_fits(self):
        if self.effect == Effect.DENY and not self.reason.strip():
            raise ValueError("a deny rule needs a reason people will read")
        if self.effect != Effect.REQUIRE_APPROVAL and self.approvers:
            raise ValueError("approvers apply to require_approval rules only")
        if self.approvers_match == Quorum.ANY and len(self.approvers) < 2:
            raise ValueError("'any of the groups' needs at least two groups of approvers")
        return self


class RuleDefinition(Strict):
    when: When = Field(default_factory=When)
    then: Then


def parse_rule(data) -> RuleDefinition:
    """A stored or submitted definition, validated (pydantic.ValidationError when invalid)."""
    if isinstance(data, RuleDefinition):
        return data
    return RuleDefinition.model_validate(data)
