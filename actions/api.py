"""REST endpoints for actions: list, read, approve, reject, retry, resolve, cancel, undo,
bulk pre-flight and approval, queue metrics. Thin: each view validates input with a
serializer and calls one service or selector.
Deciding views authorise before they read the input, so a viewer always gets 403."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from aiom.api import organization_of
from aiom.errors import ApplicationError

from . import bulk, selectors, services
from .models import Action
from .permissions import ensure_can_decide

HASH_REQUIRED = ("Send the protocol_hash of the version you reviewed (GET /api/actions/<id>/ shows it); "
                 "nothing was decided.")


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ["id", "title", "action_type", "safe_operation", "status", "status_reason", "risk_level",
                  "requires_approval", "guardrail_decision", "source", "created_by", "protocol_hash", "revision",
                  "expires_at", "not_before", "attempts", "result", "error", "created_at", "updated_at",
                  "decided_at", "executed_at", "superseded_by"]


class ActionDetailSerializer(ActionSerializer):
    class Meta(ActionSerializer.Meta):
        fields = ActionSerializer.Meta.fields + ["protocol"]


def _protocol_hash():
    return serializers.CharField(min_length=64, max_length=64, error_messages={
        "required": HASH_REQUIRED, "blank": HASH_REQUIRED, "null": HASH_REQUIRED})


class ApproveInput(serializers.Serializer):
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    protocol_hash = _protocol_hash()


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    protocol_hash = _protocol_hash()


class ResolveInput(serializers.Serializer):
    sent = serializers.BooleanField()
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


def _scoped(request):
    return Action.objects.filter(organization=organization_of(request))


def _decidable(request, pk) -> Action:
    """The organisation's action (404 otherwise), for someone who may decide on it (403 otherwise)."""
    action = get_object_or_404(_scoped(request).select_related("organization"), pk=pk)
    ensure_can_decide(request.user, action.organization)
    return action


def _validated(serializer_class, request) -> dict:
    """The input, or a 400 whose detail names each problem in words."""
    data = serializer_class(data=request.data)
    if not data.is_valid():
        problems = [f"{field}: {message}" if message != HASH_REQUIRED else message
                    for field, messages in data.errors.items() for message in messages]
        raise ApplicationError(" ".join(problems), {"errors": data.errors})
    return data.validated_data


class ActionList(ListAPIView):
    serializer_class = ActionSerializer

    def get_queryset(self):
        queryset = _scoped(self.request).order_by("-created_at")
        for name in ("status", "risk_level", "action_type", "source"):
            value = self.request.query_params.get(name)
            if value:
                queryset = queryset.filter(**{name: value})
        return queryset


class ActionDetail(RetrieveAPIView):
    serializer_class = ActionDetailSerializer

    def get_queryset(self):
        return _scoped(self.request)


class ApproveAction(APIView):
    @extend_schema(request=ApproveInput, responses=ActionSerializer)
    def post(self, request, pk):
        action = _decidable(request, pk)
        data = _validated(ApproveInput, request)
        action = services.approve(action, request.user, comment=data["comment"], channel="api",
                                  protocol_hash=data["protocol_hash"])
        return Response(ActionSerializer(action).data)


class RejectAction(APIView):
    @extend_schema(request=RejectInput, responses=ActionSerializer)
    def post(self, request, pk):
        action = _decidable(request, pk)
        data = _validated(RejectInput, request)
        action = services.reject(action, request.user, reason=data["reason"], channel="api",
                                 protocol_hash=data["protocol_hash"])
        return Response(ActionSerializer(action).data)


class RetryAction(APIView):
    """Run a failed action again; it is checked against Odoo again before it runs."""

    @extend_schema(request=None, responses=ActionSerializer)
    def post(self, request, pk):
        action = services.retry_failed(_decidable(request, pk), user=request.user)
        return Response(ActionSerializer(action).data)


class ResolveAction(APIView):
    """Say whether a message whose outcome is unknown was sent."""

    @extend_schema(request=ResolveInput, responses=ActionSerializer)
    def post(self, request, pk):
        action = _decidable(request, pk)
        data = _validated(ResolveInput, request)
        action = services.resolve_outcome_unknown(action, user=request.user, sent=data["sent"], note=data["note"])
        return Response(ActionSerializer(action).data)


class CancelAction(APIView):
    """Stop an approved action before it starts."""

    @extend_schema(request=CancelInput, responses=ActionSerializer)
    def post(self, request, pk):
        action = _decidable(request, pk)
        data = _validated(CancelInput, request)
        action = services.cancel_approved(action, user=request.user, reason=data["reason"])
        return Response(ActionSerializer(action).data)


class UndoAction(APIView):
    """Take back an approved message during its send delay; it waits for approval again."""

    @extend_schema(request=None, responses=ActionSerializer)
    def post(self, request, pk):
        action = services.undo_send(_decidable(request, pk), user=request.user)
        return Response(ActionSerializer(action).data)


class BulkItem(serializers.Serializer):
    id = serializers.CharField(max_length=64)
    protocol_hash = _protocol_hash()


class BulkInput(serializers.Serializer):
    actions = BulkItem(many=True, allow_empty=False)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


def _bulk_items(request) -> tuple[list[tuple[str, str]], str]:
    """Authorise first (a viewer gets 403 whatever the input), then the ids with their hashes."""
    organization = organization_of(request)
    ensure_can_decide(request.user, organization)
    data = BulkInput(data=request.data)
    if not data.is_valid():
        raise ApplicationError(HASH_REQUIRED if "protocol_hash" in str(data.errors) else
                               "Send {\"actions\": [{\"id\": …, \"protocol_hash\": …}, …]}; nothing was decided.",
                               {"errors": data.errors})
    items = [(item["id"], item["protocol_hash"]) for item in data.validated_data["actions"]]
    return items, data.validated_data["comment"]


class Preflight(APIView):
    """What approving each listed action would lead to; changes nothing."""

    @extend_schema(request=BulkInput, responses=dict)
    def post(self, request):
        items, _ = _bulk_items(request)
        rows = bulk.preflight(organization_of(request), request.user, items)
        return Response({"results": [row.as_dict() for row in rows]})


class BulkApprove(APIView):
    """Approve the listed actions that pass the pre-flight, each bound to its protocol_hash."""

    @extend_schema(request=BulkInput, responses=dict)
    def post(self, request):
        items, comment = _bulk_items(request)
        result = bulk.bulk_approve(organization_of(request), request.user, items, comment=comment)
        return Response({"results": [row.as_dict() for row in result.rows]})


class QueueMetrics(APIView):
    """How the pipeline is doing: counts by status, the oldest pending, what is due."""

    @extend_schema(responses=dict)
    def get(self, request):
        return Response(selectors.queue_metrics(organization=organization_of(request)))
