from django.contrib import admin
from django.utils import timezone

from .models import ApiToken, Membership, Organization


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Staff who are not superusers only see rows of organisations they belong to."""

    organization_field = "organization"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.organization_field}__memberships__user": request.user}).distinct()


class ReadOnlyAdminMixin:
    """For records only services write (audit events, the outbound ledger, the outbox): the
    admin shows them and changes nothing."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_field = "id"
    list_display = ["name", "slug", "timezone", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        return queryset if request.user.is_superuser else queryset.filter(memberships__user=request.user).distinct()


@admin.register(Membership)
class MembershipAdmin(OrganizationScopedAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff can see and revoke tokens; nobody can create one here (its secret would have
    nowhere safe to be shown) or read a digest back into a key."""

    list_display = ["name", "user", "scope", "token_key", "created", "expiry", "revoked_at", "last_used_at", "last_used_ip"]
    list_filter = ["scope"]
    search_fields = ["name", "user__username", "token_key"]
    readonly_fields = ["user", "name", "scope", "token_key", "created", "expiry", "last_used_at", "last_used_ip"]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at=None).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} token(s) revoked.")
