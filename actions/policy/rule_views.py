"""Dashboard pages for policy rules: the list, the editor (tried against the last 30 days before
saving) and the changes waiting for a second admin. Admins only; every lookup is scoped to the
organisation (another organisation's rule is a 404); the store and `changes` decide and audit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from aiom.pages import carry_out
from aiom.errors import ApplicationError, NotAllowed
from aiom.models import Membership
from aiom.tenancy import get_scoped_or_404, require_role

from ..models import ActionStatus
from . import changes, store
from .backtest import NO_MATCH, OUTCOME_WORDS, backtest
from .models import ChangeStatus, PolicyChange, PolicyRule, RuleStatus
from .rule_forms import RuleForm
from .rules import Effect, Mode
from .wording import mode_label

DAYS = 30
EFFECT_LABELS = {Effect.DENY.value: "Refused", Effect.REQUIRE_APPROVAL.value: "Needs approval",
                 Effect.AUTO_EXECUTE.value: "Runs automatically", NO_MATCH: "Not concerned"}
WAITING = "Waiting for a second admin: another admin of the organisation confirms it on the Rule changes page."


def _admin(request) -> Membership:
    return require_role(request, admin=True, refused="Only organisation admins can change the policy rules.")


def _people(organization) -> dict[int, str]:
    return {m.user_id: m.user.get_full_name() or m.user.get_username()
            for m in Membership.objects.filter(organization=organization).select_related("user")}


@login_required
def rules_page(request):
    membership = _admin(request)
    organization = membership.organization
    people = _people(organization)
    rows = list(PolicyRule.objects.filter(organization=organization).select_related("created_by"))
    sentence = {rule.pk: store.describe(rule.definition, people=people) for rule in rows}
    active = [(rule, sentence[rule.pk]) for rule in rows if rule.status == RuleStatus.ACTIVE]
    archived = sorted(((rule, sentence[rule.pk]) for rule in rows if rule.status == RuleStatus.ARCHIVED),
                      key=lambda pair: pair[0].archived_at, reverse=True)
    return render(request, "dashboard/policy_rules.html", {
        "active": active, "archived": archived, "pending": changes.pending(organization).count(),
        "second_admin": changes.needs_second_admin(organization)})


@login_required
def rule_new(request):
    return _editor(request, _admin(request), None)


@login_required
def rule_edit(request, pk: int):
    membership = _admin(request)
    rule = get_scoped_or_404(PolicyRule.objects.select_related("organization"), request, pk=pk)
    if request.method != "POST" and rule.status != RuleStatus.ACTIVE:
        messages.info(request, f"Version {rule.version} of “{rule.name}” is archived; edit the version in use.")
        return redirect("dashboard:policy-rules")
    return _editor(request, membership, rule)


def _editor(request, membership: Membership, rule: PolicyRule | None):
    """One form, two buttons: "Test against the last 30 days" only shows the backtest; "Save rule"
    saves (or asks the second admin) and shows the same backtest with the outcome."""
    organization = membership.organization
    form = RuleForm(request.POST or None, organization=organization,
                    initial=RuleForm.initial_for(rule) if rule else None)
    tried = None
    if request.method == "POST" and form.is_valid():
        tried = _tried(backtest(organization, form.definition, days=DAYS))
        if "save" in request.POST:
            payload = {"name": form.cleaned_data["name"], "description": form.cleaned_data["description"],
                       "definition": form.definition.model_dump(mode="json"), "mode": form.cleaned_data["mode"]}
            if rule is not None:
                payload["rule_id"] = rule.pk
            try:
                outcome, result = changes.request_or_apply(
                    organization, request.user, changes.RULE_EDIT if rule else changes.RULE_CREATE, payload)
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from exc
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return render(request, "dashboard/policy_rule_saved.html", {
                    "outcome": outcome, "result": result, "tried": tried, "waiting": WAITING,
                    "sentence": store.describe(form.definition, people=_people(organization)),
                    "unchanged": outcome == changes.APPLIED and rule is not None and result.pk == rule.pk})
    sentence = store.describe(form.definition, people=_people(organization)) if form.definition else ""
    return render(request, "dashboard/policy_rule_form.html", {
        "form": form, "rule": rule, "tried": tried, "sentence": sentence, "days": DAYS,
        "second_admin": changes.needs_second_admin(organization)})


def _tried(result) -> dict:
    """The backtest laid out for the page: bars, examples, outcome table."""
    largest = max([*result.counts.values(), 1])
    bars = [{"key": key, "label": label, "count": result.counts.get(key, 0),
             "width": round(100 * result.counts.get(key, 0) / largest)} for key, label in EFFECT_LABELS.items()]
    examples = [(EFFECT_LABELS[key], [(example, _status(example.status)) for example in result.examples[key]])
                for key in EFFECT_LABELS if key != NO_MATCH and result.examples.get(key)]
    outcomes = [(OUTCOME_WORDS.get(label, label.replace("_", " ")).capitalize(),
                 [by_effect.get(key, 0) for key in EFFECT_LABELS]) for label, by_effect in result.outcomes.items()]
    return {"result": result, "bars": bars, "examples": examples, "outcomes": outcomes,
            "columns": list(EFFECT_LABELS.values()), "summary": result.summary()}


def _status(value: str) -> str:
    try:
        return ActionStatus(value).label
    except ValueError:
        return value.replace("_", " ")


def _change(request, pk: int, kind: str, payload: dict, *, done: str):
    membership = _admin(request)
    rule = get_scoped_or_404(PolicyRule.objects.select_related("organization"), request, pk=pk)
    asked, answer = carry_out(request, lambda: changes.request_or_apply(membership.organization, request.user, kind,
                                                                        {"rule_id": rule.pk, **payload}))
    if asked:
        messages.success(request, done.format(name=rule.name) if answer[0] == changes.APPLIED else WAITING)
    return redirect("dashboard:policy-rules")


@login_required
@require_POST
def rule_archive(request, pk: int):
    return _change(request, pk, changes.RULE_ARCHIVE, {}, done="Archived “{name}”: it no longer applies.")


@login_required
@require_POST
def rule_mode(request, pk: int):
    mode = request.POST.get("mode", "")
    if mode not in (Mode.DRY_RUN.value, Mode.ENFORCE.value):
        messages.error(request, "Choose a dry run or enforcing the rule.")
        return redirect("dashboard:policy-rules")
    return _change(request, pk, changes.RULE_MODE, {"mode": mode},
                   done="“{name}” is now: " + mode_label(mode).lower() + ".")


@login_required
@require_POST
def rule_move(request, pk: int):
    _admin(request)
    rule = get_scoped_or_404(PolicyRule.objects.select_related("organization"), request, pk=pk)
    try:
        store.move_rule(rule, request.POST.get("direction", ""), actor_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("dashboard:policy-rules")


@login_required
def changes_page(request):
    membership = _admin(request)
    listing = PolicyChange.objects.filter(organization=membership.organization).select_related(
        "requested_by", "decided_by")
    return render(request, "dashboard/policy_changes.html", {
        "pending": [c for c in listing if c.status == ChangeStatus.PENDING],
        "decided": [c for c in listing.exclude(status=ChangeStatus.PENDING)[:20]]})


def _decide_change(request, pk: int, decision, success: str):
    _admin(request)
    change = get_scoped_or_404(PolicyChange.objects.all(), request, pk=pk)
    if carry_out(request, lambda: decision(change))[0]:
        messages.success(request, success)
    return redirect("dashboard:policy-changes")


@login_required
@require_POST
def change_confirm(request, pk: int):
    return _decide_change(request, pk, lambda change: changes.confirm(change, request.user),
                          "Confirmed and applied.")


@login_required
@require_POST
def change_decline(request, pk: int):
    note = request.POST.get("note", "")[:300]
    return _decide_change(request, pk, lambda change: changes.decline(change, request.user, note),
                          "Declined: nothing was changed.")


@login_required
@require_POST
def change_withdraw(request, pk: int):
    return _decide_change(request, pk, lambda change: changes.withdraw(change, request.user),
                          "Withdrawn: nothing was changed.")
