import json
import re

from django import forms
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


class TeamsField(forms.CharField):
    """Teams typed as "finance, sales": stored as a list of lower-case names, as rules name them."""

    def prepare_value(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        names = [name.strip().lower() for name in (super().to_python(value) or "").split(",") if name.strip()]
        for name in names:
            if not TEAM_NAME.fullmatch(name) or len(name) > 40:
                raise forms.ValidationError(f"“{name}” is not a team name: letters, digits, spaces, - and _ only.")
        return list(dict.fromkeys(names))


#: What a policy rule accepts as a team (actions.policy.rules.Approvers.team).
TEAM_NAME = re.compile(r"[a-z0-9][a-z0-9 _-]*")


class MembershipForm(forms.ModelForm):
    teams = TeamsField(required=False, help_text="Comma-separated, e.g. “finance, sales”: policy rules can ask "
                                                 "for an approver from a team.")

    class Meta:
        model = Membership
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
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
    form = MembershipForm
    list_display = ["user", "organization", "role", "teams", "created_at"]
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
