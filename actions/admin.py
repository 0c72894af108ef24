import json

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.html import format_html

from aiom.admin import OrganizationScopedAdmin, ReadOnlyAdminMixin

from audit.services import Actor

from . import guardrails, presentation
from .models import Action, Approval, GuardrailPolicy, NotificationRecord, OutboundRecord


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0
    can_delete = False
    readonly_fields = ["user", "decision", "comment", "channel", "protocol_hash", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Action)
class ActionAdmin(OrganizationScopedAdmin):
    """Actions are read-only here: they change only through the services."""

    list_display = ["title", "organization", "action_type", "risk_level", "status", "source", "expires_at", "created_at"]
    list_filter = ["status", "risk_level", "action_type", "source", "organization"]
    search_fields = ["title", "idempotency_key", "target_model", "=target_id", "=partner_id"]
    date_hierarchy = "created_at"
    inlines = [ApprovalInline]
    fieldsets = [
        (None, {"fields": ["title", "organization", "status", "status_reason", "risk_level", "requires_approval",
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
