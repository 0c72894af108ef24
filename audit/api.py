"""The audit trail over the API: the dashboard timeline's filters (its form, so both agree on
what a filter means), newest first in pages, or the whole filtered trail as the dashboard's
CSV export with `?format=csv` (DRF reads `format` as its URL format override: the CSV
renderer is what makes that value valid here)."""

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings

from aiom.api import organization_of
from aiom.api_contract import JSON, error_responses
from aiom.errors import ApplicationError
from aiom.pagination import Pages

from . import export, selectors
from .forms import EventFilterForm
from .models import ActionEvent

CSV = "text/csv"


class ActionEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionEvent
        fields = ["seq", "created_at", "event_type", "actor", "actor_type", "action_id", "data", "prev_hash", "hash"]


class CSVRenderer(renderers.BaseRenderer):
    """Makes `?format=csv` (or `Accept: text/csv`) choose the export; the view streams the file
    itself, and every other answer of the view is JSON (see `finalize_response`)."""

    media_type = CSV
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("The audit CSV is streamed by the view, never rendered from data.")


def _form_parameters(form_class) -> list[OpenApiParameter]:
    """The form's fields as query parameters, so the schema says what the dashboard accepts."""
    types = {forms.UUIDField: OpenApiTypes.UUID, forms.DateField: OpenApiTypes.DATE}
    parameters = []
    for name, field in form_class.base_fields.items():
        kind = next((kind for cls, kind in types.items() if isinstance(field, cls)), OpenApiTypes.STR)
        enum = [value for value, _ in field.choices if value] if isinstance(field, forms.ChoiceField) else None
        parameters.append(OpenApiParameter(name, kind, enum=enum, description=str(field.label or name.capitalize())))
    return parameters


class AuditEventList(ListAPIView):
    """The organisation's audit trail, newest first; the same filters as the dashboard."""

    serializer_class = ActionEventSerializer
    pagination_class = Pages
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
    #: Set by the URLconf to the actions' search, so `q` finds the events of the actions the
    #: dashboard's search finds (the audit trail knows events, not actions).
    search = None

    @extend_schema(
        parameters=_form_parameters(EventFilterForm),
        responses={(200, JSON): ActionEventSerializer(many=True),
                   (200, CSV): OpenApiTypes.STR, **error_responses(400, 404)},
        description="`?format=csv` answers the dashboard's CSV export of every event the filters keep, "
                    "oldest first, as a download.")
    def get(self, request, *args, **kwargs):
        if request.accepted_renderer.format == CSVRenderer.format:
            return export.csv_response(organization_of(request), self.get_queryset())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        form = EventFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ApplicationError(" ".join(f"{name}: {message}" for name, messages in form.errors.items()
                                            for message in messages),
                                   {"errors": {name: list(messages) for name, messages in form.errors.items()}})
        return selectors.events_for(organization=organization_of(self.request), search=self.search,
                                    **form.filters())

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors (and anything else DRF renders) stay JSON when the CSV was asked for."""
        if isinstance(response, Response) and isinstance(getattr(request, "accepted_renderer", None), CSVRenderer):
            request.accepted_renderer, request.accepted_media_type = renderers.JSONRenderer(), JSON
        return super().finalize_response(request, response, *args, **kwargs)
