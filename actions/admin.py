import json

from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.utils.html import format_html

from aiom.admin import OrganizationScopedAdmin, ReadOnlyAdminMixin
from aiom.errors import ApplicationError

from audit.services import Actor

from . import bulk, guardrails, presentation, services
from .models import Action, Approval, GuardrailPolicy, NotificationRecord, OutboundRecord

#: The reason recorded for actions cancelled from the admin (which has no form to type one).
ADMIN_CANCEL_REASON = "Cancelled from the admin before it started."


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0
    can_delete = False
    readonly_fields = ["user", "decision", "comment", "channel", "protocol_hash", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Action)
class ActionAdmin(OrganizationScopedAdmin):
    """Actions are read-only here: they change only through the services. Approving and
    rejecting selected actions, like the recovery actions, need the `decide_action` permission
    and, per action, a deciding role in its organisation; resolving an unknown outcome needs a
    note, so it stays on the dashboard."""

    list_display = ["title", "organization", "action_type", "risk_level", "status", "source", "expires_at", "created_at"]
    list_filter = ["status", "risk_level", "action_type", "source", "organization"]
    search_fields = ["title", "idempotency_key", "target_model", "=target_id", "=partner_id"]
    date_hierarchy = "created_at"
    inlines = [ApprovalInline]
    actions = ["approve_selected", "reject_selected", "retry_failed", "cancel_approved"]
    fieldsets = [
        (None, {"fields": ["title", "organization", "status", "status_reason", "superseded_by", "risk_level",
                           "requires_approval",
                           "action_type", "safe_operation", "source", "created_by", "expires_at"]}),
        ("What will change", {"fields": ["what_it_does", "reasoning"]}),
        ("Execution", {"fields": ["attempts", "not_before", "executed_at", "result", "error"]}),
        ("Protocol", {"classes": ["collapse"], "fields": ["revision", "protocol_hash", "idempotency_key", "protocol_json"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("actions.decide_action")

    @admin.action(description="Approve selected", permissions=["decide"])
    def approve_selected(self, request, queryset):
        """The same pre-flight and bulk approval as the dashboard, per organisation, bound to the
        revision each action has now (the one the list shows)."""
        by_organization = {}
        for action in queryset.select_related("organization"):
            by_organization.setdefault(action.organization, []).append((action.pk, action.protocol_hash))
        for organization, items in by_organization.items():
            try:
                result = bulk.bulk_approve(organization, request.user, items)
            except ApplicationError as exc:
                self.message_user(request, f"{organization}: {exc.message}", messages.ERROR)
                continue
            if result.approved:
                self.message_user(request, f"{len(result.approved)} action(s) approved.", messages.SUCCESS)
            for row in result.skipped:
                self.message_user(request, f"“{row.action.title if row.action else row.action_id}”: {row.reason}",
                                  messages.WARNING)

    @admin.action(description="Reject selected", permissions=["decide"])
    def reject_selected(self, request, queryset):
        reason = f"Rejected in bulk from the admin by {request.user.get_username()}."
        self._recover(request, queryset, "rejected",
                      lambda action: services.reject(action, request.user, reason=reason, channel="admin",
                                                     protocol_hash=action.protocol_hash))

    @admin.action(description="Retry selected failed actions", permissions=["decide"])
    def retry_failed(self, request, queryset):
        self._recover(request, queryset, "retried",
                      lambda action: services.retry_failed(action, user=request.user))

    @admin.action(description="Cancel selected approved actions", permissions=["decide"])
    def cancel_approved(self, request, queryset):
        self._recover(request, queryset, "cancelled",
                      lambda action: services.cancel_approved(action, user=request.user, reason=ADMIN_CANCEL_REASON))

    def _recover(self, request, queryset, done: str, recovery) -> None:
        """Each selected action goes through the service on its own; what it refuses is listed."""
        succeeded, refused = 0, []
        for action in queryset.select_related("organization"):
            try:
                recovery(action)
            except ApplicationError as exc:
                refused.append(f"“{action.title}”: {exc.message}")
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{succeeded} action(s) {done}.", messages.SUCCESS)
        for refusal in refused:
            self.message_user(request, refusal, messages.ERROR)

    @admin.display(description="What it will do")
    def what_it_does(self, obj):
        """The same diff, recipients, message and checks the dashboard card shows."""
        return render_to_string("dashboard/partials/action_effects.html", {"card": presentation.ActionCard.of(obj)})

    @admin.display(description="Reasoning")
    def reasoning(self, obj):
        return obj.protocol.get("reasoning", "")

    @admin.display(description="Protocol (JSON)")
    def protocol_json(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.protocol, indent=2, sort_keys=True))


@admin.register(GuardrailPolicy)
class GuardrailPolicyAdmin(OrganizationScopedAdmin):
    """Edits go through `guardrails.policy_update`, so each change is audited (before → after)."""

    list_display = ["organization", "auto_execute_internal", "may_send_email", "may_send_sms", "emails_per_hour",
                    "sms_per_day", "expiry_hours", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in guardrails.EDITABLE_FIELDS}
        guardrails.policy_update(GuardrailPolicy.objects.get(pk=obj.pk), actor=Actor.for_user(request.user), **changes)


@admin.register(OutboundRecord)
class OutboundRecordAdmin(ReadOnlyAdminMixin, OrganizationScopedAdmin):
    """The at-most-once ledger, for looking into what left (or may have left)."""

    list_display = ["action", "channel", "status", "partner_id", "external_id", "created_at", "updated_at"]
    list_filter = ["channel", "status"]
    search_fields = ["key", "external_id", "=partner_id"]


@admin.register(NotificationRecord)
class NotificationRecordAdmin(ReadOnlyAdminMixin, OrganizationScopedAdmin):
    """Every approval request, digest and result message, for looking into what reached whom.
    One left in "sending" may or may not have gone out."""

    list_display = ["purpose", "channel", "address", "status", "action", "created_at", "updated_at"]
    list_filter = ["purpose", "channel", "status"]
    search_fields = ["address", "message_id", "provider_id"]
    date_hierarchy = "created_at"


from .policy import admin as policy_admin  # noqa: E402,F401 - registers the policy rules' admin
