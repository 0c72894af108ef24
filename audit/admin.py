from django.contrib import admin

from aiom.admin import OrganizationScopedAdmin, ReadOnlyAdminMixin

from .models import ActionEvent


@admin.register(ActionEvent)
class ActionEventAdmin(ReadOnlyAdminMixin, OrganizationScopedAdmin):
    """Read-only: the trail is append-only and only services write it."""

    list_display = ["seq", "organization", "event_type", "actor", "actor_type", "action_id", "created_at"]
    list_filter = ["event_type", "actor_type", "organization"]
    search_fields = ["actor", "action_id", "hash"]
    date_hierarchy = "created_at"
