"""The "I'm away" page: a deciding member names who stands in for them and when; an admin may
do it for anyone. The service (`actions.policy.delegation`) checks who may do what."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from aiom.pages import carry_out
from aiom.errors import ApplicationError, NotAllowed
from aiom.models import DECIDING_ROLES
from aiom.tenancy import get_scoped_or_404, require_role

from ..permissions import CANNOT_DECIDE
from . import delegation as service
from .models import Delegation


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return service.name_of(user)


class DelegationForm(forms.Form):
    delegator = PersonField(queryset=None, label="Who is away")
    delegate = PersonField(queryset=None, label="Who stands in", empty_label="Choose someone",
                           help_text="They may give the approvals asked of the person away.")
    starts_on = forms.DateField(label="First day away", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Last day away", widget=forms.DateInput(attrs={"type": "date"}),
                              help_text="Included: they stand in until the end of that day.")
    reason = forms.CharField(label="Reason (optional)", max_length=200, required=False,
                             help_text="For example “holiday” or “training”.")

    def __init__(self, *args, organization, user, is_admin: bool, **kwargs):
        super().__init__(*args, **kwargs)
        deciding = (get_user_model().objects.filter(memberships__organization=organization, is_active=True,
                                                    memberships__role__in=DECIDING_ROLES)
                    .order_by("first_name", "last_name", "username"))
        self.fields["delegate"].queryset = deciding
        if is_admin:
            self.fields["delegator"].queryset = deciding
            self.fields["delegator"].initial = user.pk
        else:
            del self.fields["delegator"]
            self.fields["delegate"].queryset = deciding.exclude(pk=user.pk)


def _deciding_member(request):
    return require_role(request, refused=CANNOT_DECIDE)


@never_cache
@login_required
def delegations(request):
    membership = _deciding_member(request)
    organization = membership.organization
    form = DelegationForm(request.POST or None, organization=organization, user=request.user,
                          is_admin=membership.is_admin)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = service.delegate(organization, delegator=data.get("delegator") or request.user,
                                    delegate=data["delegate"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                                    reason=data["reason"], actor=request.user)
        except NotAllowed as error:
            raise PermissionDenied(error.message)
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, f"{service.name_of(made.delegate)} stands in for "
                                      f"{service.name_of(made.delegator)} on "
                                      f"{service.span_words(made.starts_on, made.ends_on)}.")
            return redirect("dashboard:delegations")
    today = service.today_in(organization)
    groups = service.listed(organization, request.user, everyone=membership.is_admin, on_date=today)
    return render(request, "dashboard/delegations.html", {
        "form": form, "today": today, "is_admin": membership.is_admin,
        "sections": [("Now", groups["current"], "Nobody is standing in for anyone today.", True),
                     ("Coming up", groups["upcoming"], "Nothing planned.", True),
                     ("Earlier", groups["past"], "Nothing yet.", False)],
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def revoke(request, pk: int):
    _deciding_member(request)
    found = get_scoped_or_404(Delegation.objects.select_related("organization", "delegator", "delegate"),
                              request, pk=pk)
    if carry_out(request, lambda: service.revoke(found, request.user))[0]:
        messages.success(request, f"Revoked: {service.describe(found)}.")
    return redirect("dashboard:delegations")
