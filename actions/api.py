"""REST endpoints for actions: list, read, approve, reject, queue metrics. Thin: each view
validates input with a serializer and calls one service or selector."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from aiom.api import organization_of

from . import selectors, services
from .models import Action


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ["id", "title", "action_type", "safe_operation", "status", "status_reason", "risk_level",
                  "requires_approval", "guardrail_decision", "source", "created_by", "protocol_hash", "revision",
                  "expires_at", "not_before", "attempts", "result", "error", "created_at", "updated_at",
                  "decided_at", "executed_at"]


class ActionDetailSerializer(ActionSerializer):
    class Meta(ActionSerializer.Meta):
        fields = ActionSerializer.Meta.fields + ["protocol"]


class ApproveInput(serializers.Serializer):
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    protocol_hash = serializers.CharField(min_length=64, max_length=64, required=False)


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    protocol_hash = serializers.CharField(min_length=64, max_length=64, required=False)


def _scoped(request):
    return Action.objects.filter(organization=organization_of(request))


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
        action = get_object_or_404(_scoped(request).select_related("organization"), pk=pk)
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.approve(action, request.user, comment=data.validated_data["comment"], channel="api",
                                  protocol_hash=data.validated_data.get("protocol_hash"))
        return Response(ActionSerializer(action).data)


class RejectAction(APIView):
    @extend_schema(request=RejectInput, responses=ActionSerializer)
    def post(self, request, pk):
        action = get_object_or_404(_scoped(request).select_related("organization"), pk=pk)
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.reject(action, request.user, reason=data.validated_data["reason"], channel="api",
                                 protocol_hash=data.validated_data.get("protocol_hash"))
        return Response(ActionSerializer(action).data)


class QueueMetrics(APIView):
    """How the pipeline is doing: counts by status, the oldest pending, what is due."""

    @extend_schema(responses=dict)
    def get(self, request):
        return Response(selectors.queue_metrics(organization=organization_of(request)))
