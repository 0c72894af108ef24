"""What one analysis run found: metrics, typed findings, the alerts it keeps open, its plan."""

from django.db import models
from django.db.models import Q


class AnalysisStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Analysis(models.Model):
    """One run of the analyzers for one organisation.

    At most one run per organisation is `running` at a time: a partial unique constraint
    enforces it in the database, so two workers (or beat and a manual run) cannot overlap.
    """

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="analyses")
    as_of = models.DateField(help_text="The day the analysis measured against (ages, deadlines).")
    status = models.CharField(max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    summary = models.TextField(blank=True)
    odoo_calls = models.PositiveIntegerField(default=0)
    llm_usage = models.JSONField(
        default=dict, blank=True, help_text="input_tokens, output_tokens, latency_ms, drafts, fallbacks [reasons]")
    proposals = models.JSONField(
        default=dict, blank=True, help_text="proposed / existing / skipped / cancelled, each a list of {title, reason}")

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "analyses"
        constraints = [models.UniqueConstraint(fields=["organization"], condition=Q(status="running"),
                                               name="one_running_analysis_per_org")]
        indexes = [models.Index(fields=["organization", "-started_at"])]

    def __str__(self) -> str:
        return f"Analysis #{self.pk} of {self.organization} ({self.status})"


class FindingKind(models.TextChoices):
    INVOICE_OVERDUE = "invoice_overdue", "Invoice overdue"
    CASH_RUNWAY_LOW = "cash_runway_low", "Cash runway low"
    DEAL_STALLED = "deal_stalled", "Deal stalled"
    TASK_OVERDUE = "task_overdue", "Task overdue"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Finding(models.Model):
    """A fact worth acting on, as read from Odoo. `fingerprint` names the fact (kind and
    target), so the same overdue invoice is recognised across runs and an action proposed
    for it can be withdrawn once the fact is gone."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="findings")
    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    title = models.CharField(max_length=255)
    target_model = models.CharField(max_length=64, blank=True)
    target_id = models.PositiveIntegerField(null=True, blank=True)
    partner_id = models.PositiveIntegerField(null=True, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=8, blank=True)
    facts = models.JSONField(default=dict, blank=True, help_text="The Odoo values the finding rests on.")
    fingerprint = models.CharField(max_length=120)
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="When a later run no longer found it.")

    class Meta:
        ordering = ["analysis", "kind", "-amount", "id"]
        indexes = [models.Index(fields=["organization", "fingerprint"])]

    def __str__(self) -> str:
        return self.title


class Alert(models.Model):
    """A condition someone should know about; open while it holds, resolved when it clears."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="alerts")
    key = models.CharField(max_length=64, help_text="e.g. odoo_unreachable, cash_runway_low")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    title = models.CharField(max_length=255)
    message = models.TextField()
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resolved_at", "-opened_at"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], condition=Q(resolved_at__isnull=True),
                                               name="one_open_alert_per_key")]

    def __str__(self) -> str:
        return f"{self.title} ({'open' if self.resolved_at is None else 'resolved'})"


class ActionPlan(models.Model):
    """What a run proposes to do about its findings, in order: AI actions awaiting approval,
    staff tasks with owners and due dates, and when to look again."""

    analysis = models.OneToOneField(Analysis, on_delete=models.CASCADE, related_name="plan")
    summary = models.TextField()
    action_ids = models.JSONField(default=list, blank=True, help_text="Actions this run proposed or found pending.")
    staff_tasks = models.JSONField(default=list, blank=True, help_text="[{title, owner, due, subtasks, action_id}]")
    timeline = models.JSONField(default=list, blank=True, help_text="[{date, owner: ai/staff/customer, step}]")
    next_review_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Plan of analysis #{self.analysis_id}"
