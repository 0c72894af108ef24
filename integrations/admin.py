from django import forms
from django.contrib import admin, messages

from aiom.admin import OrganizationScopedAdmin, ReadOnlyAdminMixin

from .models import OdooConnection, OutboxMessage
from .odoo.services import connection_check


class OdooConnectionForm(forms.ModelForm):
    url = forms.URLField(label="URL", assume_scheme="https", help_text="e.g. https://mycompany.odoo.com")
    secret = forms.CharField(
        label="Password or API key", required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave blank to keep the current secret.",
    )

    class Meta:
        model = OdooConnection
        fields = ["organization", "url", "database", "username", "protocol", "secret", "timeout"]

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if secret:
            return secret
        if self.instance.pk:
            return self.instance.secret
        raise forms.ValidationError("Enter the Odoo password or API key.")


@admin.register(OdooConnection)
class OdooConnectionAdmin(OrganizationScopedAdmin):
    form = OdooConnectionForm
    list_display = ["organization", "url", "database", "username", "protocol", "server_version",
                    "last_checked_at", "last_error"]
    list_filter = ["protocol"]
    search_fields = ["organization__name", "url", "database", "username"]
    readonly_fields = ["server_version", "last_checked_at", "last_error"]
    actions = ["test_connection"]

    @admin.action(description="Test connection")
    def test_connection(self, request, queryset):
        for connection in queryset:
            health = connection_check(connection=connection)
            if health["ok"]:
                self.message_user(request, f"{connection.organization}: Odoo {health['server_version']}, "
                                           f"logged in as user {health['uid']}.", messages.SUCCESS)
            else:
                self.message_user(request, f"{connection.organization}: {health['error']}", messages.ERROR)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the local demo "sent" instead of delivering it."""

    list_display = ["created_at", "channel", "recipients", "subject", "message_id"]
    list_filter = ["channel"]
    search_fields = ["subject", "body", "message_id"]
