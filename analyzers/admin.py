from django.contrib import admin

from .models import ActionPlan, Alert, Analysis, Finding


class FindingInline(admin.TabularInline):
    model = Finding
    fields = ("kind", "severity", "title", "amount", "currency", "resolved_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "as_of", "status", "started_at", "duration_ms", "odoo_calls")
    list_filter = ("status", "organization")
    readonly_fields = [field.name for field in Analysis._meta.fields]
    inlines = [FindingInline]

    def has_add_permission(self, request):
        return False


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "severity", "organization", "amount", "currency", "resolved_at")
    list_filter = ("kind", "severity", "organization")
    search_fields = ("title", "fingerprint")
    readonly_fields = [field.name for field in Finding._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("title", "key", "severity", "organization", "opened_at", "resolved_at")
    list_filter = ("severity", "key", "organization")


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ("analysis", "next_review_at")
    readonly_fields = ("analysis", "summary", "action_ids", "staff_tasks", "timeline", "next_review_at")
