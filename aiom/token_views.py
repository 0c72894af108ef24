"""The API tokens page: each person creates, sees and revokes their own tokens. A new token's
secret is shown once, on the page that answers the POST, and never stored."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import api_tokens
from .errors import ApplicationError
from .models import TokenScope


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “month-end script”.")
    scope = forms.ChoiceField(label="What it may do", choices=TokenScope.choices, initial=TokenScope.READ,
                              help_text="Deciding also needs the approver role in the organisation.")
    expires_in_days = forms.TypedChoiceField(
        label="Expires", coerce=lambda value: int(value) if value else None, empty_value=None, initial="90",
        choices=[(str(days or ""), f"in {days} days" if days else "never (until revoked)")
                 for days in api_tokens.EXPIRY_CHOICES])


@never_cache
@login_required
def tokens(request):
    form, created = TokenForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        try:
            token, created = api_tokens.create_token(request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            form = TokenForm()
    now = timezone.now()
    rows = [(token, token.state(now)) for token in api_tokens.tokens_of(request.user)]
    return render(request, "dashboard/api_tokens.html", {"form": form, "created": created, "rows": rows})


@login_required
@require_POST
def revoke(request, pk: int):
    try:
        token = api_tokens.revoke_token(request.user, pk)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Token “{token.name}” is revoked; it no longer works.")
    return redirect("dashboard:api-tokens")
