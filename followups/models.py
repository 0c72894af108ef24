"""Sequences (what to send when), follow-ups (one per customer being chased, or per deal) and
what happened to them. See followups/engine.py for how they move and docs/architecture.md."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from aiom.crypto import EncryptedTextField


class SequenceKind(models.TextChoices):
    INVOICES = "invoices", "Unpaid invoices"
    DEALS = "deals", "Stalled deals"


class LevelChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    TASK = "task", "Staff task"
    CALL = "call", "Call activity"


class Wording(models.TextChoices):
    """The safe template's prose for a level; the facts block is always written by AIOM."""

    COURTESY = "courtesy", "Courtesy (before the due date)"
    FRIENDLY = "friendly", "Friendly"
    FIRM = "firm", "Firm"
    FINAL = "final", "Final notice"


class OffsetFrom(models.TextChoices):
    DUE_DATE = "due", "the due date (of the oldest invoice)"
    PREVIOUS = "previous", "the previous level"


class Sequence(models.Model):
    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=SequenceKind.choices)
    name = models.CharField(max_length=100)
    is_default = models.BooleanField(default=False, help_text="Used for every customer without an override.")
    active = models.BooleanField(default=True)
    tolerance = models.DecimalField(
        max_digits=12, decimal_places=2, default=0,
        help_text="Open amounts up to this much (per invoice) are not chased.")
    weekdays_only = models.BooleanField(default=True, help_text="Levels fall due on working days only.")
    thank_you = models.BooleanField(
        default=False, help_text="When a customer pays everything after a level went out, propose a thank-you email.")
    hold_during_negotiation = models.BooleanField(
        "hold reminders during a negotiation", default=False,
        help_text="While a customer has an open deal in Odoo that changed in the last 14 days, their invoice "
                  "reminders wait; they carry on once the deal is won, lost or quiet for 14 days.")
    timing_flex_days = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(14)],
        help_text="With Claude configured, each level may come up to this many days earlier or later than its offset "
                  "when the customer's history suggests it (0: always on the offset).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "-is_default", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "kind"], condition=models.Q(is_default=True),
                                               name="one_default_sequence_per_kind")]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60)
    offset_days = models.SmallIntegerField(validators=[MinValueValidator(-60), MaxValueValidator(365)],
                                           help_text="Days after the due date (negative: before it) or after the "
                                                     "previous level.")
    offset_from = models.CharField(max_length=10, choices=OffsetFrom.choices, default=OffsetFrom.DUE_DATE)
    channel = models.CharField(max_length=10, choices=LevelChannel.choices, default=LevelChannel.EMAIL)
    wording = models.CharField(max_length=10, choices=Wording.choices, default=Wording.FRIENDLY)
    risk_level = models.CharField(max_length=10, choices=[(r, r) for r in ("low", "medium", "high", "critical")],
                                  default="medium")
    list_invoices = models.BooleanField(default=True, help_text="List each invoice with its open amount.")
    attach_invoices = models.BooleanField(
        default=False, help_text="An email level attaches each invoice's PDF from Odoo (an invoice without one goes "
                                 "without).")
    collection_wording = models.BooleanField(
        default=False, help_text="The wording may speak of further steps (collection, legal action).")

    class Meta:
        ordering = ["sequence", "position"]
        constraints = [models.UniqueConstraint(fields=["sequence", "position"], name="one_level_per_position")]

    def __str__(self) -> str:
        return f"{self.position + 1}. {self.name}"


class PartnerOverride(models.Model):
    """A customer chased on another sequence, with another tolerance, or not at all."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    partner_id = models.PositiveIntegerField()
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, null=True, blank=True,
                                 help_text="Empty: this customer is never chased automatically.")
    tolerance = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "partner_id"], name="one_override_per_partner")]


class FollowUpStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class FollowUp(models.Model):
    """One customer being chased for their open invoices (or one deal being followed up)."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    sequence = models.ForeignKey(Sequence, on_delete=models.PROTECT, related_name="follow_ups")
    target_model = models.CharField(max_length=64)  # res.partner (invoices) or crm.lead (deals)
    target_id = models.PositiveIntegerField()
    partner_id = models.PositiveIntegerField(null=True, blank=True)
    target_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.ACTIVE)
    #: The next level to send (0-based); equal to the number of levels once all are sent.
    level = models.PositiveSmallIntegerField(default=0)
    next_due_at = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    #: What is being chased now: [{"id", "name", "residual", "due", "currency"}], from the last read.
    invoices = models.JSONField(default=list, blank=True)
    #: When each level was sent (position -> ISO time), for offsets from the previous level.
    sent = models.JSONField(default=dict, blank=True)
    last_action = models.ForeignKey("actions.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    #: When each level after the first falls due, decided once (followups/timing.py): position ->
    #: {"level_id", "offset_days", "default", "reason", "by": "claude" | "rules"}.
    timing = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "next_due_at"]
        constraints = [models.UniqueConstraint(
            fields=["organization", "target_model", "target_id"],
            condition=models.Q(status__in=["active", "paused"]), name="one_open_follow_up_per_target")]
        indexes = [models.Index(fields=["organization", "status", "next_due_at"])]

    def __str__(self) -> str:
        return f"{self.target_name or self.target_model} #{self.target_id} ({self.status})"

    @property
    def open(self) -> bool:
        return self.status in (FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED)


class EventKind(models.TextChoices):
    STARTED = "started", "Started"
    PROPOSED = "proposed", "Level proposed"
    SENT = "sent", "Level done"
    SKIPPED = "skipped", "Level skipped"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    STOPPED = "stopped", "Stopped"
    COMPLETED = "completed", "Completed"
    REPLY = "reply", "Customer replied"
    PROMISE = "promise", "Promise to pay"
    PROMISE_BROKEN = "promise_broken", "Promise broken"
    DISPUTE = "dispute", "Dispute"
    OUTCOME = "outcome", "Outcome"
    WAITING = "waiting", "Waiting"
    BOUNCED = "bounced", "Delivery problem"
    TIMING = "timing", "Timing"


class FollowUpEvent(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    text = models.CharField(max_length=500)
    detail = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class Promise(models.Model):
    """A customer's promise to pay, entered by staff: the follow-up waits until date + grace."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="promises")
    promised_date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    grace_days = models.PositiveSmallIntegerField(default=3)
    #: The open amount when the promise was made, to tell a kept promise from a broken one.
    open_amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=8, default="open", choices=[
        ("open", "open"), ("kept", "kept"), ("broken", "broken"), ("replaced", "replaced by a newer promise")])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Hold(models.Model):
    """An invoice or a customer taken out of dunning: a dispute (until resolved) or a pause (until
    its end date), with the reason."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=[("dispute", "Dispute"), ("pause", "Pause")])
    partner_id = models.PositiveIntegerField(null=True, blank=True)
    invoice_id = models.PositiveIntegerField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(partner_id__isnull=False) | models.Q(invoice_id__isnull=False),
                                              name="hold_names_a_partner_or_an_invoice")]


class LevelOutcome(models.Model):
    """What happened after one level went out: how much of what it chased was paid, and when,
    watched for 30 days (deals: whether the deal moved). The effectiveness report counts these."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="outcomes")
    #: The level's action; empty only for example history (`seeded`), which no action produced.
    action = models.OneToOneField("actions.Action", on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    sequence_name = models.CharField(max_length=100)
    level_position = models.PositiveSmallIntegerField()
    level_name = models.CharField(max_length=60)
    channel = models.CharField(max_length=10)
    action_type = models.CharField(max_length=40)
    #: The safe template's wording the level used (courtesy, friendly, firm, final).
    wording = models.CharField(max_length=10, blank=True)
    #: Example history the demo starts with, so its report has something to show.
    seeded = models.BooleanField(default=False)
    sent_at = models.DateTimeField()
    #: What the level chased: invoice ids and the open amount when it went out.
    invoice_ids = models.JSONField(default=list)
    amount_at_send = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    paid_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    paid_in_full_at = models.DateTimeField(null=True, blank=True)
    replied = models.BooleanField(default=False)
    deal_moved = models.BooleanField(default=False)
    #: The level's email bounced (hard bounce, from SMTP2GO or a bounce in Odoo's chatter).
    bounced = models.BooleanField(default=False)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["follow_up", "paid_in_full_at"])]

    @property
    def days_to_pay(self) -> int | None:
        return (self.paid_in_full_at - self.sent_at).days if self.paid_in_full_at else None


class DeliveryKind(models.TextChoices):
    BOUNCE_HARD = "bounce_hard", "Hard bounce"
    BOUNCE_SOFT = "bounce_soft", "Soft bounce"
    SPAM = "spam", "Spam complaint"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribed"


class DeliveryWebhook(models.Model):
    """The secret SMTP2GO's delivery webhook proves itself with (`manage.py delivery_webhook_secret`).
    Encrypted rather than hashed: checking an HMAC signature needs the secret itself."""

    organization = models.OneToOneField("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    secret = EncryptedTextField()
    created_at = models.DateTimeField()


class DeliveryEvent(models.Model):
    """What became of one email: a bounce, a spam complaint, an unsubscribe. Recorded once per
    provider event (a repeated delivery of the same event finds it and does nothing more)."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=[("smtp2go", "SMTP2GO"), ("chatter", "A bounce in Odoo's chatter")])
    #: The provider's id of the event, or a hash of what identifies it when the provider has none.
    event_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=DeliveryKind.choices)
    address = models.CharField(max_length=254)
    message_id = models.CharField(max_length=255, blank=True)
    #: The action whose email it was, when the event names it (its Message-ID or SMTP2GO's email id).
    action = models.ForeignKey("actions.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    occurred_at = models.DateTimeField()
    detail = models.CharField(max_length=300, blank=True, help_text="The receiving server's words, when given.")
    payload = models.JSONField(default=dict, blank=True, help_text="What the provider sent, trimmed.")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "source", "event_id"],
                                               name="one_delivery_event_per_provider_event")]
        indexes = [models.Index(fields=["organization", "address"])]


class SuppressedAddress(models.Model):
    """An address AIOM no longer emails: it bounced for good, its owner complained of spam or
    unsubscribed. Lifted by a person ("Allow again") once the address is fixed or agreed."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=254)
    reason = models.CharField(max_length=12, choices=DeliveryKind.choices)
    since = models.DateTimeField()
    event = models.ForeignKey(DeliveryEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    #: Whose emails these were, in words, for the alert and the page.
    customer = models.CharField(max_length=255, blank=True)
    #: The follow-ups it stopped: "Allow again" lets them go on.
    stopped_follow_ups = models.JSONField(default=list, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-since", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "address"], condition=models.Q(lifted_at__isnull=True),
                                               name="one_suppression_per_address")]
