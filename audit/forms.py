from django import forms

from .models import ActorType, EventType


class EventFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search", widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "Customer, invoice, deal, task or Odoo id"}))
    event_type = forms.ChoiceField(choices=[("", "Any")] + EventType.choices, required=False, label="Event")
    actor_type = forms.ChoiceField(choices=[("", "Any")] + ActorType.choices, required=False, label="Actor")
    action_id = forms.UUIDField(required=False, label="Action id")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value} if self.is_valid() else {}
