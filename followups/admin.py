from django.contrib import admin

from aiom.admin import OrganizationScopedAdmin, ReadOnlyAdminMixin

from .models import (DeliveryEvent, DeliveryWebhook, FollowUp, FollowUpEvent, Hold, Level, PartnerOverride, Sequence,
                     SuppressedAddress)


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0
    fields = ["position", "name", "offset_days", "offset_from", "channel", "wording", "risk_level", "list_invoices",
              "attach_invoices", "collection_wording"]


@admin.register(Sequence)
class SequenceAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "kind", "is_default", "active", "tolerance", "weekdays_only",
                    "timing_flex_days", "hold_during_negotiation"]
    list_filter = ["kind", "active"]
    inlines = [LevelInline]


@admin.register(PartnerOverride)
class PartnerOverrideAdmin(OrganizationScopedAdmin):
    list_display = ["partner_id", "organization", "sequence", "tolerance", "note"]


@admin.register(Hold)
class HoldAdmin(OrganizationScopedAdmin):
    list_display = ["kind", "organization", "partner_id", "invoice_id", "until", "reason", "resolved_at"]
    list_filter = ["kind"]


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FollowUpEvent
    extra = 0


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdminMixin, OrganizationScopedAdmin):
    """Follow-ups move by the engine and by the dashboard's buttons (which record who and why),
    not by editing rows."""

    list_display = ["target_name", "organization", "sequence", "level", "status", "next_due_at", "reason"]
    list_filter = ["status", "sequence__kind"]
    search_fields = ["target_name"]
    inlines = [EventInline]


@admin.register(DeliveryWebhook)
class DeliveryWebhookAdmin(ReadOnlyAdminMixin, OrganizationScopedAdmin):
    """When the webhook secret was set; never the secret (`manage.py delivery_webhook_secret` makes one)."""

    list_display = ["organization", "created_at"]
    fields = ["organization", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(DeliveryEvent)
class DeliveryEventAdmin(ReadOnlyAdminMixin, OrganizationScopedAdmin):
    list_display = ["address", "kind", "organization", "source", "occurred_at", "action"]
    list_filter = ["kind", "source"]
    search_fields = ["address", "message_id"]


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(ReadOnlyAdminMixin, OrganizationScopedAdmin):
    """Lifted on the Delivery problems page ("Allow again"), which resumes what it stopped."""

    list_display = ["address", "reason", "organization", "customer", "since", "lifted_at", "lifted_by"]
    list_filter = ["reason"]
    search_fields = ["address", "customer"]
