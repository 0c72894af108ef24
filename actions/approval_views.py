"""The page behind an emailed approval link.

`GET|HEAD /approvals/email/<token>/` shows what would be decided and reads nothing but the
database: mail gateways fetch every link they see. A link opened while another person is
signed in decides nothing, by GET or POST: that person gets a page saying whose link it is,
and the attempt is audited (a gateway carries no session, so it never gets there). The decision is the explicit POST from that
page to `/approvals/email/`, which carries the token in its body (CSRF-protected like every
form), so a token never appears in the path of a request that can fail and be logged.
"""

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from audit.services import Actor

from . import approval_links
from .approval_links import ApprovalLink, Refused
from .models import ActionStatus, Decision
from .presentation import ActionCard
from .tokens import MAX_TOKEN_LENGTH
from .policy import approvers


class LinkDecisionForm(forms.Form):
    token = forms.CharField(max_length=MAX_TOKEN_LENGTH, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == Decision.REJECT and not data.get("reason"):
            self.add_error("reason", "Say why you reject it, so the team can learn from it.")
        return data


@never_cache
@csrf_exempt  # it refuses every POST itself; the CSRF middleware would refuse first and log the token
def confirm(request, token):
    response = _confirm(request, token)
    # This page's address is the token: never send it to another site. (Not "no-referrer": browsers
    # then send "Origin: null" with the form, and the CSRF check refuses every click.)
    response["Referrer-Policy"] = "same-origin"
    return response


def _confirm(request, token):
    if request.method not in ("GET", "HEAD"):
        return _unlogged(HttpResponseNotAllowed(["GET", "HEAD"]))
    link = approval_links.verify(token)
    if isinstance(link, Refused):
        return _refused(request, approval_links.log_refusal(link))
    if link.opened_by_someone_else(request.user):
        return _someone_else(request, link)
    if not link.session_allows(request.user):
        return redirect_to_login(request.get_full_path())
    form = LinkDecisionForm(initial={"token": token, "decision": link.decision})
    return _confirmation(request, link, form)


@never_cache
@require_POST
def decide(request):
    form = LinkDecisionForm(request.POST)
    token = request.POST.get("token", "")
    link = approval_links.verify(token)
    if isinstance(link, Refused):
        return _refused(request, approval_links.record_refusal(link))
    if link.opened_by_someone_else(request.user):
        return _someone_else(request, link)
    if not link.session_allows(request.user):
        return redirect_to_login(reverse("approval-link", args=[token]))
    if not form.is_valid():
        return _confirmation(request, link, form, status=400)
    outcome = approval_links.decide(link, decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"])
    if isinstance(outcome, Refused):
        return _refused(request, outcome)
    so_far = approvers.progress(outcome)
    return render(request, "approvals/done.html", {
        "action": outcome, "decision": link.decision, "approver": link.approver,
        "waiting_for_more": outcome.status == ActionStatus.PENDING_APPROVAL, "approvals_required": so_far.required,
        "approvals_missing": max(so_far.required - so_far.given, 1),
    })


def _confirmation(request, link: ApprovalLink, form: LinkDecisionForm, status: int = 200):
    return render(request, "approvals/confirm.html", {
        "card": ActionCard.of(link.action), "can_decide": False, "link": link, "form": form,
        "rejecting": link.decision == Decision.REJECT,
        "approvals_required": approvers.progress(link.action).required,
    }, status=status)


def _someone_else(request, link: ApprovalLink):
    refused = approval_links.wrong_user(link, request.user)
    return _refused(request, approval_links.record_refusal(refused, actor=Actor.for_user(request.user)))


def _refused(request, refused: Refused):
    response = render(request, "approvals/refused.html", {"refused": refused}, status=refused.reason.status)
    return _unlogged(response)


def _unlogged(response):
    """Django logs every 4xx with the request path, which here may hold the token; refusals
    are logged without it by `approval_links` instead (and audited when they come by POST)."""
    response._has_been_logged = True
    return response
