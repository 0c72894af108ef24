"""Who stands in for whom: a deciding member away from `starts_on` to `ends_on` (both included,
in the organisation's dates) lets another deciding member give the approvals asked of them by
name. Setting and revoking one is audited; nothing else writes `Delegation`.

An approval given by a stand-in is still that one person's approval: it never counts twice
(see `actions.policy.approvers`).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from aiom.errors import ApplicationError, Conflict, NotAllowed
from aiom.models import DECIDING_ROLES, Membership, Role
from audit.models import EventType
from audit.services import Actor, append_event

from ..models import GuardrailPolicy
from .models import Delegation


def zone_of(organization) -> str:
    """The policy's time zone (the organisation's unless the guardrails name another)."""
    try:
        return organization.guardrail_policy.zone
    except GuardrailPolicy.DoesNotExist:
        return organization.timezone


def today_in(organization, now: datetime | None = None) -> date:
    """The organisation's date at `now` (default: this moment)."""
    return timezone.localtime(now or timezone.now(), ZoneInfo(zone_of(organization))).date()


def name_of(user) -> str:
    return user.get_full_name() or user.get_username()


def span_words(starts_on: date, ends_on: date) -> str:
    """"3–10 Dec", "28 Nov – 3 Dec", "30 Dec 2026 – 2 Jan 2027", "3 Dec"."""
    if starts_on == ends_on:
        return f"{starts_on.day} {starts_on:%b}"
    if starts_on.year != ends_on.year:
        return f"{starts_on.day} {starts_on:%b %Y} – {ends_on.day} {ends_on:%b %Y}"
    if starts_on.month != ends_on.month:
        return f"{starts_on.day} {starts_on:%b} – {ends_on.day} {ends_on:%b}"
    return f"{starts_on.day}–{ends_on.day} {ends_on:%b}"


def describe(delegation: Delegation) -> str:
    """"Dana → Lee, 3–10 Dec": how the audit log and the pages name a delegation."""
    return (f"{name_of(delegation.delegator)} → {name_of(delegation.delegate)}, "
            f"{span_words(delegation.starts_on, delegation.ends_on)}")


def _deciding_membership(organization, user, *, for_update: bool = False) -> Membership | None:
    memberships = Membership.objects.filter(organization=organization, user=user, role__in=DECIDING_ROLES,
                                            user__is_active=True)
    if for_update:
        memberships = memberships.select_for_update()
    return memberships.first()


def ensure_may_manage(organization, actor, delegator) -> None:
    """A deciding member sets their own stand-in; an admin sets one for anyone."""
    membership = _deciding_membership(organization, actor) if actor is not None and actor.is_authenticated else None
    if membership is None:
        raise NotAllowed("Only people who approve actions in this organisation can set who stands in for them.")
    if delegator.pk != actor.pk and membership.role != Role.ADMIN:
        raise NotAllowed("Only an admin can set who stands in for someone else.")


def delegate(organization, *, delegator, delegate, starts_on: date, ends_on: date, reason: str = "", actor,
             now: datetime | None = None) -> Delegation:
    """Let `delegate` stand in for `delegator` from `starts_on` to `ends_on` (both included)."""
    ensure_may_manage(organization, actor, delegator)
    reason = (reason or "").strip()[:200]
    if delegate.pk == delegator.pk:
        raise ApplicationError("Choose someone else to stand in.", {"field": "delegate"})
    if ends_on < starts_on:
        raise ApplicationError("The last day cannot be before the first day.", {"field": "ends_on"})
    if starts_on < today_in(organization, now):
        raise ApplicationError("The first day cannot be in the past.", {"field": "starts_on"})
    with transaction.atomic():
        # The delegator's membership row, locked, keeps two overlapping requests from both passing.
        if _deciding_membership(organization, delegator, for_update=True) is None:
            raise ApplicationError(f"{name_of(delegator)} does not approve actions in this organisation.",
                                   {"field": "delegator"})
        if _deciding_membership(organization, delegate) is None:
            raise ApplicationError(f"{name_of(delegate)} does not approve actions in this organisation, so they "
                                   "cannot stand in.", {"field": "delegate"})
        overlapping = (Delegation.objects.select_related("delegate")
                       .filter(organization=organization, delegator=delegator, revoked_at__isnull=True,
                               starts_on__lte=ends_on, ends_on__gte=starts_on).first())
        if overlapping is not None:
            raise Conflict(f"{name_of(overlapping.delegate)} already stands in for {name_of(delegator)} on "
                           f"{span_words(overlapping.starts_on, overlapping.ends_on)}; revoke that first or "
                           "choose other days.")
        created = Delegation.objects.create(organization=organization, delegator=delegator, delegate=delegate,
                                            starts_on=starts_on, ends_on=ends_on, reason=reason, created_by=actor)
        append_event(organization, event_type=EventType.POLICY_CHANGED, actor=Actor.for_user(actor),
                     data={"delegation": describe(created), "change": "delegation set", "id": created.pk,
                           "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "reason": reason})
    return created


def revoke(delegation: Delegation, actor, *, now: datetime | None = None) -> Delegation:
    """End a delegation now (or cancel one that has not started): the stand-in no longer counts,
    not even for approvals they already gave on actions still waiting."""
    organization = delegation.organization
    membership = _deciding_membership(organization, actor) if actor is not None and actor.is_authenticated else None
    if membership is None or (membership.role != Role.ADMIN
                              and actor.pk not in (delegation.delegator_id, delegation.delegate_id)):
        raise NotAllowed("Only the people it names or an admin can revoke this.")
    with transaction.atomic():
        locked = (Delegation.objects.select_for_update(of=("self",)).select_related("delegator", "delegate")
                  .get(pk=delegation.pk, organization=organization))
        if locked.revoked_at is not None:
            raise Conflict("This was already revoked.")
        if locked.ends_on < today_in(organization, now):
            raise Conflict("This is already over.")
        locked.revoked_at = now or timezone.now()
        locked.save(update_fields=["revoked_at"])
        append_event(organization, event_type=EventType.POLICY_CHANGED, actor=Actor.for_user(actor),
                     data={"delegation": describe(locked), "change": "delegation revoked", "id": locked.pk})
    return locked


def covering(organization, on_date: date):
    """Delegations in force on `on_date` (not revoked), with both people loaded."""
    return (Delegation.objects.select_related("delegator", "delegate")
            .filter(organization=organization, revoked_at__isnull=True, starts_on__lte=on_date, ends_on__gte=on_date))


def active_for(organization, user, on_date: date | None = None) -> Delegation | None:
    """Who stands in for `user` on `on_date` (default: the organisation's today), or None."""
    on_date = on_date or today_in(organization)
    return covering(organization, on_date).filter(delegator=user).order_by("starts_on", "pk").first()


def stand_ins(organization, delegators, on_date: date) -> dict[int, list[Delegation]]:
    """delegator id → the delegations in force for them on `on_date` (one query)."""
    found: dict[int, list[Delegation]] = {}
    for delegation in covering(organization, on_date).filter(delegator_id__in=list(delegators)):
        found.setdefault(delegation.delegator_id, []).append(delegation)
    return found


def listed(organization, user, *, everyone: bool, on_date: date) -> dict[str, list[Delegation]]:
    """The delegations a page shows, as current / upcoming / past (revoked ones with the past).
    `everyone` (admins): the whole organisation's; otherwise those naming `user`."""
    rows = Delegation.objects.select_related("delegator", "delegate", "created_by").filter(organization=organization)
    if not everyone:
        rows = rows.filter(Q(delegator=user) | Q(delegate=user))
    groups: dict[str, list[Delegation]] = {"current": [], "upcoming": [], "past": []}
    for delegation in rows.order_by("-starts_on", "-pk")[:200]:
        if delegation.revoked_at is not None or delegation.ends_on < on_date:
            groups["past"].append(delegation)
        elif delegation.starts_on > on_date:
            groups["upcoming"].append(delegation)
        else:
            groups["current"].append(delegation)
    groups["upcoming"].reverse()
    return groups
