"""Earned autonomy: a class of actions (type, message template, risk) that people approved N
times in a row without changing a word may be suggested to run by itself for a while.

AIOM only ever *suggests*: an admin accepts (for `autonomy_days`) or declines, and any rejection,
edit, failure or customer complaint sends the class straight back to approval. High-risk work is
never suggested, and messages to people outside the company only when the organisation allows
them to run without a person (`allow_external_auto_execute`). This module is the only writer of
`AutonomyTrack`; the services, the executor and the guardrails call the hooks below. It must not
import them (they import it).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from aiom.errors import Conflict
from audit.models import EventType
from audit.services import SYSTEM, Actor, append_event

from .. import permissions
from ..fields import RiskLevel
from ..models import Action, ActionStatus, GuardrailPolicy
from ..types import UnknownActionType, action_type
from .models import AutonomyStatus, AutonomyTrack

S = AutonomyStatus
#: The highest risk a class may have to be suggested at all.
HIGHEST_RISK = RiskLevel.MEDIUM
#: Tracks that may run (or are about to be offered to run) without a person: what a demotion stops.
STANDING = (S.ACTIVE, S.SUGGESTED)
#: Statuses of actions that may have reached the partner (a complaint can be about them).
MAY_HAVE_SENT = (ActionStatus.APPROVED, ActionStatus.EXECUTING, ActionStatus.EXECUTED, ActionStatus.FAILED,
                 ActionStatus.OUTCOME_UNKNOWN)
TEMPLATE_MAX = AutonomyTrack._meta.get_field("template").max_length

#: What people call each built-in type, as a plural ("… emails"), for the autonomy page.
TYPE_WORDS = {
    "send_invoice_reminder": "invoice reminder emails",
    "send_invoice_reminder_sms": "invoice reminder SMS",
    "follow_up_stalled_deal": "follow-up emails on stalled deals",
    "schedule_deal_call": "calls planned on deals",
    "advance_deal_stage": "deal stage moves",
    "create_collection_task": "collection tasks",
    "create_staff_task": "staff tasks",
    "note_overdue_task": "notes on overdue tasks",
    "note_on_record": "notes on records",
    "schedule_next_follow_up": "reminders to follow up",
    "create_requested_task": "tasks people ask for",
    "schedule_call": "calls people ask for",
    "email_customer": "emails to customers",
    "record_expense": "draft expenses",
    "send_dunning_email": "invoice follow-up emails",
    "send_dunning_sms": "invoice follow-up SMS",
    "create_dunning_task": "invoice follow-up tasks",
    "thank_for_payment": "thank-you emails for payments",
}
WORDING_WORDS = {"courtesy": "Courtesy", "friendly": "Friendly", "firm": "Firm", "final": "Final-notice"}


# ---------------------------------------------------------------------------------------------
# Classes


def class_of(protocol_or_action) -> tuple[str, str, str]:
    """(action type, template, risk): a follow-up's level and wording are part of the template, so
    a friendly reminder earns its autonomy apart from a final notice."""
    if isinstance(protocol_or_action, Action):
        kind, risk = protocol_or_action.action_type, protocol_or_action.risk_level
        metadata = (protocol_or_action.protocol or {}).get("metadata") or {}
    elif isinstance(protocol_or_action, dict):
        kind, risk = protocol_or_action["action_type"], protocol_or_action["risk_level"]
        metadata = protocol_or_action.get("metadata") or {}
    else:
        kind, risk, metadata = protocol_or_action.action_type, protocol_or_action.risk_level, protocol_or_action.metadata
    try:
        parts = [action_type(kind).message_template or ""]
    except UnknownActionType:
        parts = [""]
    for key, name in (("level", "level_name"), ("wording", "wording")):
        value = metadata.get(name)
        if isinstance(value, str) and value.strip():
            parts.append(f"{key}={value.strip().replace('|', '/')}")
    template = "|".join(parts) if len(parts) > 1 else parts[0]
    return str(kind), template[:TEMPLATE_MAX], str(RiskLevel(risk).value)


def describe(track: AutonomyTrack) -> str:
    """The class in words: "Friendly invoice reminder emails (medium risk)"."""
    words = TYPE_WORDS.get(track.action_type)
    if words is None:
        try:
            words = action_type(track.action_type).label
        except UnknownActionType:
            words = track.action_type.replace("_", " ")
    parts = dict(part.split("=", 1) for part in track.template.split("|")[1:] if "=" in part)
    if parts.get("wording") in WORDING_WORDS:
        words = f"{WORDING_WORDS[parts['wording']]} {words}"
    if parts.get("level"):
        words = f"{words}, “{parts['level']}” level"
    return f"{words[:1].upper()}{words[1:]} ({track.risk_level} risk)"


def streak_words(track: AutonomyTrack) -> str:
    return f"{track.streak} approval{'s' if track.streak != 1 else ''} in a row without a change"


def is_external(kind: str) -> bool:
    try:
        return action_type(kind).external
    except UnknownActionType:
        return True  # unknown: treated as the stricter kind


def eligible(policy: GuardrailPolicy, kind: str, risk: str) -> bool:
    """May this class run without a person at all? Low or medium risk, and messages to people
    outside only where the organisation allows it."""
    try:
        low_enough = RiskLevel(risk).rank <= HIGHEST_RISK.rank
    except ValueError:
        return False
    return low_enough and (policy.allow_external_auto_execute or not is_external(kind))


def policy_of(organization) -> GuardrailPolicy:
    policy, _ = GuardrailPolicy.objects.get_or_create(organization=organization)
    return policy


def _locked(organization, kind: str, template: str, risk: str, *, create: bool) -> AutonomyTrack | None:
    """The class's track, locked until the caller's transaction ends (made when `create`)."""
    fields = {"organization": organization, "action_type": kind, "template": template, "risk_level": risk}
    if create and not AutonomyTrack.objects.filter(**fields).exists():
        try:
            with transaction.atomic():
                AutonomyTrack.objects.create(**fields)
        except IntegrityError:
            pass  # made by a concurrent approval: lock that one
    return AutonomyTrack.objects.select_for_update().filter(**fields).first()


def _audit(track: AutonomyTrack, words: str, *, actor: Actor = SYSTEM, **data) -> None:
    append_event(track.organization, event_type=EventType.POLICY_CHANGED, actor=actor,
                 data={"autonomy": words, "class": describe(track), "status": track.status, **data})


def _change(track: AutonomyTrack, status: str, words: str, *, actor: Actor = SYSTEM, data=None, **fields) -> None:
    track.status, track.last_change = status, words[:300]
    for name, value in fields.items():
        setattr(track, name, value)
    track.save()
    _audit(track, words, actor=actor, **(data or {}))


def _day(moment: datetime, organization) -> str:
    zone = ZoneInfo(policy_of(organization).zone)
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b}"


# ---------------------------------------------------------------------------------------------
# Hooks: what happened to an action of the class


def record_approved(action: Action, *, edited: bool) -> AutonomyTrack | None:
    """People approved an action: one more in the class's streak (none after an edit). At N in
    a row, an eligible class is suggested to the admins."""
    kind, template, risk = class_of(action)
    if RiskLevel(risk).rank > HIGHEST_RISK.rank:
        return None  # never suggested, so not counted
    organization = action.organization
    policy = policy_of(organization)
    with transaction.atomic():
        track = _locked(organization, kind, template, risk, create=True)
        track.streak = 0 if edited else track.streak + 1
        if (track.status not in STANDING and track.streak >= policy.autonomy_streak
                and eligible(policy, kind, risk)):
            _change(track, S.SUGGESTED, f"AIOM suggests running {describe(track)} automatically: "
                                        f"{streak_words(track)}.",
                    suggested_at=timezone.now(), decided_by=None, decided_at=None, active_until=None,
                    data={"action_id": str(action.pk), "streak": track.streak})
        else:
            track.save(update_fields=["streak", "updated_at"])
    return track


def record_rejected(action: Action) -> None:
    _demote_for(action, "an action of this kind was rejected")


def record_edited(action: Action) -> None:
    _demote_for(action, "an action of this kind was changed before approval")


def record_failed(action: Action) -> None:
    _demote_for(action, "an action of this kind failed")


def _demote_for(action: Action, why: str) -> None:
    kind, template, risk = class_of(action)
    with transaction.atomic():
        track = _locked(action.organization, kind, template, risk, create=False)
        if track is not None:
            _demote(track, f"Back to approval: {why} (“{action.title}”).", action_id=str(action.pk))


def _demote(track: AutonomyTrack, words: str, *, actor: Actor = SYSTEM, **data) -> bool:
    """Streak back to 0; an active or suggested class goes back to approval (True), audited."""
    track.streak = 0
    if track.status not in STANDING:
        track.save(update_fields=["streak", "updated_at"])
        return False
    _change(track, S.DEMOTED, words, actor=actor, active_until=None, data=data)
    return True


def record_complaint(organization, partner_id, *, reason: str) -> int:
    """A customer complained (marked a message as spam, unsubscribed): every class that messaged
    them in the last `autonomy_days` goes back to approval. Returns how many did."""
    if partner_id is None:
        return 0
    since = timezone.now() - timedelta(days=policy_of(organization).autonomy_days)
    actions = (Action.objects.filter(organization=organization, created_at__gte=since, status__in=MAY_HAVE_SENT)
               .filter(Q(partner_id=partner_id) | Q(outbound__partner_id=partner_id))
               .only("action_type", "risk_level", "protocol"))
    classes = {class_of(action) for action in actions if is_external(action.action_type)}
    demoted = 0
    with transaction.atomic():
        for kind, template, risk in sorted(classes):
            track = _locked(organization, kind, template, risk, create=False)
            if track is not None and _demote(track, f"Back to approval: a customer complained — {reason}"[:300],
                                             partner_id=partner_id):
                demoted += 1
    return demoted


# ---------------------------------------------------------------------------------------------
# Admins decide


def ensure_admin(user, organization) -> None:
    permissions.ensure_admin(user, organization,
                             refused="Only an admin of this organisation can decide what runs without approval.")


def _decided(track: AutonomyTrack, admin_user, expected: tuple) -> AutonomyTrack:
    ensure_admin(admin_user, track.organization)
    locked = AutonomyTrack.objects.select_for_update().select_related("organization").get(pk=track.pk)
    if locked.status not in expected:
        raise Conflict(f"This is no longer waiting: it is “{S(locked.status).label.lower()}”.",
                       {"current": locked.status})
    return locked


def accept(track: AutonomyTrack, admin_user, *, now: datetime | None = None) -> AutonomyTrack:
    """The admin lets the class run by itself for the organisation's `autonomy_days`."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _decided(track, admin_user, (S.SUGGESTED,))
        policy = policy_of(locked.organization)
        if not eligible(policy, locked.action_type, locked.risk_level):
            raise Conflict("This kind of action may no longer run without approval: messages to people outside "
                           "the company need a person unless the guardrails allow them.")
        until = now + timedelta(days=policy.autonomy_days)
        _change(locked, S.ACTIVE, f"{admin_user.get_username()} let {describe(locked)} run automatically until "
                                  f"{_day(until, locked.organization)}.",
                actor=Actor.for_user(admin_user), decided_by=admin_user, decided_at=now, active_until=until,
                data={"active_until": until.isoformat()})
    return locked


def decline(track: AutonomyTrack, admin_user) -> AutonomyTrack:
    """The admin keeps approving the class; it may be suggested again after another full streak."""
    with transaction.atomic():
        locked = _decided(track, admin_user, (S.SUGGESTED,))
        policy = policy_of(locked.organization)
        _change(locked, S.DECLINED, f"{admin_user.get_username()} declined running {describe(locked)} "
                                    f"automatically; AIOM asks again after {policy.autonomy_streak} more approvals "
                                    "in a row.",
                actor=Actor.for_user(admin_user), decided_by=admin_user, decided_at=timezone.now(), streak=0)
    return locked


def stop(track: AutonomyTrack, admin_user) -> AutonomyTrack:
    """The admin ends an active grant before its time: back to approval."""
    with transaction.atomic():
        locked = _decided(track, admin_user, (S.ACTIVE,))
        _demote(locked, f"Back to approval: stopped by {admin_user.get_username()}.",
                actor=Actor.for_user(admin_user))
        locked.decided_by, locked.decided_at = admin_user, timezone.now()
        locked.save(update_fields=["decided_by", "decided_at", "updated_at"])
    return locked


# ---------------------------------------------------------------------------------------------
# What the guardrails ask


def grant_for(organization, protocol, *, now: datetime | None = None) -> AutonomyTrack | None:
    """The active, unexpired grant for this protocol's class (risk taken as given, after the risk
    floor), or None. A grant past its end goes back to counting approvals."""
    now = now or timezone.now()
    kind, template, risk = class_of(protocol)
    track = AutonomyTrack.objects.select_related("organization").filter(
        organization=organization, action_type=kind, template=template, risk_level=risk,
        status=S.ACTIVE).first()
    if track is None:
        return None
    if track.active_until is None or track.active_until <= now:
        _expire(track)
        return None
    return track if eligible(policy_of(organization), kind, risk) else None


def _expire(track: AutonomyTrack) -> None:
    ended = track.active_until or timezone.now()
    words = (f"The automatic run of {describe(track)} ended on {_day(ended, track.organization)}: back to counting "
             "approvals.")
    with transaction.atomic():
        if AutonomyTrack.objects.filter(pk=track.pk, status=S.ACTIVE).update(
                status=S.COUNTING, streak=0, last_change=words[:300], updated_at=timezone.now()):
            track.status, track.streak, track.last_change = S.COUNTING, 0, words[:300]
            _audit(track, words)


def expire_due(organization, *, now: datetime | None = None) -> int:
    """Every grant of the organisation past its end goes back to counting (the page calls it)."""
    now = now or timezone.now()
    due = AutonomyTrack.objects.select_related("organization").filter(
        organization=organization, status=S.ACTIVE).filter(Q(active_until__lte=now) | Q(active_until__isnull=True))
    count = 0
    for track in due:
        _expire(track)
        count += 1
    return count


# ---------------------------------------------------------------------------------------------
# Read side (the page, the navigation badge, the overview)


def waiting_count(organization) -> int:
    return AutonomyTrack.objects.filter(organization=organization, status=S.SUGGESTED).count()


def page_for(organization, *, now: datetime | None = None) -> dict:
    expire_due(organization, now=now)
    tracks = AutonomyTrack.objects.filter(organization=organization).select_related("decided_by")
    zone = ZoneInfo(policy_of(organization).zone)

    def row(track):
        until = track.active_until.astimezone(zone) if track.active_until else None
        return {"track": track, "words": describe(track), "streak": streak_words(track),
                "until": f"{until.day} {until:%b}" if until else ""}

    return {
        "suggested": [row(t) for t in tracks.filter(status=S.SUGGESTED).order_by("-suggested_at")],
        "active": [row(t) for t in tracks.filter(status=S.ACTIVE).order_by("active_until")],
        "demoted": [row(t) for t in tracks.filter(status__in=(S.DEMOTED, S.DECLINED)).order_by("-updated_at")[:20]],
        "counting": [row(t) for t in tracks.filter(status=S.COUNTING, streak__gt=0).order_by("-streak")[:20]],
    }

