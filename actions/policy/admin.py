"""Admin for policy rules and the changes waiting for a second admin. A rule version is never
edited in place: adding a rule, saving an edit (a new version), archiving and switching the mode
all go through `changes` (so the second admin, the rules version and the audit trail apply as on
the dashboard)."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from aiom.admin import OrganizationScopedAdmin, ReadOnlyAdminMixin
from aiom.errors import ApplicationError
from aiom.models import Organization, Role

from . import changes, store
from .models import PolicyChange, PolicyRule, RuleStatus


class _ThroughServices:
    def _each(self, request, queryset, done: str, step) -> None:
        """Each selected row goes through the service on its own; what it refuses is listed."""
        succeeded, refused = 0, []
        for row in queryset.select_related("organization"):
            try:
                outcome = step(row)
            except ApplicationError as exc:
                refused.append(f"“{row}”: {exc.message}")
            else:
                succeeded += outcome != changes.REQUESTED
                if outcome == changes.REQUESTED:
                    self.message_user(request, f"“{row}”: waiting for a second admin.", messages.INFO)
        if succeeded:
            self.message_user(request, f"{succeeded} {done}.", messages.SUCCESS)
        for refusal in refused:
            self.message_user(request, refusal, messages.ERROR)


class RuleAdminForm(forms.ModelForm):
    """The rule as JSON (`actions.policy.rules.RuleDefinition`), checked before anything is saved."""

    class Meta:
        model = PolicyRule
        fields = ["organization", "name", "description", "definition", "mode"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "organization" in self.fields and user is not None and not user.is_superuser:
            self.fields["organization"].queryset = Organization.objects.filter(
                memberships__user=user, memberships__role=Role.ADMIN)

    def clean_definition(self):
        try:
            return store.validated(self.cleaned_data["definition"]).model_dump(mode="json")
        except ApplicationError as exc:
            raise forms.ValidationError([exc.message, *exc.extra.get("errors", [])]) from exc


@admin.register(PolicyRule)
class PolicyRuleAdmin(_ThroughServices, ReadOnlyAdminMixin, OrganizationScopedAdmin):
    list_display = ["name", "organization", "version", "status", "mode", "position", "created_by", "created_at"]
    list_filter = ["status", "mode", "organization"]
    search_fields = ["name", "description", "=key"]
    actions = ["archive_selected", "enforce_selected", "dry_run_selected"]
    form = RuleAdminForm

    def get_readonly_fields(self, request, obj=None):
        if self._editable(request, obj):
            return ["in_words"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), "in_words"]

    def get_fields(self, request, obj=None):
        if self._editable(request, obj):
            return [*(["organization"] if obj is None else ["in_words"]), "name", "description", "definition", "mode"]
        return super().get_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)
        return WithUser

    def _editable(self, request, obj) -> bool:
        return self.has_policy_permission(request) and (obj is None or obj.status == RuleStatus.ACTIVE)

    def has_add_permission(self, request):
        return self.has_policy_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def save_model(self, request, obj, form, change):
        """Through the services: a new rule, or a new version of the one shown; nothing is
        written here. What they refuse is shown, and nothing is saved."""
        data = form.cleaned_data
        payload = {"name": data["name"], "description": data.get("description") or "",
                   "definition": data["definition"], "mode": data["mode"]}
        kind = changes.RULE_EDIT if change else changes.RULE_CREATE
        if change:
            payload["rule_id"] = obj.pk
        try:
            organization = obj.organization if change else data["organization"]
            outcome, _ = changes.request_or_apply(organization, request.user, kind, payload)
        except ApplicationError as exc:
            request._rule_outcome = (messages.ERROR, exc.message)
        else:
            request._rule_outcome = ((messages.INFO, "Waiting for a second admin to confirm it.") if outcome == changes.REQUESTED
                             else (messages.SUCCESS, "Saved as a new version." if change else "Rule added."))

    def save_related(self, request, form, formsets, change):
        pass  # nothing of the form is saved directly

    def response_add(self, request, obj, post_url_continue=None):
        return self._to_list(request)

    def response_change(self, request, obj):
        return self._to_list(request)

    def _to_list(self, request):
        level, text = getattr(request, "_rule_outcome", (messages.SUCCESS, "Saved."))
        self.message_user(request, text, level)
        return HttpResponseRedirect(reverse("admin:actions_policyrule_changelist"))

    def has_policy_permission(self, request):
        return request.user.has_perm("actions.change_policyrule")

    @admin.display(description="In words")
    def in_words(self, obj):
        return store.describe(obj.definition)

    @admin.action(description="Archive selected rules", permissions=["policy"])
    def archive_selected(self, request, queryset):
        self._rules(request, queryset, "rule(s) archived", changes.RULE_ARCHIVE, {})

    @admin.action(description="Enforce selected rules", permissions=["policy"])
    def enforce_selected(self, request, queryset):
        self._rules(request, queryset, "rule(s) enforced", changes.RULE_MODE, {"mode": "enforce"})

    @admin.action(description="Switch selected rules to dry run", permissions=["policy"])
    def dry_run_selected(self, request, queryset):
        self._rules(request, queryset, "rule(s) switched to dry run", changes.RULE_MODE, {"mode": "dry_run"})

    def _rules(self, request, queryset, done, kind, payload):
        self._each(request, queryset.filter(status=RuleStatus.ACTIVE), done,
                   lambda rule: changes.request_or_apply(rule.organization, request.user, kind,
                                                         {"rule_id": rule.pk, **payload})[0])


@admin.register(PolicyChange)
class PolicyChangeAdmin(_ThroughServices, ReadOnlyAdminMixin, OrganizationScopedAdmin):
    list_display = ["summary", "organization", "kind", "status", "requested_by", "requested_at", "decided_by",
                    "decided_at"]
    list_filter = ["status", "kind", "organization"]
    search_fields = ["summary"]
    actions = ["confirm_selected", "decline_selected"]

    def has_decide_permission(self, request):
        return request.user.has_perm("actions.change_policychange")

    @admin.action(description="Confirm selected changes (as the second admin)", permissions=["decide"])
    def confirm_selected(self, request, queryset):
        self._each(request, queryset, "change(s) confirmed and applied",
                   lambda change: changes.confirm(change, request.user) and changes.APPLIED)

    @admin.action(description="Decline selected changes", permissions=["decide"])
    def decline_selected(self, request, queryset):
        self._each(request, queryset, "change(s) declined",
                   lambda change: changes.decline(change, request.user, "Declined from the admin.") and "declined")
