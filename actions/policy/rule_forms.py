"""The rule editor's form, in plain words: it turns what an admin ticks and types into a
`RuleDefinition` (and back), and shows the schema's objections next to the field they concern."""

from django import forms
from pydantic import ValidationError

from aiom.models import DECIDING_ROLES, Membership

from .. import types
from ..fields import Channel, RiskLevel, Source
from .rules import ApproverKind, CheckName, Effect, Mode, Quorum, parse_rule
from .wording import CHECKS, SOURCES, WEEKDAYS, plain_errors

#: The "All invoice reminders" shortcut: every message chasing an unpaid invoice.
REMINDER_TYPES = ("send_invoice_reminder", "send_invoice_reminder_sms", "send_dunning_email", "send_dunning_sms")
RISKS = [(level.value, level.value.capitalize()) for level in RiskLevel]
CHANNEL_CHOICES = [(Channel.EMAIL.value, "Email"), (Channel.SMS.value, "SMS"), (Channel.ODOO.value, "Odoo"),
                   (Channel.INTERNAL.value, "AIOM itself")]
EFFECTS = [(Effect.DENY.value, "Refuse, with a reason people will read"),
           (Effect.REQUIRE_APPROVAL.value, "Needs approval"),
           (Effect.AUTO_EXECUTE.value, "Runs automatically (only where the guardrails allow it)")]
APPROVER_KINDS = [(ApproverKind.ANYONE.value, "Anyone who may approve"),
                  (ApproverKind.ROLE.value, "People with a role"),
                  (ApproverKind.TEAM.value, "People in a team"),
                  (ApproverKind.USERS.value, "The people named below")]
MODES = [(Mode.DRY_RUN.value, "Start as a dry run: record what it would have done, change nothing"),
         (Mode.ENFORCE.value, "Enforce it at once")]
#: Definition field → form field, where the names differ.
FORM_FIELD = {"approvers": "approver_kind", "kind": "approver_kind", "role": "approver_role",
              "team": "approver_team", "users": "approver_users", "count": "approver_count",
              "quorum": "approver_quorum"}
CHECKBOXES = forms.CheckboxSelectMultiple
#: The editor's parts, in order: (heading, fields).
SECTIONS = [
    ("The rule", ("name", "description")),
    ("When", ("all_invoice_reminders", "action_types", "risk_levels", "amount_over", "amount_at_most", "partner_ids",
              "partner_tags", "partner_countries", "recipient_domains", "channels", "sources", "weekdays",
              "time_from", "time_to", "days_overdue_at_least", "days_overdue_at_most")),
    ("Then", ("effect", "reason")),
    ("Who approves, when it needs approval", ("approver_kind", "approver_count", "approver_role", "approver_team",
                                              "approver_users", "approver_quorum", "approver_or_count")),
    ("Also", ("expiry_hours", "add_checks", "raise_risk_to")),
    ("Start", ("mode",)),
]


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _listed(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


class RuleForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name",
                           error_messages={"required": "Give the rule a name people will recognise."})
    description = forms.CharField(max_length=300, required=False, label="Why this rule exists",
                                  widget=forms.Textarea(attrs={"rows": 2}))
    # When
    all_invoice_reminders = forms.BooleanField(required=False, label="All invoice reminders (email and SMS)")
    action_types = forms.MultipleChoiceField(required=False, widget=CHECKBOXES, label="Kinds of action",
                                             choices=types.action_type_choices)
    risk_levels = forms.MultipleChoiceField(required=False, widget=CHECKBOXES, choices=RISKS, label="Risk")
    amount_over = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2,
                                     label="Amount over")
    amount_at_most = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2,
                                        label="Amount at most")
    partner_ids = forms.CharField(required=False, label="Customers (Odoo contact numbers, separated by commas)")
    partner_tags = forms.CharField(required=False, label="Customer tags (separated by commas)")
    partner_countries = forms.CharField(required=False, label="Countries (two-letter codes such as DE, FR)")
    recipient_domains = forms.CharField(required=False, label="Recipient domains (such as example.com)")
    channels = forms.MultipleChoiceField(required=False, widget=CHECKBOXES, choices=CHANNEL_CHOICES, label="Channel")
    sources = forms.MultipleChoiceField(required=False, widget=CHECKBOXES, label="Proposed by",
                                        choices=[(s.value, _first_upper(SOURCES[s.value].removeprefix("the ")))
                                                 for s in Source])
    weekdays = forms.TypedMultipleChoiceField(required=False, widget=CHECKBOXES, coerce=int, label="Weekdays",
                                              choices=list(enumerate(WEEKDAYS)))
    time_from = forms.TimeField(required=False, label="From (time)", widget=forms.TimeInput(attrs={"type": "time"}))
    time_to = forms.TimeField(required=False, label="Until (time)", widget=forms.TimeInput(attrs={"type": "time"}))
    days_overdue_at_least = forms.IntegerField(required=False, min_value=0, max_value=3650,
                                               label="Days overdue, at least")
    days_overdue_at_most = forms.IntegerField(required=False, min_value=0, max_value=3650,
                                              label="Days overdue, at most")
    # Then
    effect = forms.ChoiceField(choices=EFFECTS, widget=forms.RadioSelect, label="What the rule does",
                               error_messages={"required": "Choose what the rule does."})
    reason = forms.CharField(max_length=300, required=False, label="Reason shown when it refuses")
    approver_kind = forms.ChoiceField(choices=APPROVER_KINDS, widget=forms.RadioSelect, required=False,
                                      initial=ApproverKind.ANYONE.value, label="Approved by")
    approver_count = forms.IntegerField(min_value=1, max_value=5, initial=1, required=False,
                                        label="How many approvers")
    approver_role = forms.ChoiceField(required=False, label="Role",
                                      choices=[("", "—"), ("approver", "Approvers"), ("admin", "Admins")])
    approver_team = forms.CharField(required=False, max_length=40, label="Team (such as finance)")
    approver_users = forms.TypedMultipleChoiceField(required=False, widget=CHECKBOXES, coerce=int, label="People")
    approver_quorum = forms.ChoiceField(required=False, label="Of the people named",
                                        choices=[(Quorum.ANY.value, "That many of them"),
                                                 (Quorum.ALL.value, "All of them")])
    approver_or_count = forms.IntegerField(
        min_value=1, max_value=5, required=False, label="Or, instead, this many approvers (anyone)",
        help_text="For “a finance approver or two approvers”: leave empty when the people above are needed.")
    expiry_hours = forms.IntegerField(required=False, min_value=1, max_value=720,
                                      label="Waiting actions expire after (hours)")
    add_checks = forms.MultipleChoiceField(required=False, widget=CHECKBOXES, label="Check again just before it runs",
                                           choices=[(check.value, _first_upper(CHECKS[check])) for check in CheckName])
    raise_risk_to = forms.ChoiceField(required=False, choices=[("", "Leave as it is"), *RISKS], label="Raise risk to")
    mode = forms.ChoiceField(choices=MODES, widget=forms.RadioSelect, initial=Mode.DRY_RUN.value, label="Start")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        deciders = (Membership.objects.filter(organization=organization, role__in=DECIDING_ROLES)
                    .select_related("user").order_by("user__username"))
        self.fields["approver_users"].choices = [(m.user_id, m.user.get_full_name() or m.user.get_username())
                                                 for m in deciders]
        self.definition = None

    @property
    def sections(self) -> list[tuple[str, list]]:
        return [(heading, [self[name] for name in names]) for heading, names in SECTIONS]

    @classmethod
    def initial_for(cls, rule) -> dict:
        """The form's fields for a stored rule version."""
        definition = parse_rule(rule.definition)
        when, then = definition.when.model_dump(mode="json"), definition.then
        group = then.approvers[0] if then.approvers else None
        initial = {**{name: value for name, value in when.items() if value not in (None, [])},
                   "name": rule.name, "description": rule.description, "mode": rule.mode,
                   "effect": then.effect.value, "reason": then.reason, "expiry_hours": then.expiry_hours,
                   "add_checks": [check.value for check in then.add_checks],
                   "raise_risk_to": then.raise_risk_to.value if then.raise_risk_to else ""}
        for name in ("partner_ids", "partner_tags", "partner_countries", "recipient_domains"):
            initial[name] = ", ".join(str(value) for value in when[name])
        if group is not None:
            initial.update(approver_kind=group.kind.value, approver_count=group.count, approver_role=group.role or "",
                           approver_team=group.team or "", approver_users=group.users,
                           approver_quorum=group.quorum.value)
        if then.approvers_match == Quorum.ANY and len(then.approvers) > 1:
            initial["approver_or_count"] = then.approvers[1].count
        return initial

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        when = {name: data.get(name) for name in (
            "risk_levels", "amount_over", "amount_at_most", "channels", "sources", "weekdays", "time_from",
            "time_to", "days_overdue_at_least", "days_overdue_at_most")}
        chosen = list(data.get("action_types") or [])
        if data.get("all_invoice_reminders"):
            chosen += [name for name in REMINDER_TYPES if name in types.ACTION_TYPES and name not in chosen]
        when["action_types"] = chosen
        when["partner_tags"] = _listed(data.get("partner_tags"))
        when["partner_countries"] = [code.upper() for code in _listed(data.get("partner_countries"))]
        when["recipient_domains"] = [domain.lower().lstrip("@") for domain in _listed(data.get("recipient_domains"))]
        ids = _listed(data.get("partner_ids"))
        if any(not value.isdigit() for value in ids):
            self.add_error("partner_ids", "Customers are Odoo contact numbers, such as 42, 57.")
            return data
        when["partner_ids"] = [int(value) for value in ids]
        then = {"effect": data["effect"], "reason": (data.get("reason") or "").strip(),
                "expiry_hours": data.get("expiry_hours"), "add_checks": data.get("add_checks") or [],
                "raise_risk_to": data.get("raise_risk_to") or None}
        if data["effect"] == Effect.REQUIRE_APPROVAL.value:
            then["approvers"] = [self._approvers(data)]
            if data.get("approver_or_count"):
                then["approvers"].append({"kind": ApproverKind.ANYONE.value, "count": data["approver_or_count"]})
                then["approvers_match"] = Quorum.ANY.value
        definition = {"when": {k: v for k, v in when.items() if v not in (None, [], "")},
                      "then": {k: v for k, v in then.items() if v not in (None, [], "")}}
        try:
            self.definition = parse_rule(definition)
        except ValidationError as exc:
            for loc, _, message in plain_errors(exc):
                self.add_error(self._field_for(loc, message), message)
        return data

    @staticmethod
    def _approvers(data) -> dict:
        kind = data.get("approver_kind") or ApproverKind.ANYONE.value
        group = {"kind": kind, "count": data.get("approver_count") or 1}
        if kind == ApproverKind.ROLE.value:
            group["role"] = data.get("approver_role") or None
        elif kind == ApproverKind.TEAM.value:
            group["team"] = (data.get("approver_team") or "").strip().lower() or None
        elif kind == ApproverKind.USERS.value:
            group["users"] = list(data.get("approver_users") or [])
            group["quorum"] = data.get("approver_quorum") or Quorum.ANY.value
        return group

    def _field_for(self, loc: tuple, message: str) -> str | None:
        """The form field an error of the definition belongs to (None: the form as a whole)."""
        named = [part for part in loc if isinstance(part, str) and part not in ("when", "then")]
        if named:
            field = FORM_FIELD.get(named[-1], named[-1])
            return field if field in self.fields else None
        text = message.lower()
        if loc == ("then",):
            return "reason" if "reason" in text else "effect"
        for words, field in (("time window", "time_from"), ("amount", "amount_at_most"),
                             ("days overdue", "days_overdue_at_most")):
            if words in text:
                return field
        return None
