"""Actions: one validated ActionProtocol each, and the decisions made on it."""

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from . import types
from .fields import Channel, RiskLevel, Source
from .protocol import ActionProtocol


class ActionStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", "Pending approval"
    APPROVED = "approved", "Approved"
    EXECUTING = "executing", "Executing"
    EXECUTED = "executed", "Executed"
    FAILED = "failed", "Failed"
    OUTCOME_UNKNOWN = "outcome_unknown", "Outcome unknown"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"
    DENIED = "denied", "Denied by guardrails"
    BLOCKED = "blocked", "Blocked by revalidation"
    SUPERSEDED = "superseded", "Superseded by a newer proposal"


class Action(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="= protocol.action_id")
    organization = models.ForeignKey("aiom.Organization", on_delete=models.PROTECT, related_name="actions")
    protocol = models.JSONField(help_text="The whole ActionProtocol, as validated.")
    protocol_hash = models.CharField(max_length=64)
    revision = models.PositiveIntegerField(default=1)
    action_type = models.CharField(max_length=40, choices=types.action_type_choices)
    safe_operation = models.CharField(max_length=40, choices=[(o.value, o.value) for o in types.SafeOperation])
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PENDING_APPROVAL)
    status_reason = models.TextField(blank=True)
    risk_level = models.CharField(max_length=10, choices=[(r.value, r.value) for r in RiskLevel])
    requires_approval = models.BooleanField(default=True)
    guardrail_decision = models.JSONField(default=dict, blank=True, help_text="decision, risk_level, reasons")
    idempotency_key = models.CharField(max_length=200)
    parameters_fingerprint = models.CharField(max_length=64)
    source = models.CharField(max_length=20, choices=[(s.value, s.value) for s in Source])
    created_by = models.CharField(max_length=40)
    title = models.CharField(max_length=255)
    target_model = models.CharField(max_length=64)
    target_id = models.PositiveIntegerField()
    partner_id = models.PositiveIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField()
    not_before = models.DateTimeField(null=True, blank=True, help_text="Deferred until (quiet hours, rate limits).")
    attempts = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="While executing: after this, the worker is presumed dead.")
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    #: PROTECT: the successor is part of this action's record; deleting it must not leave a
    #: superseded action that no longer says what replaced it.
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes",
                                      help_text="The newer proposal that replaced this one.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "idempotency_key"], name="one_action_per_idempotency_key"),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["organization", "target_model", "target_id"]),
        ]
        permissions = [("decide_action", "Can approve or reject actions in the admin")]

    def __str__(self) -> str:
        return f"{self.title} [{self.status}]"

    @property
    def parsed(self) -> ActionProtocol:
        return ActionProtocol.model_validate(self.protocol)

    def send_delay_left(self, now: datetime.datetime | None = None) -> datetime.timedelta | None:
        """How long this approved message still waits before it may be sent (and may be undone);
        None once the delay is over, when it has started, or when there is no delay."""
        now = now or timezone.now()
        if (self.status != ActionStatus.APPROVED or self.attempts or self.not_before is None
                or self.not_before <= now or not types.action_type(self.action_type).external):
            return None
        return self.not_before - now

    def current_approvals(self):
        """The approvals that count: given to the revision as it stands (an edit voids earlier
        ones) and not undone since (an Undo during the send delay voids them too)."""
        return self.approvals.filter(decision=Decision.APPROVE, protocol_hash=self.protocol_hash,
                                     undone_at__isnull=True)

    def standing_decisions(self) -> list:
        """The same rule read from prefetched approvals (no query per card or row): every decision
        on the revision as it stands that was not undone."""
        return [decision for decision in self.approvals.all()
                if decision.protocol_hash == self.protocol_hash and decision.undone_at is None]


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class Approval(models.Model):
    """One person's decision on one revision (protocol_hash) of an action."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    protocol_hash = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    channel = models.CharField(max_length=20, default="dashboard")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when someone pressed Undo before the message was sent: this "
                                         "approval no longer counts, and its approver may decide again.")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["action", "user", "protocol_hash"], condition=models.Q(undone_at__isnull=True),
                                    name="one_decision_per_user_and_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.decision}d {self.action_id}"


class RateLimitBehaviour(models.TextChoices):
    DEFER = "defer", "Keep approved and send when the limit allows"
    DENY = "deny", "Deny the action"


class GuardrailPolicy(models.Model):
    """What AIOM may do for one organisation, and what needs a human. Conservative defaults:
    everything waits for approval; only low-risk internal work may auto-execute, and only when
    an administrator turns that on. Changes go through `guardrails.policy_update` (audited)."""

    organization = models.OneToOneField("aiom.Organization", on_delete=models.CASCADE, related_name="guardrail_policy")
    auto_execute_internal = models.BooleanField(
        default=False, help_text="Let low-risk internal actions (notes, activities, tasks) run without approval.")
    may_create_tasks = models.BooleanField(default=True)
    may_send_email = models.BooleanField(default=True)
    may_send_sms = models.BooleanField(default=True)
    may_move_deal_stages = models.BooleanField(default=True)
    may_create_expenses = models.BooleanField(default=True, help_text="Record draft expenses people ask for.")
    follow_up_sequences = models.BooleanField(
        default=False, help_text="Chase unpaid invoices with the follow-up sequences (one message per customer and "
                                 "level) instead of one reminder per invoice from each analysis.")
    max_recipients_per_email = models.PositiveSmallIntegerField(default=10)
    emails_per_hour = models.PositiveIntegerField(default=100)
    sms_per_day = models.PositiveIntegerField(default=50)
    max_records_per_bulk = models.PositiveIntegerField(default=10)
    bulk_approve_high_risk = models.BooleanField(
        default=False, help_text="Let high and critical actions be approved together with others; otherwise each is "
                                 "approved on its own.")
    max_amount_without_approval = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    business_hours_start = models.TimeField(default=datetime.time(9, 0))
    business_hours_end = models.TimeField(default=datetime.time(17, 0))
    weekends_off = models.BooleanField(default=True, help_text="No outside messages on Saturday and Sunday.")
    timezone = models.CharField(max_length=64, blank=True, help_text="Defaults to the organisation's time zone.")
    email_window_hours = models.PositiveIntegerField(default=4, help_text="Minimum hours between emails to one partner.")
    sms_window_hours = models.PositiveIntegerField(default=6, help_text="Minimum hours between SMS to one partner.")
    contact_cap_messages = models.PositiveSmallIntegerField(
        "most messages to one customer", default=3, validators=[MaxValueValidator(100)],
        help_text="At most this many messages (email and SMS together) reach one customer in the days below, "
                  "invoice reminders and sales follow-ups alike; more wait. 0 = no limit.")
    contact_cap_days = models.PositiveSmallIntegerField(
        "days those messages are counted over", default=7, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="The number of days the messages to one customer are counted over.")
    expiry_hours = models.PositiveIntegerField(default=24, help_text="Pending actions expire after this many hours.")
    send_delay_seconds = models.PositiveIntegerField(
        default=120, validators=[MaxValueValidator(24 * 3600)],
        help_text="Seconds an approved email or SMS waits before it is sent, so it can still be undone. "
                  "0 sends at once.")
    expiry_warning_hours = models.PositiveIntegerField(
        default=4, help_text="Warn approvers this many hours before a high-value or high-risk action expires; 0 = never.")
    on_rate_limit = models.CharField(max_length=10, choices=RateLimitBehaviour.choices, default=RateLimitBehaviour.DEFER)
    notify_by_email = models.BooleanField(default=True)
    notify_by_sms = models.BooleanField(default=True, help_text="High and critical actions also notify by SMS.")
    approval_digest_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(24 * 60)],
        help_text="0 sends an approval email per action; N sends each approver at most one email per N minutes, "
                  "listing every action that became pending since the last one. SMS stay immediate.")
    payment_instructions = models.TextField(
        blank=True, max_length=500, validators=[MaxLengthValidator(500)],
        help_text="How customers pay you (bank account, reference to quote). Printed as written in every payment "
                  "reminder; AIOM never takes payment details from Odoo or from Claude.")
    allow_external_auto_execute = models.BooleanField(
        default=False, help_text="Let a policy rule or earned autonomy send emails and SMS without a person's "
                                 "approval. Off: every message to someone outside the company waits for a person.")
    policy_changes_need_second_admin = models.BooleanField(
        default=False, help_text="A change to these settings or to the policy rules waits until a second admin "
                                 "confirms it.")
    autonomy_streak = models.PositiveSmallIntegerField(
        default=25, validators=[MinValueValidator(5), MaxValueValidator(500)],
        help_text="Approvals in a row, without an edit or a failure, before AIOM suggests running a kind of "
                  "action automatically.")
    autonomy_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="How long an accepted suggestion runs automatically before it is asked again.")
    rules_version = models.PositiveIntegerField(default=0, editable=False,
                                                help_text="Raised by every change to the policy rules.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "guardrail policy"
        verbose_name_plural = "guardrail policies"

    def __str__(self) -> str:
        return f"Guardrails for {self.organization}"

    @property
    def zone(self) -> str:
        return self.timezone or self.organization.timezone


class LedgerStatus(models.TextChoices):
    SENDING = "sending", "About to send (outcome unknown if it stays here)"
    SENT = "sent", "Sent"
    NOT_SENT = "not_sent", "Definitely not sent"


class OutboundRecord(models.Model):
    """Written and committed *before* any outside effect, so a crash mid-send is visible:
    a record left in `sending` means "maybe sent" and is never retried automatically for
    messages. One per action (the unique key), reused only when the last try was `not_sent`."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.PROTECT, related_name="+")
    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="outbound")
    key = models.CharField(max_length=120, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=LedgerStatus.choices, default=LedgerStatus.SENDING)
    partner_id = models.PositiveIntegerField(null=True, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "channel", "created_at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} for {self.action_id}"


class OutreachState(models.Model):
    """When a partner was last contacted on a channel; updated only after a confirmed send."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    partner_id = models.PositiveIntegerField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    context = models.CharField(max_length=100, blank=True, help_text="e.g. account.move:42")
    last_sent_at = models.DateTimeField()
    next_allowed_at = models.DateTimeField()
    last_action = models.ForeignKey(Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "partner_id", "channel", "context"],
                                               name="one_outreach_state_per_context")]

    def __str__(self) -> str:
        return f"partner {self.partner_id} {self.channel} last {self.last_sent_at:%Y-%m-%d %H:%M}"


class ExecutionLog(models.Model):
    """One execution attempt: when, how long each step took, what came out."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="executions")
    attempt = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20)
    steps = models.JSONField(default=list, blank=True, help_text="[{step, ms, note}]")
    external_ids = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"attempt {self.attempt} of {self.action_id}: {self.outcome}"


class ScheduledFollowUp(models.Model):
    """An internal reminder to look at a partner or record again (the `schedule_follow_up` operation)."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="follow_up")
    due_at = models.DateTimeField()
    channel = models.CharField(max_length=10)
    reason = models.CharField(max_length=500)
    partner_id = models.PositiveIntegerField(null=True, blank=True)
    related_model = models.CharField(max_length=64, blank=True)
    related_id = models.PositiveIntegerField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["organization", "done_at", "due_at"])]

    def __str__(self) -> str:
        return f"Follow up {self.due_at:%Y-%m-%d}: {self.reason}"


class UsedApprovalLink(models.Model):
    """An emailed approval link that has decided: the SHA-256 of its token, unique, written in
    the same transaction as the decision, so a link decides at most once even when two
    requests race. The token itself is never stored."""

    digest = models.CharField(max_length=64, unique=True)
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.decision} link of {self.user} for {self.action_id}"


class DigestItem(models.Model):
    """One pending action waiting for one recipient's next approval digest. An item is done once
    its digest went out (`included`), or the action was decided before it did (left out), or
    the address refused the digest for good; the waiting ones are what the next digest lists,
    so a digest that fails for a while is retried and nothing goes out twice. A waiting item
    with a `record` is being sent in that digest right now: no other run lists it."""

    class Outcome(models.TextChoices):
        INCLUDED = "included", "Included in a digest"
        LEFT_OUT = "left_out", "Left out: no longer pending when the digest went out"
        FAILED = "failed", "Not delivered"

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", help_text="Empty for the shared APPROVAL_EMAIL (no links).")
    address = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    record = models.ForeignKey("NotificationRecord", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="digest_items",
                               help_text="The digest that claimed it: the one being sent while the item waits, "
                                         "then the one that listed it.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "address"], condition=models.Q(done_at__isnull=True),
                                    name="one_waiting_digest_item_per_action_and_address"),
        ]
        indexes = [models.Index(fields=["organization", "address", "created_at"],
                                condition=models.Q(done_at__isnull=True), name="waiting_digest_items")]

    def __str__(self) -> str:
        return f"{self.action_id} for {self.address} ({self.outcome or 'waiting'})"


class NoticeLevel(models.TextChoices):
    SUCCESS = "success", "Success"
    WARNING = "warning", "Needs a check"
    ERROR = "error", "Failed"


class Notice(models.Model):
    """An in-app message to one person about an action they approved: how it ended."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10, choices=NoticeLevel.choices)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "organization", "-created_at"], name="notices_by_user"),
            models.Index(fields=["user", "organization"], condition=models.Q(read_at__isnull=True),
                         name="unread_notices"),
        ]

    def __str__(self) -> str:
        return self.text


class NotificationRecord(models.Model):
    """One notification to one address (an approval request by email or SMS, an approval
    digest, a result email), written and committed before it is sent and updated once the
    provider has answered, as the outbound records of actions are.

    A record left in `sending` means the process died mid-send (or the send stopped on an
    unexpected error): the message may or may not have gone out. What follows depends on its
    purpose:
    - approval request: nothing sends it again; the action still waits in the dashboard, and
      each other recipient's message has a record of its own;
    - approval digest: a few minutes later its actions are released and listed in the next
      digest to that address, which may therefore bring them a second time;
    - result: nothing sends it again; the action's status and the approvers' in-app notices
      still say how it ended.
    """

    class Purpose(models.TextChoices):
        APPROVAL_REQUEST = "approval_request", "Approval request"
        APPROVAL_DIGEST = "approval_digest", "Approval digest"
        RESULT = "result", "How an action ended"
        EXPIRY_WARNING = "expiry_warning", "Expiry warning"

    class Status(models.TextChoices):
        SENDING = "sending", "About to send (outcome unknown if it stays here)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (see the error)"

    organization = models.ForeignKey("aiom.Organization", on_delete=models.PROTECT, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications",
                               help_text="Empty for a digest: its items say which actions it listed.")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True,
                                  help_text="The email's Message-ID, or the SMS's idempotency key.")
    provider_id = models.CharField(max_length=200, blank=True, help_text="What the provider calls the message.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="notifications_by_org"),
            models.Index(fields=["created_at"], condition=models.Q(status="sending"), name="notifications_sending"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} by {self.channel} to {self.address} ({self.status})"


# Policy rules, delegation, autonomy, meetings: registered in this app.
from .policy.models import (  # noqa: E402,F401
    AutonomyTrack, Delegation, MeetingInvitation, PartnerFacts, PolicyChange, PolicyRule,
)
