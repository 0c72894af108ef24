"""`POST /api/assistant/propose/ {"text": ...}` and the command box's suggestions. Thin: the
assistant's service does the work; this validates the input and shapes the answer."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.api_serializers import ActionSerializer
from aiom.api import organization_of
from aiom.api_contract import JSON, ErrorSerializer, error_responses, validated
from integrations.errors import ExternalError
from integrations.odoo.connections import client_for

from . import lookup, services


class TextField(serializers.CharField):
    """Text only: a number or a list is refused, not turned into a string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CommandInput(serializers.Serializer):
    text = TextField(max_length=1000, trim_whitespace=True,
                                 help_text="One command, e.g. “create task: call Acme due friday”.")


class ChoiceSerializer(serializers.Serializer):
    label = serializers.CharField()
    text = serializers.CharField(help_text="The command that picks this one; send it as the next text.")


class CheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    ok = serializers.BooleanField()
    detail = serializers.CharField()
    ms = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    title = serializers.CharField()
    key_points = serializers.ListField(child=serializers.CharField())
    open_questions = serializers.ListField(child=serializers.CharField())
    messages = serializers.IntegerField()
    written_by = serializers.ChoiceField(choices=["extract", "claude"])
    note = serializers.CharField(allow_blank=True)


class AnswerSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["proposed", "answer", "choose", "not_understood"])
    message = serializers.CharField()
    tool = serializers.CharField(allow_blank=True)
    action = ActionSerializer(allow_null=True)
    summary = SummarySerializer(allow_null=True)
    checks = CheckSerializer(many=True)
    choices = ChoiceSerializer(many=True)
    suggestions = serializers.ListField(child=serializers.CharField())


class SuggestionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)


class SuggestionsSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True)


class Propose(APIView):
    """Turn one typed command into a proposed action (waiting for approval like any other), a
    read-only answer (summaries, health), a question when a name fits several records, or the
    list of commands understood."""

    @extend_schema(request=CommandInput, responses={(200, JSON): AnswerSerializer,
                                                    **error_responses(400, 404, 415), (504, JSON): ErrorSerializer})
    def post(self, request):
        organization = organization_of(request)
        data = validated(CommandInput, request.data)
        answer = services.handle(organization, request.user, data["text"])
        return Response(AnswerSerializer(answer).data)


class Suggest(APIView):
    """Customers, invoices and deals whose names contain `q`, as the command box offers them."""

    @extend_schema(parameters=[OpenApiParameter("q", str, description="Part of a name (2 characters or more).")],
                   responses={(200, JSON): SuggestionsSerializer, **error_responses()})
    def get(self, request):
        organization = organization_of(request)
        query = str(request.query_params.get("q", ""))[:100]
        try:
            with client_for(organization) as odoo:
                results = lookup.suggestions(odoo, query)
        except ExternalError:
            results = []  # suggestions are a convenience: Odoo being away must not break typing
        return Response({"results": results})
