"""Executing an approved action: claim, expiry, guardrails again, revalidation,
outbound record committed before any outside effect, the safe operation, outreach state,
result and execution log — every step audited.

PostgreSQL is the source of truth: the broker only wakes workers up. Whatever a crash
interrupts, `sweep()` finds it again from the database.
"""

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from audit.models import EventType
from audit.services import batched_appends
from integrations.errors import ExternalError
from integrations.odoo.connections import shared_client_for

from . import guardrails, lifecycle, notifications, operations
from .policy import autonomy, evaluate, inflight
from .contact_budget import contact_budget
from .fields import OUTSIDE_CHANNELS
from .models import Action, ActionStatus, Channel, ExecutionLog, LedgerStatus, OutboundRecord, OutreachState
from .predicates import NoDuplicateActionInWindow
from .protocol import ActionProtocol, parse_protocol
from .revalidation import channel_of, recent_outreach, revalidate, revision_for_observed_state

logger = logging.getLogger(__name__)

S = ActionStatus
MAX_ATTEMPTS = 3
#: Pauses before each try at recording an operation that already happened (a database restart).
RECORD_RETRY_DELAYS = (0.0, 1.0, 3.0)


@dataclass
class Outcome:
    """What one call of `execute()` did; `retry_in` asks the caller to try again later."""

    status: str
    detail: str = ""
    retry_in: float | None = None


@dataclass
class _Run:
    action: Action
    protocol: ActionProtocol
    now: datetime
    log: ExecutionLog
    steps: list = field(default_factory=list)
    #: Set once the operation has happened: its result and outbound record, still to be recorded.
    performed: tuple[dict, OutboundRecord] | None = None
    #: The outcome the execution log was last saved with ("" until then).
    log_saved: str = ""
    _mark: float = field(default_factory=time.monotonic)

    def step(self, name: str, note: str = "") -> None:
        now = time.monotonic()
        self.steps.append({"step": name, "ms": round((now - self._mark) * 1000, 1), **({"note": note} if note else {})})
        self._mark = now


def lease_seconds() -> int:
    """How long a claim holds: past the task's hard time limit, the worker is surely gone."""
    return int(settings.CELERY_TASK_TIME_LIMIT) + 30


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter, capped well below the broker's visibility timeout."""
    base = float(settings.AIOM_RETRY_BASE_SECONDS)
    cap = float(settings.AIOM_RETRY_MAX_SECONDS)
    return random.uniform(base / 2, min(cap, base * 2 ** max(attempt - 1, 0)))


def execute(action_id, *, now: datetime | None = None) -> Outcome:
    started = time.monotonic()
    with batched_appends():  # one commit: the claim, its audit event and the execution log
        _commit_without_waiting_for_disk()
        action = _claim(action_id, now or timezone.now())
        log = None if action is None else ExecutionLog.objects.create(
            action=action, attempt=action.attempts, started_at=timezone.now(), outcome="running")
    if action is None:
        current = Action.objects.filter(pk=action_id).values_list("status", flat=True).first()
        return Outcome(current or "missing", "not claimable (not approved, not due, or taken by another worker)")
    run = _Run(action, parse_protocol(action.protocol), now or timezone.now(), log, _mark=started)
    run.step("claim")
    try:
        outcome = _execute_claimed(run)
    except Exception as exc:  # noqa: BLE001 - every failure must leave the action in a known state
        outcome = _handle_error(run, exc)
    if run.log_saved != outcome.status:  # `_finish` saved it with the result, in the same commit
        _save_log(run, outcome.status)
    return outcome


def _commit_without_waiting_for_disk() -> None:
    """The claim's commit need not wait for the disk: nothing leaves before the outbound
    record's commit, which does wait and makes everything before it durable too. Lost in a
    database crash, a claim is only undone (the action is approved again, nothing was sent),
    and the organisation's audit chain head is held for a shorter time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _save_log(run: _Run, status: str) -> None:
    run.log.outcome = status
    run.log.finished_at = timezone.now()
    run.log.steps = run.steps
    run.log.save(update_fields=["outcome", "finished_at", "steps", "external_ids", "error"])
    run.log_saved = status


def _claim(action_id, now: datetime) -> Action | None:
    action = (Action.objects.select_related("organization").filter(pk=action_id, status=S.APPROVED)
              .exclude(not_before__gt=now).first())
    if action is None:
        return None
    try:
        return lifecycle.transition(action, S.EXECUTING, attempts=action.attempts + 1,
                                    lease_expires_at=now + timedelta(seconds=lease_seconds()),
                                    data={"attempt": action.attempts + 1})
    except lifecycle.StaleTransition:
        return None  # another worker claimed it first


def _execute_claimed(run: _Run) -> Outcome:
    action, protocol = run.action, run.protocol
    if protocol.is_expired(run.now):
        lifecycle.transition(action, S.EXPIRED, reason="Expired before it could run.")
        return Outcome(S.EXPIRED)
    policy = guardrails.policy_for(action.organization)
    refusals = guardrails.refusals_for(policy, protocol)
    if refusals:
        lifecycle.transition(action, S.DENIED, reason=" ".join(refusals))
        return Outcome(S.DENIED, " ".join(refusals))
    rules = inflight.recheck(action, protocol, now=run.now, policy=policy)
    if rules.deny:
        lifecycle.transition(action, S.DENIED, reason=rules.deny, guardrail_decision=rules.decision)
        return Outcome(S.DENIED, rules.deny)
    if rules.needs_people:
        lifecycle.transition(action, S.PENDING_APPROVAL, reason=rules.needs_people, lease_expires_at=None,
                             guardrail_decision=rules.decision, data={"policy": rules.decision.get("policy")})
        notifications.notify_pending(action)
        return Outcome(S.PENDING_APPROVAL, rules.needs_people)
    run.step("guardrails")

    odoo = shared_client_for(action.organization)
    checked = evaluate.with_checks(protocol, rules.extra_checks)
    verdict = revalidate(checked, organization=action.organization, odoo=odoo, now=run.now, action_id=action.pk)
    run.step("revalidate", verdict.summary())
    if verdict.failures:
        data = {"checks": [result.as_dict() for result in verdict.results]}
        if verdict.blocking:
            lifecycle.transition(action, S.BLOCKED, reason=verdict.summary(), event_type=EventType.REVALIDATION_FAILED,
                                 data=data)
            return Outcome(S.BLOCKED, verdict.summary())
        if verdict.needs_reapproval:
            return _send_back_for_reapproval(run, verdict, data)
        return _defer(run, verdict.defer_until, verdict.summary())

    channel = channel_of(protocol)
    reservation = _reserve(run, policy, channel)
    if isinstance(reservation, Outcome):
        return reservation
    run.step("ledger", reservation.status)
    if reservation.status == LedgerStatus.SENT:
        return _finish(run, reservation.detail.get("result", {}), reservation)

    retrying = reservation.detail.get("previous_attempt_unfinished", False)
    result = operations.perform(operations.Context(
        organization=action.organization, action_id=action.pk, protocol=protocol, odoo=odoo,
        retrying=retrying, now=run.now))
    run.step("operation", result.summary)
    run.performed = (result.as_dict(), reservation)
    return _finish(run, *run.performed)


def _reserve(run: _Run, policy, channel: str):
    """Commit the outbound record before anything leaves, under the policy lock so rate limits,
    the duplicate-outreach window and the per-customer contact budget hold across concurrent
    workers."""
    action, protocol = run.action, run.protocol
    with batched_appends():
        if channel in OUTSIDE_CHANNELS:  # only messages have rate limits, windows and a contact budget
            policy = guardrails.locked_policy(action.organization)
        existing = OutboundRecord.objects.select_for_update(no_key=True).filter(action=action).first()
        if existing is not None and existing.status == LedgerStatus.SENDING:
            if protocol.is_external:
                return mark_outcome_unknown(action, existing)
            existing.detail = {**existing.detail, "previous_attempt_unfinished": True}
            existing.save(update_fields=["detail", "updated_at"])
            return existing
        if existing is not None and existing.status == LedgerStatus.SENT:
            return existing
        wait_until = guardrails.rate_limit_until(policy, channel, run.now)
        if wait_until is not None:
            reason = guardrails.rate_limit_reason(policy, channel)
            if policy.on_rate_limit == "deny":
                lifecycle.transition(action, S.DENIED, reason=reason)
                return Outcome(S.DENIED, reason)
            return _defer(run, wait_until, reason)
        for partner_id, window in outreach_windows(protocol, policy, channel, action.partner_id).items():
            last = recent_outreach(action.organization, partner_id=partner_id, channel=channel,
                                   since=run.now - window, exclude_action=action.pk)
            if last is not None:
                return _defer(run, last + window, f"This partner was contacted by {channel} at "
                                                  f"{last:%Y-%m-%d %H:%M} UTC; waiting for the outreach window.")
        if channel in OUTSIDE_CHANNELS:  # one budget for every message to this customer, email and SMS together
            budget = contact_budget(action.organization, action.partner_id, run.now, policy=policy,
                                    exclude_action=action.pk)
            denied = policy.on_rate_limit == "deny"
            reason = budget.reason(waiting=not denied, expires_at=protocol.expires_at)
            if budget.spent and (denied or budget.outlives(protocol.expires_at)):  # waiting would only expire it
                lifecycle.transition(action, S.DENIED if denied else S.BLOCKED, reason=reason)
                return Outcome(S.DENIED if denied else S.BLOCKED, reason)
            if budget.spent:
                return _defer(run, budget.next_allowed_at, reason)
        if existing is not None:  # the last try definitely did not send: reuse the record
            existing.status, existing.detail = LedgerStatus.SENDING, {}
            existing.save(update_fields=["status", "detail", "updated_at"])
            return existing
        return OutboundRecord.objects.create(
            organization=action.organization, action=action, key=f"{action.pk}:{protocol.safe_operation.value}",
            channel=channel, partner_id=action.partner_id)


def outreach_windows(protocol: ActionProtocol, policy, channel: str, partner_id: int | None) -> dict[int, timedelta]:
    """Per partner, the gap this action promises since the last message on `channel`: the
    longest of the policy's window and the hours its own checks declare (what the approver saw
    on the card). Checked under the policy lock, with the outbound record, so two actions
    claimed at once cannot both pass it. A zero window means no minimum gap."""
    hours = {Channel.EMAIL: policy.email_window_hours, Channel.SMS: policy.sms_window_hours}.get(channel, 0)
    windows = {partner_id: timedelta(hours=hours)} if partner_id and hours else {}
    for check in protocol.revalidation_plan.checks:
        predicate = check.predicate
        if isinstance(predicate, NoDuplicateActionInWindow) and predicate.channel == channel \
                and predicate.partner_id and predicate.hours > 0:
            declared = timedelta(hours=predicate.hours)
            windows[predicate.partner_id] = max(windows.get(predicate.partner_id, declared), declared)
    return windows


def _finish(run: _Run, result: dict, record: OutboundRecord) -> Outcome:
    action = run.action
    now = timezone.now()
    with batched_appends():
        OutboundRecord.objects.filter(pk=record.pk).update(
            status=LedgerStatus.SENT, external_id=str(result.get("external_id", ""))[:200],
            detail={"result": result}, updated_at=now)
        if record.channel in OUTSIDE_CHANNELS and record.partner_id:
            _record_outreach(run, record, now)
        run.log.external_ids = result.get("external_ids", {})
        lifecycle.transition(action, S.EXECUTED, result=result, executed_at=now, lease_expires_at=None, error="",
                             reason=result.get("summary", ""), data={"result": result})
        notifications.notify_result(action)
        run.step("record")
        _save_log(run, S.EXECUTED)
    return Outcome(S.EXECUTED, result.get("summary", ""))


def _record_outreach(run: _Run, record: OutboundRecord, now: datetime) -> None:
    policy = guardrails.policy_for(run.action.organization)
    hours = policy.email_window_hours if record.channel == Channel.EMAIL else policy.sms_window_hours
    OutreachState.objects.update_or_create(
        organization=run.action.organization, partner_id=record.partner_id, channel=record.channel,
        context=f"{run.action.target_model}:{run.action.target_id}",
        defaults={"last_sent_at": now, "next_allowed_at": now + timedelta(hours=hours), "last_action": run.action})


def _defer(run: _Run, until: datetime, reason: str) -> Outcome:
    lifecycle.transition(run.action, S.APPROVED, reason=reason, event_type=EventType.DEFERRED,
                         not_before=until, lease_expires_at=None, data={"until": until.isoformat()})
    return Outcome("deferred", reason)


def _send_back_for_reapproval(run: _Run, verdict, data: dict) -> Outcome:
    revised = revision_for_observed_state(run.protocol, verdict.needs_reapproval)
    if revised is None:
        lifecycle.transition(run.action, S.BLOCKED, reason=verdict.summary(),
                             event_type=EventType.REVALIDATION_FAILED, data=data)
        return Outcome(S.BLOCKED, verdict.summary())
    lifecycle.transition(
        run.action, S.PENDING_APPROVAL, reason=verdict.summary(), protocol=revised.model_dump(mode="json"),
        protocol_hash=revised.protocol_hash, revision=run.action.revision + 1, lease_expires_at=None,
        data={**data, "previous_hash": run.action.protocol_hash, "protocol_hash": revised.protocol_hash})
    notifications.notify_pending(run.action)  # a new revision needs new links
    return Outcome(S.PENDING_APPROVAL, verdict.summary())


def _record_performed(run: _Run, exc: Exception) -> Outcome:
    """The operation happened but recording it failed (the database connection dropped):
    record it again once the database answers. Calling it failed would invite a resend; if the
    database stays away, the error propagates, the claim's lease runs out and the sweeper marks
    a send `outcome_unknown`."""
    logger.warning("action %s: the operation happened but recording it failed (%s); recording it again",
                   run.action.pk, exc.__class__.__name__)
    for delay in RECORD_RETRY_DELAYS:
        time.sleep(delay)
        connection.close_if_unusable_or_obsolete()
        try:
            run.action.status = Action.objects.values_list("status", flat=True).get(pk=run.action.pk)
            if run.action.status != S.EXECUTING:  # the first try did commit
                return Outcome(run.action.status, "recorded")
            return _finish(run, *run.performed)
        except DatabaseError as again:
            exc = again
    raise exc


def _handle_error(run: _Run, exc: Exception) -> Outcome:
    if run.performed is not None and isinstance(exc, DatabaseError):
        return _record_performed(run, exc)
    if isinstance(exc, ExternalError):
        permanent, message, maybe_done = exc.permanent, exc.message or exc.__class__.__name__, exc.maybe_done
    else:
        # A lost database connection is temporary (a restart, a failover); any other unexpected error is not.
        permanent = not isinstance(exc, OperationalError | InterfaceError)
        message, maybe_done = str(exc) or exc.__class__.__name__, False
    run.log.error = message
    logger.warning("action %s attempt %s failed (%s): %s", run.action.pk, run.action.attempts,
                   "permanent" if permanent else "transient", message)
    record = OutboundRecord.objects.filter(action=run.action, status=LedgerStatus.SENDING).first()
    if record is not None and record.channel in OUTSIDE_CHANNELS and maybe_done:
        with transaction.atomic():
            return mark_outcome_unknown(run.action, record, message)
    if record is not None and record.channel in OUTSIDE_CHANNELS:
        OutboundRecord.objects.filter(pk=record.pk).update(status=LedgerStatus.NOT_SENT, detail={"error": message})
    if not permanent and run.action.attempts < MAX_ATTEMPTS:
        delay = backoff_seconds(run.action.attempts)
        lifecycle.transition(run.action, S.APPROVED, reason=f"Temporary failure, retrying: {message}",
                             event_type=EventType.DEFERRED, not_before=timezone.now() + timedelta(seconds=delay),
                             lease_expires_at=None, error=message,
                             data={"attempt": run.action.attempts, "retry_in_seconds": round(delay, 1)})
        return Outcome("retrying", message, retry_in=delay)
    reason = message if permanent else f"Gave up after {run.action.attempts} attempts: {message}"
    lifecycle.transition(run.action, S.FAILED, reason=reason, error=message, lease_expires_at=None)
    autonomy.record_failed(run.action)  # a failure ends any earned autonomy of its kind
    notifications.notify_result(run.action)
    return Outcome(S.FAILED, reason)


def mark_outcome_unknown(action: Action, record: OutboundRecord, message: str = "") -> Outcome:
    """The send may or may not have happened: a person must find out (called with the record locked)."""
    reason = ("The worker stopped between 'about to send' and 'sent': the message may or may not have "
              "gone out. It will not be re-sent automatically; check with the recipient and resolve it.")
    lifecycle.transition(action, S.OUTCOME_UNKNOWN, reason=reason, lease_expires_at=None, error=message,
                         data={"channel": record.channel})
    notifications.notify_result(action)
    return Outcome(S.OUTCOME_UNKNOWN, reason)
