"""Input forms for the dashboard: they validate what people type, nothing more."""

from django import forms

from . import types
from .fields import RiskLevel, Source
from .models import ActionStatus


def _choices(enum) -> list[tuple[str, str]]:
    return [("", "Any")] + [(member.value, member.value.replace("_", " ")) for member in enum]


def _action_type_choices() -> list[tuple[str, str]]:
    return [("", "Any"), *types.action_type_choices()]


class QueueFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search", widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "Customer, invoice, deal, task or Odoo id"}))
    risk = forms.ChoiceField(choices=_choices(RiskLevel), required=False)
    action_type = forms.ChoiceField(choices=_action_type_choices, required=False, label="Type")
    source = forms.ChoiceField(choices=_choices(Source), required=False)

    def filters(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value} if self.is_valid() else {}


class HistoryFilterForm(QueueFilterForm):
    status = forms.ChoiceField(choices=[("", "Any")] + [c for c in ActionStatus.choices
                                                         if c[0] != ActionStatus.PENDING_APPROVAL], required=False)


class ApproveForm(forms.Form):
    protocol_hash = forms.CharField(max_length=64, min_length=64, widget=forms.HiddenInput)
    comment = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    protocol_hash = forms.CharField(max_length=64, min_length=64, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Say why you reject it, so the team can learn from it."})


class ResolveForm(forms.Form):
    sent = forms.TypedChoiceField(choices=[("yes", "It was sent"), ("no", "It was not sent")],
                                  coerce=lambda value: value == "yes")
    note = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Say why you cancel it."})


EDIT_FIELDS = {
    "subject": lambda: forms.CharField(max_length=255),
    "body": lambda: forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), strip=False),
    "name": lambda: forms.CharField(max_length=255, label="Task name"),
    "description": lambda: forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False),
    "date_deadline": lambda: forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Deadline"),
    "summary": lambda: forms.CharField(max_length=255),
    "note": lambda: forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False),
    "follow_up_at": lambda: forms.DateTimeField(label="Follow up at"),
    "reason": lambda: forms.CharField(max_length=500),
}


class EditForm(forms.Form):
    """The inputs a person may edit, as the registry lists them for the action's operation."""

    protocol_hash = forms.CharField(max_length=64, min_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, editable: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        for name in editable:
            self.fields[name] = EDIT_FIELDS[name]()

    def changes(self) -> dict:
        """Cleaned values in the protocol's JSON shapes."""
        return {name: value.isoformat() if hasattr(value, "isoformat") else value
                for name, value in self.cleaned_data.items() if name != "protocol_hash"}


class GuardrailPolicyForm(forms.ModelForm):
    class Meta:
        from .models import GuardrailPolicy

        model = GuardrailPolicy
        exclude = ["organization"]
        widgets = {"business_hours_start": forms.TimeInput(attrs={"type": "time"}),
                   "business_hours_end": forms.TimeInput(attrs={"type": "time"})}
        labels = {"allow_external_auto_execute": "Let rules and earned autonomy send emails and SMS",
                  "policy_changes_need_second_admin": "Policy changes need a second admin",
                  "autonomy_streak": "Approvals in a row before AIOM suggests autonomy",
                  "autonomy_days": "Days a kind of action runs by itself once accepted"}
