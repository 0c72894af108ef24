"""Forms for the follow-up pages: they check what people type; the services decide the rest
(a promise's date against today, a pause's end, whether the follow-up is still open)."""

from datetime import date, timedelta

from django import forms

from . import editing
from .models import FollowUpStatus, Level, Sequence

MAX_ID = 2**31 - 1
#: How far ahead a promise to pay may be: beyond a year it is not a promise AIOM should wait for.
PROMISE_HORIZON_DAYS = 366
PROMISE_TOO_FAR = "A promise to pay is for a day within the next year."


def too_far(day: date) -> bool:
    return day > date.today() + timedelta(days=PROMISE_HORIZON_DAYS)


def _date(**kwargs) -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def _reason(required_message: str) -> forms.CharField:
    return forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
                           error_messages={"required": required_message,
                                           "max_length": "Say why in at most 300 characters."})


class FollowUpFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search", widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "Customer name"}))
    status = forms.ChoiceField(choices=[("", "Any"), *FollowUpStatus.choices], required=False)
    due_before = _date(required=False, label="Next due before",
                       error_messages={"invalid": "Give the day as 2025-03-12."})
    partner = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)

    def filters(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value} if self.is_valid() else {}


class PauseForm(forms.Form):
    until = _date(required=False, label="Pause until (empty: until someone resumes it)",
                  error_messages={"invalid": "Give the end of the pause as a day, e.g. 2025-03-12."})
    reason = _reason("Say why you pause it.")


class StopForm(forms.Form):
    reason = _reason("Say why you stop it.")


class PromiseForm(forms.Form):
    promised_date = _date(label="Promised to pay by", error_messages={
        "required": "Give the day the customer promised to pay by.",
        "invalid": "Give the promised day as a date, e.g. 2025-03-12."})
    amount = forms.DecimalField(required=False, max_digits=14, decimal_places=2,
                                label="Amount (empty: everything open)",
                                error_messages={"invalid": "The amount must be a number, e.g. 1250.00."})
    grace_days = forms.IntegerField(required=False, min_value=0, max_value=30, initial=3, label="Grace days",
                                    error_messages={"min_value": "Grace days run from 0 to 30.",
                                                    "max_value": "Grace days run from 0 to 30."})

    def clean_promised_date(self) -> date:
        if too_far(self.cleaned_data["promised_date"]):
            raise forms.ValidationError(PROMISE_TOO_FAR)
        return self.cleaned_data["promised_date"]

    def clean_grace_days(self) -> int:
        value = self.cleaned_data["grace_days"]
        return 3 if value is None else value


class DisputeForm(forms.Form):
    """One of the follow-up's invoices, and why the customer disputes it."""

    invoice = forms.TypedChoiceField(coerce=int, label="Invoice", error_messages={
        "required": "Choose the disputed invoice.",
        "invalid_choice": "Choose one of the invoices this follow-up chases."})
    reason = _reason("Say what the customer disputes.")

    def __init__(self, *args, invoices: list[dict], disputed: set[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].choices = [(invoice["id"], invoice["name"]) for invoice in invoices
                                          if invoice["id"] not in disputed]


def errors_in_words(form: forms.Form) -> str:
    return " ".join(message for messages in form.errors.values() for message in messages)


# --- editing a sequence ------------------------------------------------------------------------

OFFSET_RANGE = "An offset runs from −60 to 365 days."
FLEX_RANGE = "Claude may move a level by 0 to 14 days."


class SequenceForm(forms.ModelForm):
    """A sequence's own settings; its levels come in `LevelFormSet`."""

    tolerance = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, label="Tolerance (per invoice)",
                                   error_messages={"min_value": "The tolerance cannot be negative.",
                                                   "invalid": "The tolerance is an amount, e.g. 5.00.",
                                                   "required": "Give a tolerance (0 to chase every amount)."})
    timing_flex_days = forms.IntegerField(
        required=False, min_value=0, max_value=14,
        label="Days earlier or later Claude may suggest for a level (0: never)",
        help_text=Sequence._meta.get_field("timing_flex_days").help_text,
        error_messages={"min_value": FLEX_RANGE, "max_value": FLEX_RANGE, "invalid": "Give a whole number of days."})

    class Meta:
        model = Sequence
        fields = ["name", "active", "tolerance", "weekdays_only", "timing_flex_days", "hold_during_negotiation"]
        labels = {"active": "Active (customers are chased on it)", "weekdays_only": "Working days only",
                  "hold_during_negotiation": "Hold reminders while a deal with the customer is being negotiated"}
        error_messages = {"name": {"required": "Give the sequence a name.",
                                   "max_length": "A sequence's name has at most 100 characters."}}

    def clean_timing_flex_days(self) -> int:
        return self.cleaned_data["timing_flex_days"] or 0


class LevelForm(forms.ModelForm):
    offset_days = forms.IntegerField(min_value=-60, max_value=365, label="Offset (days)", error_messages={
        "min_value": OFFSET_RANGE, "max_value": OFFSET_RANGE, "required": "Give the offset in days.",
        "invalid": "The offset is a whole number of days."})

    class Meta:
        model = Level
        fields = ["name", "offset_days", "offset_from", "channel", "wording", "risk_level", "list_invoices",
                  "attach_invoices", "collection_wording"]
        labels = {"offset_from": "Counted from", "risk_level": "Risk", "list_invoices": "List each invoice",
                  "attach_invoices": "Attach the invoices' PDFs (email)", "collection_wording": "May speak of collection"}
        error_messages = {"name": {"required": "Give the level a name.",
                                   "max_length": "A level's name has at most 60 characters."}}


class BaseLevelFormSet(forms.BaseInlineFormSet):
    """The levels in the order shown; the rules a sequence keeps come from `editing.level_problems`."""

    def levels(self) -> list[dict]:
        """The levels kept, in the order shown, as `editing.save_sequence` takes them."""
        kept = []
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue  # an empty row for a new level, left empty
            if self.can_delete and self._should_delete_form(form):
                continue
            kept.append({"id": form.instance.pk} | {name: form.cleaned_data[name] for name in LevelForm.Meta.fields})
        return kept

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        problems = editing.level_problems(self.levels())
        if problems:
            raise forms.ValidationError(problems)


LevelFormSet = forms.inlineformset_factory(Sequence, Level, form=LevelForm, formset=BaseLevelFormSet, extra=1,
                                           can_delete=True, max_num=20, validate_max=True)


def formset_errors_in_words(formset) -> list[str]:
    """Every problem of the levels, each naming its level."""
    said = list(formset.non_form_errors())
    for number, form in enumerate(formset.forms, start=1):
        if not (formset.can_delete and formset._should_delete_form(form)):
            said += [f"Level {number}: {message}" for messages in form.errors.values() for message in messages]
    return said


# --- a customer's own settings, a customer's pause -----------------------------------------------

NEVER = "never"
TOLERANCE_ERRORS = {"min_value": "The tolerance cannot be negative.",
                    "invalid": "The tolerance is an amount, e.g. 5.00.",
                    "max_digits": "The tolerance is at most 9,999,999,999.99.",
                    "max_whole_digits": "The tolerance is at most 9,999,999,999.99.",
                    "max_decimal_places": "The tolerance has at most two decimals, e.g. 5.00."}


class OverrideForm(forms.Form):
    """How one customer is chased: the customer (one already chased, or its number in Odoo; fixed
    when its settings are being changed), a sequence for unpaid invoices or never, a tolerance, a note."""

    customer = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Customer",
                                      error_messages={"invalid_choice": "Choose one of the customers listed."})
    partner_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                    label="Or the customer's number in Odoo", error_messages={
                                        "min_value": "A customer's number in Odoo is a whole number from 1 up.",
                                        "max_value": "That is not a customer's number in Odoo.",
                                        "invalid": "A customer's number in Odoo is a whole number, e.g. 42."})
    chase = forms.ChoiceField(label="How AIOM chases them", error_messages={
        "required": "Choose how this customer is chased.",
        "invalid_choice": "Choose one of your sequences for unpaid invoices, or never chasing automatically."})
    tolerance = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2,
                                   label="Tolerance per invoice (empty: the sequence's own)",
                                   error_messages=TOLERANCE_ERRORS)
    note = forms.CharField(required=False, max_length=200, label="Note (why)", widget=forms.TextInput(
        attrs={"maxlength": 200}), error_messages={"max_length": "Keep the note to 200 characters."})

    def __init__(self, *args, sequences: list[Sequence], customers: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sequences = {str(sequence.pk): sequence for sequence in sequences}
        self.fields["chase"].choices = [
            (key, f"On “{sequence.name}”{' (the default)' if sequence.is_default else ''}"
                  f"{' — switched off' if not sequence.active else ''}") for key, sequence in self.sequences.items()
        ] + [(NEVER, "Never chase automatically")]
        if customers is None:  # changing one customer's settings: the customer stays
            del self.fields["customer"], self.fields["partner_id"]
        else:
            self.fields["customer"].choices = [("", "Choose a customer")] + sorted(
                customers.items(), key=lambda item: (item[1].casefold(), item[0]))

    def clean(self):
        data = super().clean()
        if "customer" in self.fields and not self.errors:
            data["partner"] = data.get("partner_id") or data.get("customer")
            if data["partner"] is None:
                raise forms.ValidationError("Choose a customer, or give the customer's number in Odoo.")
        if not self.errors:
            data["sequence"] = None if data["chase"] == NEVER else self.sequences[data["chase"]]
        return data


class CustomerPauseForm(forms.Form):
    until = _date(required=False, label="Last day paused (empty: until someone ends the pause)",
                  error_messages={"invalid": "Give the last day of the pause as a day, e.g. 2025-03-12."})
    reason = _reason("Say why you pause this customer.")
