from django.contrib import admin

from aiom.admin import OrganizationScopedAdmin, ReadOnlyAdminMixin

from .models import FollowUp, FollowUpEvent, Hold, Level, PartnerOverride, Sequence


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0
    fields = ["position", "name", "offset_days", "offset_from", "channel", "wording", "risk_level", "list_invoices",
              "collection_wording"]


@admin.register(Sequence)
class SequenceAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "kind", "is_default", "active", "tolerance", "weekdays_only"]
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
