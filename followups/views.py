"""Dashboard pages for follow-ups: the list, one follow-up (with pause, resume, stop, promise and
dispute for those who may decide) and a sequence's levels (edited by administrators, with
what each level would send).

Views parse and authorise; `followups.services` decides. Every lookup is scoped to the user's
organisation (another organisation's follow-up is a 404, checked before the role), and only POST
changes anything."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aiom.pages import carry_out
from aiom.tenancy import get_scoped_or_404, require_membership

from . import editing, outcomes, preview, selectors, services
from .forms import (CustomerPauseForm, DisputeForm, FollowUpFilterForm, LevelFormSet, PauseForm, PromiseForm,
                    SequenceForm, StopForm, errors_in_words, formset_errors_in_words)
from .models import FollowUp, FollowUpStatus

PAGE_SIZE = 50
STATE_LABELS = {"done": "Done", "skipped": "Skipped", "passed": "Passed over", "next": "Next", "later": "To come"}


@login_required
def follow_ups(request):
    membership = require_membership(request)
    form = FollowUpFilterForm(request.GET)
    listing = selectors.follow_ups_listed(organization=membership.organization, **form.filters())
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    zone = selectors.zone_of(membership.organization)
    last = outcomes.latest_in_words(page)
    return render(request, "dashboard/followups.html", {
        "form": form, "page": page, "rows": [(selectors.row(follow_up, zone), last.get(follow_up.pk, ""))
                                             for follow_up in page]})


@login_required
def follow_up(request, pk: int):
    membership = require_membership(request)
    found = selectors.follow_up_detail(organization=membership.organization, pk=pk)
    if found is None:
        raise Http404("No such follow-up in your organisation.")
    zone = selectors.zone_of(membership.organization)
    today = timezone.now().astimezone(zone).date()
    invoices = selectors.invoices(found, today)
    disputed = {invoice.id for invoice in invoices if invoice.dispute}
    customer = found.target_id if selectors.chases_invoices(found) else None
    can_change = membership.can_approve and found.open
    return render(request, "dashboard/followup.html", {
        "follow_up": found, "zone": zone, "invoices": invoices, "row": selectors.row(found, zone),
        "levels": [(step, STATE_LABELS[step.state]) for step in selectors.progress(found, zone)],
        "events": [(event, selectors.actor(event)) for event in found.events.all()],
        "promises": found.promises.all(), "can_decide": membership.can_approve, "can_change": can_change,
        "paused": found.status == FollowUpStatus.PAUSED, "currency": selectors.currency(found),
        "pause_form": PauseForm(), "promise_form": PromiseForm(),
        "dispute_form": DisputeForm(invoices=selectors.chased(found), disputed=disputed),
        "about_invoices": selectors.chases_invoices(found), "disputes": selectors.customer_disputes(found),
        "override": selectors.override_for(organization=membership.organization, partner_id=customer),
        "customer_holds": selectors.active_customer_holds(membership.organization, today, partner_id=customer)
        if customer else [], "customer_pause_form": CustomerPauseForm(),
    })


def _sequence(request, pk: int):
    membership = require_membership(request)
    found = selectors.sequence_detail(organization=membership.organization, pk=pk)
    if found is None:
        raise Http404("No such sequence in your organisation.")
    return membership, found


@login_required
@require_http_methods(["GET", "POST"])
def sequence(request, pk: int):
    """The sequence in words; for an administrator, the editor of its levels too (POST saves)."""
    membership, found = _sequence(request, pk)
    form = formset = None
    if membership.is_admin:
        data = request.POST if request.method == "POST" else None
        form = SequenceForm(data, instance=found, prefix="sequence")
        formset = LevelFormSet(data, instance=found, prefix="levels")
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            saved, _ = carry_out(request, lambda: editing.save_sequence(found, request.user, form.cleaned_data,
                                                                         formset.levels()),
                                 then_said="Nothing was changed.")
            if saved:
                messages.success(request, "Sequence saved: the engine plans with these levels from its next run.")
                return redirect("dashboard:sequence", pk=found.pk)
        elif request.method == "POST":
            messages.error(request, " ".join(["Nothing was changed.", errors_in_words(form),
                                              *formset_errors_in_words(formset)]).strip())
    elif request.method == "POST":
        raise PermissionDenied("Only an administrator of the organisation may change its sequences.")
    if request.method == "POST":
        found = selectors.sequence_detail(organization=membership.organization, pk=pk)  # as saved, for the words
    source = preview.Source(membership.organization)
    levels = list(found.levels.all())
    rows = [(form_, source.preview(form_["channel"].value(), form_["wording"].value()))
            for form_ in formset.forms] if formset is not None else []
    return render(request, "dashboard/sequence.html", {
        "sequence": found, "form": form, "formset": formset, "rows": rows, "preview_problem": source.problem,
        "levels": [(level, selectors.when_in_words(level), selectors.level_in_words(level),
                    source.preview(level.channel, level.wording)) for level in levels]})


@login_required
@require_POST
def sequence_move(request, pk: int, level_pk: int):
    """Move one level up or down (administrators); back to the sequence's page."""
    membership, found = _sequence(request, pk)
    if not membership.is_admin:
        raise PermissionDenied("Only an administrator of the organisation may change its sequences.")
    direction = request.POST.get("direction", "")
    position = request.POST.get("position", "")
    if direction not in ("up", "down") or not (position.isascii() and position.isdigit()):
        return HttpResponseBadRequest("Say which way the level moves (up or down) and where it was shown.")
    moved, level = carry_out(request, lambda: editing.move_level(found, request.user, level_pk, up=direction == "up",
                                                                 position=int(position)))
    if moved:
        messages.success(request, f"“{level.name}” is now level {level.position + 1}. Follow-ups keep the levels "
                                  "they have had: none is sent twice.")
    return redirect("dashboard:sequence", pk=found.pk)


@login_required
@require_GET
def sequence_preview(request, pk: int):
    """What one level would send (an HTML fragment), for the channel and wording asked."""
    membership, found = _sequence(request, pk)
    channel, wording = request.GET.get("channel", ""), request.GET.get("wording", "")
    if not preview.valid(channel, wording):
        return HttpResponseBadRequest("Ask for a channel (email, sms, task, call) and a wording "
                                      "(courtesy, friendly, firm, final).")
    return render(request, "dashboard/partials/level_preview.html",
                  {"preview": preview.Source(membership.organization).preview(channel, wording)})


def _changeable(request, pk: int) -> FollowUp:
    """The organisation's follow-up (404 otherwise), for someone who may decide (403 otherwise)."""
    membership = require_membership(request)
    found = get_scoped_or_404(FollowUp.objects.select_related("organization"), request, pk=pk)
    if not membership.can_approve:
        raise PermissionDenied("Your role can view follow-ups but not change them.")
    return found


def _apply(request, follow_up: FollowUp, form, change, *, success: str):
    """Run `change(cleaned_data)` when the form is valid; say what happened; back to the page."""
    if form is not None and not form.is_valid():
        messages.error(request, errors_in_words(form) + " Nothing was changed.")
    else:
        done, _ = carry_out(request, lambda: change(form.cleaned_data if form is not None else {}))
        if done:
            messages.success(request, success)
    return redirect("dashboard:followup", pk=follow_up.pk)


@login_required
@require_POST
def pause(request, pk: int):
    follow_up = _changeable(request, pk)
    return _apply(request, follow_up, PauseForm(request.POST),
                  lambda data: services.pause(follow_up, request.user, until=data["until"], reason=data["reason"]),
                  success="Paused: AIOM proposes nothing for this customer until it is resumed"
                          + (" or the pause ends." if request.POST.get("until") else "."))


@login_required
@require_POST
def resume(request, pk: int):
    follow_up = _changeable(request, pk)
    return _apply(request, follow_up, None, lambda data: services.resume(follow_up, request.user),
                  success="Resumed: the next level is proposed when it falls due.")


@login_required
@require_POST
def stop(request, pk: int):
    follow_up = _changeable(request, pk)
    return _apply(request, follow_up, StopForm(request.POST),
                  lambda data: services.stop(follow_up, request.user, reason=data["reason"]),
                  success="Stopped: AIOM will not chase these invoices any further.")


@login_required
@require_POST
def promise(request, pk: int):
    follow_up = _changeable(request, pk)

    def record(data):
        selectors.ensure_open_for_invoices(follow_up)
        services.promise(follow_up, request.user, promised_date=data["promised_date"], amount=data["amount"],
                         grace_days=data["grace_days"])

    return _apply(request, follow_up, PromiseForm(request.POST), record,
                  success="Promise recorded: nothing is sent until the day has passed, plus the grace days.")


@login_required
@require_POST
def dispute(request, pk: int):
    follow_up = _changeable(request, pk)

    def record(data):
        selectors.ensure_open_for_invoices(follow_up)
        services.dispute(follow_up.organization, request.user, invoice_id=data["invoice"], reason=data["reason"],
                         partner_id=follow_up.target_id)

    return _apply(request, follow_up, DisputeForm(request.POST, invoices=selectors.chased(follow_up)), record,
                  success="Dispute recorded: the invoice is not chased until the dispute is resolved.")


@login_required
@require_POST
def resolve_dispute(request, pk: int, hold_pk: int):
    follow_up = _changeable(request, pk)
    hold = selectors.customer_dispute(follow_up, hold_pk)
    if hold is None:
        raise Http404("No such open dispute on this customer's invoices.")
    return _apply(request, follow_up, None, lambda _: services.resolve_dispute(hold, request.user),
                  success="Dispute resolved: the invoice is chased again if it is still open.")
