"""Writing actions: propose, approve, reject, cancel, supersede, expire, and recovery (retry a failed
action, resolve an unknown outcome, cancel an approved one before it starts, undo a send).
Editing a pending action before approval is in `editing.py`.

`propose()` is the one entry point that creates actions (recommender, follow-up engine,
assistant); the decisions below are the only ways a human moves one.
"""

import logging
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from aiom.errors import ApplicationError, Conflict
from audit.models import EventType
from audit.services import AI, SYSTEM, Actor, append_event

from . import dispatch, execution, guardrails, lifecycle, notifications
from .models import Action, ActionStatus, Approval, Decision, LedgerStatus, OutboundRecord
from .permissions import ensure_can_decide, ensure_not_own_high_risk
from .policy import approvers, autonomy, evaluate
from .policy.facts import partner_of
from .fields import Source
from .protocol import ActionProtocol, parse_protocol
from .types import action_type

logger = logging.getLogger(__name__)


class IdempotencyConflict(Conflict):
    """The idempotency key is taken by an action that does something else."""


class ActionExpired(ApplicationError):
    status_code = 410


def _actor_for_protocol(protocol: ActionProtocol) -> Actor:
    if protocol.created_by == "ai_coo":
        return AI
    if protocol.created_by == "system":
        return SYSTEM
    return Actor(protocol.created_by, "human")


def propose(organization, protocol, *, source: str | Source) -> Action:
    """Validate and store a proposed action; a repeat of an existing one returns that one.

    Same idempotency key with different parameters is refused (IdempotencyConflict) rather
    than silently replaced: the first proposal is what approvers saw.
    """
    protocol = parse_protocol(protocol)
    source = Source(source)
    existing = Action.objects.filter(organization=organization, idempotency_key=protocol.idempotency_key).first()
    if existing is not None:
        return _same_or_conflict(existing, protocol)
    policy = guardrails.policy_for(organization)
    decision, verdict = _judge(organization, policy, protocol)
    expiry_hours = min(policy.expiry_hours, verdict.expiry_hours or policy.expiry_hours)
    protocol = protocol.revise(
        risk_level=decision.risk_level,
        requires_approval=decision.outcome != guardrails.AUTO_EXECUTE,
        expires_at=min(protocol.expires_at, protocol.created_at + timedelta(hours=expiry_hours)),
    )
    protocol = evaluate.with_checks(protocol, evaluate.checks_for(protocol, verdict.add_checks, policy=policy))
    try:
        with transaction.atomic():
            action = Action.objects.create(
                id=protocol.action_id,
                organization=organization,
                protocol=protocol.model_dump(mode="json"),
                protocol_hash=protocol.protocol_hash,
                action_type=protocol.action_type,
                safe_operation=protocol.safe_operation,
                status=ActionStatus.PENDING_APPROVAL,
                risk_level=protocol.risk_level,
                requires_approval=protocol.requires_approval,
                guardrail_decision={**decision.as_dict(), "policy": verdict.as_dict()},
                idempotency_key=protocol.idempotency_key,
                parameters_fingerprint=protocol.parameters_fingerprint,
                source=source,
                created_by=protocol.created_by,
                title=protocol.title,
                target_model=protocol.affected_records.odoo_model,
                target_id=protocol.affected_records.odoo_ids[0],
                partner_id=partner_of(protocol),
                expires_at=protocol.expires_at,
            )
            append_event(organization, event_type=EventType.CREATED, actor=_actor_for_protocol(protocol),
                         action_id=action.pk,
                         data={"title": protocol.title, "action_type": protocol.action_type,
                               "risk_level": protocol.risk_level.value, "source": source.value,
                               "protocol_hash": protocol.protocol_hash})
            append_event(organization, event_type=EventType.GUARDRAIL_DECISION, action_id=action.pk,
                         data=decision.as_dict())
            _apply_decision(action, decision)
    except IntegrityError:
        # A concurrent propose() with the same key won the insert: answer as it would have.
        existing = Action.objects.filter(organization=organization, idempotency_key=protocol.idempotency_key).first()
        if existing is None:
            if Action.objects.filter(pk=protocol.action_id).exists():
                raise Conflict(f"Action id {protocol.action_id} is already used by another action; "
                               "nothing was proposed.") from None
            raise
        return _same_or_conflict(existing, protocol)
    notifications.notify_pending(action)  # does nothing unless the action waits for people
    return action


def _judge(organization, policy, protocol: ActionProtocol):
    """The guardrails' decision with the organisation's rules, and an earned-autonomy grant
    where the rules leave it to the guardrails and a person would otherwise be asked."""
    verdict = evaluate.judge(organization, protocol, at=timezone.now(), policy=policy)
    decision = guardrails.decide_proposal(policy, protocol, rules=verdict)
    if decision.outcome == guardrails.REQUIRE_APPROVAL and verdict.effect is None:
        grant = autonomy.grant_for(organization, protocol.revise(risk_level=decision.risk_level))
        if grant is not None:
            decision = guardrails.decide_proposal(policy, protocol, rules=verdict, grant=grant)
    return decision, verdict


def _apply_decision(action: Action, decision: guardrails.Decision) -> None:
    reason = " ".join(decision.reasons)
    if decision.outcome == guardrails.DENY:
        lifecycle.transition(action, ActionStatus.DENIED, reason=reason)
    elif decision.outcome == guardrails.AUTO_EXECUTE:
        # A message a rule or earned autonomy lets run still waits the send delay: it can be undone.
        _approved(action, actor=SYSTEM, reason=reason, data={"auto_execute": True})


def _same_or_conflict(existing: Action, protocol: ActionProtocol) -> Action:
    if existing.parameters_fingerprint != protocol.parameters_fingerprint:
        raise IdempotencyConflict(
            f"Idempotency key {protocol.idempotency_key!r} is already used by a different action "
            f"({existing.title!r}); nothing was proposed.",
            {"existing_action_id": str(existing.pk)},
        )
    return existing


def approve(action: Action, user, *, comment: str = "", channel: str = "dashboard",
            protocol_hash: str | None = None) -> Action:
    """Record `user`'s approval; the action becomes approved once enough people agree.

    `protocol_hash`, when given (email tokens, forms), must match the current revision, so an
    approval can never apply to text the approver did not see.
    """
    ensure_can_decide(user, action.organization)
    with _deciding(action):
        action = lock_pending(action, protocol_hash)
        ensure_not_own_high_risk(user, action)  # may decide at all: checked above, before the lock
        _record_decision(action, user, Decision.APPROVE, comment, channel)
        so_far = approvers.progress(action)
        if not so_far.complete:
            append_event(action.organization, event_type=EventType.APPROVED, actor=Actor.for_user(user),
                         action_id=action.pk,
                         data={"approvals": so_far.given, "required": so_far.required, "missing": list(so_far.missing),
                               "comment": comment, "channel": channel, "protocol_hash": action.protocol_hash})
            return action
        approved = _approved(action, actor=Actor.for_user(user), data={
            "comment": comment, "channel": channel, "approvals": so_far.given, "required": so_far.required,
            "missing": []})
        autonomy.record_approved(approved, edited=approved.revision > 1)
        return approved


def _approved(action: Action, *, actor: Actor, reason: str = "", data: dict) -> Action:
    """Approved now, by people or by the guardrails: an outside message waits the send delay
    (so it can be undone), and the executor is woken once the commit is in."""
    delay = _send_delay_seconds(action)
    now = timezone.now()
    approved = lifecycle.transition(
        action, ActionStatus.APPROVED, actor=actor, reason=reason, decided_at=now,
        not_before=now + timedelta(seconds=delay) if delay else None,
        data={**data, "protocol_hash": action.protocol_hash, **({"send_delay_seconds": delay} if delay else {})})
    dispatch.enqueue_on_commit(approved.pk, countdown=delay or None)
    return approved


def _send_delay_seconds(action: Action) -> int:
    """Messages to people outside the company wait the organisation's send delay after the
    last approval, so a person can still undo them; everything else runs at once."""
    if not action_type(action.action_type).external:
        return 0
    return guardrails.policy_for(action.organization).send_delay_seconds


def reject(action: Action, user, *, reason: str, channel: str = "dashboard", protocol_hash: str | None = None) -> Action:
    ensure_can_decide(user, action.organization)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("A rejection needs a reason.", {"field": "reason"})
    with _deciding(action):
        action = lock_pending(action, protocol_hash)
        _record_decision(action, user, Decision.REJECT, reason, channel)
        rejected = lifecycle.transition(
            action, ActionStatus.REJECTED, actor=Actor.for_user(user), reason=reason, decided_at=timezone.now(),
            data={"channel": channel, "protocol_hash": action.protocol_hash},
        )
        autonomy.record_rejected(rejected)
        return rejected


def cancel(action: Action, *, reason: str, actor: Actor = SYSTEM) -> Action:
    """Withdraw an action nobody needs any more (superseded, or its target no longer needs it)."""
    return lifecycle.transition(action, ActionStatus.CANCELLED, actor=actor, reason=reason)


def supersede(old: Action, *, by: Action) -> Action:
    """`old`, still pending, is replaced by the newer proposal `by`: it can no longer be
    decided, and it points at its successor (the audit event names it too)."""
    if by.pk == old.pk or by.organization_id != old.organization_id:
        raise ApplicationError("An action can only be superseded by another action of the same organisation.")
    return lifecycle.transition(old, ActionStatus.SUPERSEDED, reason=f"Superseded by a newer proposal: {by.title}",
                                superseded_by=by, data={"superseded_by": str(by.pk)})


def expire_due(now: datetime | None = None) -> int:
    """Expire every pending action past its expiry; returns how many."""
    now = now or timezone.now()
    expired = 0
    due = Action.objects.select_related("organization").filter(
        status=ActionStatus.PENDING_APPROVAL, expires_at__lte=now)
    for action in due.iterator(chunk_size=500):
        try:
            lifecycle.transition(action, ActionStatus.EXPIRED, reason="Nobody decided before it expired.")
            expired += 1
        except lifecycle.StaleTransition:
            continue  # decided meanwhile
    return expired


def lock_pending(action: Action, protocol_hash: str | None) -> Action:
    """Re-read the action under a row lock and check it can still be decided (or edited)."""
    locked = Action.objects.select_for_update(no_key=True, of=("self",)).select_related("organization").get(pk=action.pk)
    if locked.status != ActionStatus.PENDING_APPROVAL:
        raise lifecycle.StaleTransition(
            f"This action is already {ActionStatus(locked.status).label.lower()}.", {"current": locked.status})
    if protocol_hash is not None and protocol_hash != locked.protocol_hash:
        raise Conflict("This action was edited after you saw it; review the new version.",
                       {"current_hash": locked.protocol_hash})
    if locked.expires_at <= timezone.now():
        raise ActionExpired("This action has expired; it can no longer be decided.")
    return locked


@contextmanager
def _deciding(action: Action):
    """One transaction for a decision; a decision refused for expiry still marks the action expired."""
    try:
        with transaction.atomic():
            yield
    except ActionExpired:
        try:
            lifecycle.transition(Action.objects.select_related("organization").get(pk=action.pk),
                                 ActionStatus.EXPIRED, reason="Nobody decided before it expired.")
        except lifecycle.StaleTransition:
            pass
        raise


def _record_decision(action: Action, user, decision: str, comment: str, channel: str) -> None:
    if action.approvals.filter(user=user, protocol_hash=action.protocol_hash, undone_at__isnull=True).exists():
        raise Conflict("You have already decided on this version of the action.")
    Approval.objects.create(action=action, user=user, decision=decision, protocol_hash=action.protocol_hash,
                            comment=comment, channel=channel)


def execute(action_id) -> execution.Outcome:
    """The one entry point that executes an approved action (the task and the sweeper call it)."""
    return execution.execute(action_id)


# ---------------------------------------------------------------------------------------------
# People recover: a failed action runs again, an unknown outcome is resolved.


def resolve_outcome_unknown(action: Action, *, user, sent: bool, note: str = "") -> Action:
    """A person says what happened to a message whose outcome was unknown: "sent" ends it as
    executed (nothing is ever sent again), "not sent" marks it failed, so it may be retried."""
    ensure_can_decide(user, action.organization)
    _require_status(action, ActionStatus.OUTCOME_UNKNOWN, "Only an action whose outcome is unknown can be resolved")
    target = ActionStatus.EXECUTED if sent else ActionStatus.FAILED
    note = (note or "").strip()
    with transaction.atomic():
        OutboundRecord.objects.filter(action=action).update(
            status=LedgerStatus.SENT if sent else LedgerStatus.NOT_SENT, updated_at=timezone.now())
        return lifecycle.transition(action, target, actor=Actor.for_user(user),
                                    reason=note or ("Confirmed sent by a person." if sent else "Confirmed not sent."),
                                    data={"resolved_as": "sent" if sent else "not_sent"})


def retry_failed(action: Action, *, user) -> Action:
    """A person asks for a failed action to run again (once more, from a fresh attempt count);
    a worker is woken once the request commits. The approved revision stays as it is: the
    executor checks it against Odoo again and sends it back for approval if the state moved."""
    ensure_can_decide(user, action.organization)
    _require_status(action, ActionStatus.FAILED, "Only a failed action can be retried")
    with transaction.atomic():
        retried = lifecycle.transition(action, ActionStatus.APPROVED, actor=Actor.for_user(user), reason="Retry requested.",
                                       attempts=0, not_before=None, event_type=EventType.REQUEUED,
                                       data={"protocol_hash": action.protocol_hash})
        dispatch.enqueue_on_commit(retried.pk)
    return retried


def cancel_approved(action: Action, *, user, reason: str) -> Action:
    """A person stops an approved action before it starts. Once a worker has claimed it, or a
    send may already have left, it can no longer be cancelled."""
    ensure_can_decide(user, action.organization)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Cancelling needs a reason.", {"field": "reason"})
    _require_status(action, ActionStatus.APPROVED, "Only an approved action that has not started can be cancelled")
    with transaction.atomic():
        started = OutboundRecord.objects.filter(action=action).exclude(status=LedgerStatus.NOT_SENT).exists()
        if started:
            raise lifecycle.InvalidTransition("This action has already started running; it can no longer be "
                                              "cancelled.", {"current": action.status})
        return lifecycle.transition(action, ActionStatus.CANCELLED, actor=Actor.for_user(user), reason=reason,
                                    data={"protocol_hash": action.protocol_hash})


def undo_send(action: Action, *, user) -> Action:
    """Take back an approved message during its send delay: it waits for approval again, and
    the approvals given so far stop counting (they stay on record, marked undone, so their
    approvers may decide again). Once the delay is over or a worker has claimed it, it is too
    late: the row lock and the executor's conditional claim let only one of the two win."""
    ensure_can_decide(user, action.organization)
    with transaction.atomic():
        locked = Action.objects.select_for_update(no_key=True, of=("self",)).select_related("organization").get(
            pk=action.pk)
        if locked.send_delay_left() is None:
            raise lifecycle.InvalidTransition(_too_late_to_undo(locked), {"current": locked.status})
        undone = locked.current_approvals().update(undone_at=timezone.now())
        return lifecycle.transition(
            locked, ActionStatus.PENDING_APPROVAL, actor=Actor.for_user(user), event_type=EventType.UNDONE,
            reason="Undone before it was sent; it needs approval again.", not_before=None, decided_at=None,
            data={"protocol_hash": locked.protocol_hash, "approvals_undone": undone})


def _too_late_to_undo(action: Action) -> str:
    if action.status == ActionStatus.APPROVED and not action.attempts and action.not_before is not None:
        return "Too late to undo: the send delay is over and the message is being sent."
    if action.status in (ActionStatus.EXECUTING, ActionStatus.EXECUTED, ActionStatus.OUTCOME_UNKNOWN):
        return f"Too late to undo: this action is already {ActionStatus(action.status).label.lower()}."
    return ("Only an approved message still waiting for its send delay can be undone; this one is "
            f"{ActionStatus(action.status).label.lower()}.")


def _require_status(action: Action, status: str, refusal: str) -> None:
    """Recovery applies to one status only; the transition itself then checks it did not move."""
    if action.status != status:
        raise lifecycle.InvalidTransition(
            f"{refusal}; this one is {ActionStatus(action.status).label.lower()}.",
            {"current": action.status})
