"""Dashboard pages for how single customers are chased: their own settings (another sequence,
another tolerance, never automatically; administrators change them, everyone reads them) and
holds (a whole customer paused from its follow-up's page, any hold ended; approvers and admins).

Views parse and authorise; `followups.overrides` and `followups.services` decide. Every lookup is
scoped to the user's organisation (another organisation's settings or hold are a 404, checked
before the role), and only POST changes anything."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from aiom.pages import carry_out
from aiom.tenancy import get_scoped_or_404, require_membership

from . import overrides, selectors, services
from .forms import MAX_ID, CustomerPauseForm, OverrideForm, errors_in_words
from .models import Hold, PartnerOverride
from .views import _apply, _changeable

ADMINS_ONLY = "Only an administrator of the organisation may change how a customer is chased."


def _create(organization, user, form) -> tuple[str, str]:
    """Settings for a customer not listed yet: (their name, a note about them)."""
    name, note = overrides.lookup(organization, form.cleaned_data["partner"])
    overrides.create(organization, user, partner_id=form.cleaned_data["partner"], settings=_settings(form), name=name)
    return name, note


def _settings(form: OverrideForm) -> overrides.Settings:
    data = form.cleaned_data
    return overrides.Settings(data["sequence"], data["tolerance"], data["note"])


def _said(sequence) -> str:
    words = overrides.chased_in_words(sequence)
    return words if sequence is None else f"chased {words}"


@login_required
@require_http_methods(["GET", "POST"])
def customers(request):
    """Every customer with settings of its own, what is on hold today, and (administrators) a form
    to give one more customer its own settings."""
    membership = require_membership(request)
    organization = membership.organization
    if request.method == "POST" and not membership.is_admin:
        raise PermissionDenied(ADMINS_ONLY)
    form = None
    if membership.is_admin:
        asked = request.GET.get("partner", "")
        initial = {"partner_id": int(asked)} if asked.isascii() and asked.isdigit() and 0 < int(asked) <= MAX_ID else {}
        sequences = selectors.invoice_sequences(organization=organization)
        if sequences:
            initial["chase"] = str(sequences[0].pk)
        form = OverrideForm(request.POST if request.method == "POST" else None, initial=initial, sequences=sequences,
                            customers=selectors.known_customers(organization=organization))
        if request.method == "POST":
            if form.is_valid():
                created, named = carry_out(request, lambda: _create(organization, request.user, form),
                                           then_said="Nothing was changed.")
                if created:
                    name, note = named
                    messages.success(request, f"{name} is now {_said(form.cleaned_data['sequence'])}. {note}".strip())
                    return redirect("dashboard:followup-customers")
            else:
                messages.error(request, errors_in_words(form) + " Nothing was changed.")
    today = timezone.now().astimezone(selectors.zone_of(organization)).date()
    listed = list(selectors.overrides_listed(organization=organization))
    holds = list(selectors.active_holds(organization, today))
    names = overrides.names(organization, {override.partner_id for override in listed}
                            | {hold.partner_id for hold in holds if hold.partner_id})
    return render(request, "dashboard/followup_customers.html", {
        "form": form, "can_change": membership.is_admin, "can_decide": membership.can_approve,
        "rows": [(override, names[override.partner_id], overrides.chased_in_words(override.sequence),
                  overrides.tolerance_in_words(override)) for override in listed],
        "holds": [(hold, names.get(hold.partner_id, "")) for hold in holds],
    })


def _override(request, pk: int) -> PartnerOverride:
    return get_scoped_or_404(PartnerOverride.objects.select_related("sequence", "organization"), request, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def customer(request, pk: int):
    """One customer's own settings; administrators change them here (POST saves)."""
    membership = require_membership(request)
    override = _override(request, pk)
    if request.method == "POST" and not membership.is_admin:
        raise PermissionDenied(ADMINS_ONLY)
    name = overrides.names(membership.organization, [override.partner_id])[override.partner_id]
    form = None
    if membership.is_admin:
        initial = {"chase": str(override.sequence_id) if override.sequence_id else "never",
                   "tolerance": override.tolerance, "note": override.note}
        form = OverrideForm(request.POST if request.method == "POST" else None, initial=initial,
                            sequences=selectors.invoice_sequences(organization=membership.organization))
        if request.method == "POST":
            if form.is_valid():
                saved, _ = carry_out(request, lambda: overrides.update(override, request.user,
                                                                       settings=_settings(form), name=name),
                                     then_said="Nothing was changed.")
                if saved:
                    messages.success(request, f"Saved: {name} is {_said(form.cleaned_data['sequence'])}.")
                    return redirect("dashboard:followup-customers")
            else:
                messages.error(request, errors_in_words(form) + " Nothing was changed.")
    return render(request, "dashboard/followup_customer.html", {
        "override": override, "name": name, "form": form, "chased": overrides.chased_in_words(override.sequence),
        "tolerance": overrides.tolerance_in_words(override)})


@login_required
@require_POST
def remove(request, pk: int):
    membership = require_membership(request)
    override = _override(request, pk)
    if not membership.is_admin:
        raise PermissionDenied(ADMINS_ONLY)
    name = overrides.names(membership.organization, [override.partner_id])[override.partner_id]
    removed, _ = carry_out(request, lambda: overrides.remove(override, request.user, name=name))
    if removed:
        messages.success(request, f"{name} is chased like every other customer again: the default sequence "
                                  "and its tolerance.")
    return redirect("dashboard:followup-customers")


@login_required
@require_POST
def pause_customer(request, pk: int):
    """Pause every invoice of the follow-up's customer (approvers and admins)."""
    follow_up = _changeable(request, pk)
    if not selectors.chases_invoices(follow_up):
        raise Http404("A deal's follow-up has no customer invoices to pause; pause the follow-up itself.")
    form = CustomerPauseForm(request.POST)
    return _apply(request, follow_up, form, lambda data: services.pause_customer(
        follow_up.organization, request.user, partner_id=follow_up.target_id, until=data["until"],
        reason=data["reason"]), success="Customer paused: AIOM chases none of their invoices until the pause ends.")


@login_required
@require_POST
def end_hold(request, pk: int):
    """End a hold in force today: a customer's or an invoice's pause, or a dispute (resolved)."""
    membership = require_membership(request)
    found = get_scoped_or_404(Hold.objects.select_related("organization"), request, pk=pk)
    if not membership.can_approve:
        raise PermissionDenied("Your role can see what is on hold but not end it.")
    today = timezone.now().astimezone(selectors.zone_of(membership.organization)).date()
    if selectors.active_hold(membership.organization, today, found.pk) is None:
        messages.error(request, "This hold has already ended.")
    else:
        ended, _ = carry_out(request, lambda: services.end_hold(found, request.user))
        if ended:
            messages.success(request, "Dispute resolved: the invoice is chased again if it is still open."
                             if found.kind == "dispute" else "Hold ended: chasing starts again from the next run.")
    return redirect(_back(request))


def _back(request) -> str:
    """Where the hold was ended from (a follow-up's page or the customer settings), never elsewhere."""
    back = request.POST.get("next", "")
    if back.startswith("/dashboard/follow-ups/") and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return back
    return reverse("dashboard:followup-customers")
