"""Who must approve an action, and how far its approvals have got.

An action needs the approvals its risk asks for (`types.approvals_required`: any deciding
members) and, on top, every group of approvers the policy rules stored on it name
(`guardrail_decision["policy"]["approvers"]`): all groups must be satisfied. Each approval is
one person: the same approval may fill several groups (a finance approver is also one of "two
approvers"), but never two places in one group, and a stand-in approving for someone named is
still that one approval. The proposer of a high or critical action never approves it, and their
stand-in cannot approve in their name either.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model

from aiom.models import DECIDING_ROLES, Membership, Role

from ..fields import RiskLevel
from ..models import Decision
from ..permissions import ensure_can_decide, ensure_not_own_high_risk
from ..types import RISK_RULES, approvals_required
from . import delegation as delegations
from .rules import ApproverKind, Approvers, Quorum


@dataclass(frozen=True)
class Progress:
    complete: bool
    given: int
    #: The most people any one requirement asks for (the risk's count or the largest group).
    required: int
    #: What is still missing, in plain words ("one more approver", "an approver from the finance team").
    missing: tuple[str, ...] = ()
    #: True when `missing` starts with the plain count ("one more approver").
    short_of_people: bool = field(default=False, repr=False)
    #: The rest of `missing` as it reads after "Needs 2 approvers (1 given) and …".
    after_count: tuple[str, ...] = field(default=(), repr=False)

    def sentence(self) -> str:
        """"Needs 2 approvers (1 given) and one from the finance team." — or that nothing is missing."""
        if self.complete:
            return f"Has the approvals it needs ({self.given} given)."
        if self.required > 1 and self.given < self.required:
            head = f"Needs {self.required} approvers ({self.given} given)"
            return f"{head} and {_joined(self.after_count)}." if self.after_count else f"{head}."
        others = self.missing[1:] if self.short_of_people else self.missing
        return f"Still needs {_joined(others)}." if others else "Needs an approver."


def groups_of(action) -> list[Approvers]:
    """The risk's group (that many of anyone who may decide), then the policy's groups."""
    groups = [Approvers(kind=ApproverKind.ANYONE, count=approvals_required(action.risk_level))]
    stamp = (action.guardrail_decision or {}).get("policy") or {}
    groups.extend(Approvers.model_validate(raw) for raw in stamp.get("approvers") or ())
    return groups


def alternatives_of(action) -> list[list[Approvers]]:
    """Sets of groups of which one is enough ("a finance approver or two approvers")."""
    stamp = (action.guardrail_decision or {}).get("policy") or {}
    return [[Approvers.model_validate(raw) for raw in groups] for groups in stamp.get("alternatives") or ()]


def progress(action, approvals=None, *, on_date: date | None = None) -> Progress:
    """How far `approvals` (default: the action's current ones) go towards every group, and
    towards one group of each set of alternatives. Delegations count when in force on `on_date`
    (default: the organisation's today)."""
    if approvals is None:
        approvals = action.current_approvals()
    people = list(dict.fromkeys(a.user_id for a in approvals if a.decision == Decision.APPROVE))
    groups = groups_of(action)
    choices = alternatives_of(action)
    facts = _Facts(action, people, [*groups, *(group for options in choices for group in options)], on_date)
    required = max(_size(group) for group in groups)
    shortfall, others, most_left = 0, [], 0
    for group in groups:
        if group.kind == ApproverKind.ANYONE or (group.kind == ApproverKind.ROLE and group.role != Role.ADMIN):
            shortfall = max(shortfall, group.count - len(people))
        elif group.kind in (ApproverKind.ROLE, ApproverKind.TEAM):
            fitting = sum(1 for person in people if facts.fits(person, group))
            if fitting < group.count:
                others.append(_group_words(group, group.count - fitting))
                most_left = max(most_left, group.count - fitting)
        else:
            lacking, left = facts.named_missing(group)
            others.extend(lacking)
            most_left = max(most_left, left)
    # What a group still lacks can only come from people who have not approved yet (nobody
    # approves twice): when that already brings enough people, the plain count goes unsaid.
    count_words = ([] if shortfall <= most_left
                   else [("one more approver" if shortfall == 1 else f"{shortfall} more approvers",) * 2])
    for options in choices:
        lacking = _none_satisfied(options, people, facts)
        if lacking:
            others.append((lacking, lacking))
    missing = [*count_words, *others]
    return Progress(complete=not missing, given=len(people), required=required,
                    missing=tuple(words for words, _ in missing), short_of_people=bool(count_words),
                    after_count=tuple(short for _, short in others))


def _none_satisfied(options: list[Approvers], people: list[int], facts: "_Facts") -> str:
    """"" when one of `options` is satisfied; else what each still lacks, joined by "or"."""
    words = []
    for group in options:
        if group.kind == ApproverKind.ANYONE or (group.kind == ApproverKind.ROLE and group.role != Role.ADMIN):
            left = group.count - len(people)
            if left <= 0:
                return ""
            words.append("one more approver" if left == 1 else f"{left} more approvers")
        elif group.kind in (ApproverKind.ROLE, ApproverKind.TEAM):
            fitting = sum(1 for person in people if facts.fits(person, group))
            if fitting >= group.count:
                return ""
            words.append(_group_words(group, group.count - fitting)[0])
        else:
            lacking, _ = facts.named_missing(group)
            if not lacking:
                return ""
            words.append(_joined(text for text, _ in lacking))
    return " or ".join(words)


def may_approve(user, action) -> None:
    """Any deciding member may approve (progress says what is still missing), except the
    proposer of a high or critical action."""
    ensure_can_decide(user, action.organization)
    ensure_not_own_high_risk(user, action)


def stand_in_lines(action, *, on_date: date | None = None) -> list[str]:
    """"Lee stands in for Dana until 10 Dec", for the people the action's groups name who are
    away; no query for an action whose groups name nobody."""
    named = [user for group in groups_of(action) if group.kind == ApproverKind.USERS for user in group.users]
    if not named:
        return []
    on_date = on_date or delegations.today_in(action.organization)
    found = delegations.stand_ins(action.organization, named, on_date)
    lines = []
    for user_id in dict.fromkeys(named):
        for given in found.get(user_id, ()):
            lines.append(f"{delegations.name_of(given.delegate)} stands in for {delegations.name_of(given.delegator)} "
                         f"until {given.ends_on.day} {given.ends_on:%b}.")
    return lines


def _size(group: Approvers) -> int:
    return len(group.users) if group.quorum == Quorum.ALL else group.count


def _joined(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _group_words(group: Approvers, left: int) -> tuple[str, str]:
    """(missing words, words after "Needs 2 approvers (1 given) and …") for a role or team group."""
    if group.kind == ApproverKind.TEAM:
        if left == 1:
            more = "one more approver" if group.count > 1 else "an approver"
            return f"{more} from the {group.team} team", f"one from the {group.team} team"
        return f"{left} more approvers from the {group.team} team", f"{left} from the {group.team} team"
    if left == 1:
        return ("one more admin's approval" if group.count > 1 else "an admin's approval"), "one from an admin"
    return f"{left} more admins' approvals", f"{left} from admins"


class _Facts:
    """What judging the groups needs beyond the approvals, read only for the groups that need it:
    the approvers' roles and teams, the named people and who stands in for them."""

    def __init__(self, action, people: list[int], groups: list[Approvers], on_date: date | None):
        self.action = action
        self.people = people
        risk_rule = RISK_RULES[RiskLevel(action.risk_level)]
        created_by = action.created_by or ""
        #: The proposer, when the risk forbids them to approve: nobody approves in their name either.
        self.barred = (int(created_by[5:]) if created_by.startswith("user:") and created_by[5:].isdigit()
                       and not risk_rule.proposer_may_approve else None)
        self.memberships = {}
        if people and any(g.kind in (ApproverKind.ROLE, ApproverKind.TEAM) for g in groups):
            self.memberships = {m["user_id"]: m for m in Membership.objects.filter(
                organization_id=action.organization_id, user_id__in=people).values("user_id", "role", "teams")}
        named = {user for g in groups if g.kind == ApproverKind.USERS for user in g.users}
        self.stand_ins = {}
        self.names = {}
        if named:
            on_date = on_date or delegations.today_in(action.organization)
            self.stand_ins = delegations.stand_ins(action.organization, named, on_date)
            self.names = {user.pk: delegations.name_of(user)
                          for user in get_user_model().objects.filter(pk__in=named)}

    def fits(self, person: int, group: Approvers) -> bool:
        membership = self.memberships.get(person)
        if membership is None or membership["role"] not in DECIDING_ROLES:
            return False
        if group.kind == ApproverKind.ROLE:
            return membership["role"] == group.role
        teams = membership["teams"] if isinstance(membership["teams"], list) else []
        return group.team in {str(team).strip().lower() for team in teams}

    def may_stand_for(self, person: int, named: int) -> bool:
        if person == named:
            return True
        if named == self.barred:
            return False
        return any(given.delegate_id == person for given in self.stand_ins.get(named, ()))

    def named_missing(self, group: Approvers) -> tuple[list[tuple[str, str]], int]:
        """What a named-users group still lacks, and how many more people that takes: each
        person fills one place at most."""
        matched = self._matching(group.users)
        if group.quorum == Quorum.ALL:
            lacking = [(self._one(user),) * 2 for user in group.users if user not in matched]
            return lacking, len(lacking)
        left = group.count - len(matched)
        if left <= 0:
            return [], 0
        if len(group.users) == 1:
            return [(self._one(group.users[0]),) * 2], 1
        names = [self.names.get(user, "someone no longer here") for user in group.users if user not in matched]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        many = "one more approval" if left == 1 else f"{left} more approvals"
        return [(f"{many} from {listed} (or whoever stands in for them)",) * 2], left

    def _one(self, user: int) -> str:
        return f"{self.names.get(user, 'someone no longer here')}'s approval (or whoever stands in for them)"

    def _matching(self, named: list[int]) -> dict[int, int]:
        """named user → the person whose approval fills their place (a maximum matching, so one
        stand-in for two away people still fills one place)."""
        owner: dict[int, int] = {}

        def place(person: int, seen: set) -> bool:
            for user in named:
                if user in seen or not self.may_stand_for(person, user):
                    continue
                seen.add(user)
                if user not in owner or place(owner[user], seen):
                    owner[user] = person
                    return True
            return False

        for person in self.people:
            place(person, set())
        return owner
