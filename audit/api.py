from rest_framework import serializers
from rest_framework.generics import ListAPIView

from aiom.api import organization_of

from . import selectors
from .forms import EventFilterForm
from .models import ActionEvent


class ActionEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionEvent
        fields = ["seq", "created_at", "event_type", "actor", "actor_type", "action_id", "data", "prev_hash", "hash"]


class AuditEventList(ListAPIView):
    """The organisation's audit trail, newest first; same filters as the dashboard."""

    serializer_class = ActionEventSerializer

    def get_queryset(self):
        form = EventFilterForm(self.request.query_params)
        return selectors.events_for(organization=organization_of(self.request), **form.filters())
