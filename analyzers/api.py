"""Analyses over the API: the runs with their findings, the open alerts, the action plans, and
"Run analysis now" (queued exactly as the dashboard's button queues it). Reading is for every
member; starting a run is for those who may decide, as in the dashboard."""

from django.db.models import Count, F, Max
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.api_serializers import ActionSerializer
from actions.models import Action
from actions.permissions import can_decide
from aiom.api import organization_of
from aiom.api_contract import JSON, error_responses, validated
from aiom.errors import ApplicationError, NotAllowed
from aiom.pagination import Pages

from . import selectors
from .models import ActionPlan, Alert, Analysis, Finding, FindingKind, Severity
from .tasks import run

QUEUED = "Analysis started: new findings and proposals appear in GET /api/analyses/ within a minute."
QUEUE_DOWN = "Could not reach the task queue; the analysis will run at its next hourly slot."
#: The lists an analysis keeps of what it proposed (analyzers.recommender).
PROPOSAL_LISTS = ("proposed", "existing", "skipped", "cancelled")


class QueueUnreachable(ApplicationError):
    status_code = 503


# --- answers --------------------------------------------------------------------------------

class AnalysisCountsSerializer(serializers.Serializer):
    findings = serializers.IntegerField()
    proposed = serializers.IntegerField(help_text="Actions this run proposed.")
    existing = serializers.IntegerField(help_text="Actions already open for what it found.")
    skipped = serializers.IntegerField(help_text="Findings it proposed nothing for (with a note).")
    cancelled = serializers.IntegerField(help_text="Actions withdrawn because their finding cleared.")


class AnalysisSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()
    plan = serializers.IntegerField(source="plan_pk", allow_null=True, help_text="GET /api/plans/<id>/")

    class Meta:
        model = Analysis
        fields = ["id", "status", "as_of", "started_at", "finished_at", "duration_ms", "summary", "error",
                  "odoo_calls", "counts", "plan"]

    @extend_schema_field(AnalysisCountsSerializer)
    def get_counts(self, analysis: Analysis) -> dict:
        proposals = analysis.proposals or {}
        return {"findings": analysis.findings_count,
                **{name: len(proposals.get(name) or []) for name in PROPOSAL_LISTS}}


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "analysis", "kind", "severity", "title", "target_model", "target_id", "partner_id", "amount",
                  "currency", "facts", "fingerprint", "resolved_at"]


class AnalysisDetailSerializer(AnalysisSerializer):
    findings = FindingSerializer(many=True)

    class Meta(AnalysisSerializer.Meta):
        fields = AnalysisSerializer.Meta.fields + ["metrics", "proposals", "llm_usage", "findings"]


class AlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = ["id", "key", "severity", "title", "message", "opened_at", "updated_at", "resolved_at"]


class PlanStaffTaskSerializer(serializers.Serializer):
    title = serializers.CharField()
    owner = serializers.CharField()
    due = serializers.CharField(allow_null=True)
    subtasks = serializers.ListField(child=serializers.CharField())
    action_id = serializers.CharField()


class PlanStepSerializer(serializers.Serializer):
    date = serializers.CharField(allow_null=True)
    owner = serializers.ChoiceField(choices=["ai", "staff", "customer"])
    step = serializers.CharField()


class PlanSerializer(serializers.ModelSerializer):
    as_of = serializers.DateField(source="analysis.as_of")

    class Meta:
        model = ActionPlan
        fields = ["id", "analysis", "as_of", "summary", "action_ids", "next_review_at"]


class PlanDetailSerializer(PlanSerializer):
    staff_tasks = PlanStaffTaskSerializer(many=True)
    timeline = PlanStepSerializer(many=True)
    actions = serializers.SerializerMethodField(help_text="The plan's actions as they stand now.")

    class Meta(PlanSerializer.Meta):
        fields = PlanSerializer.Meta.fields + ["staff_tasks", "timeline", "actions"]

    def get_actions(self, plan: ActionPlan) -> list[dict]:
        actions = Action.objects.filter(organization=plan.analysis.organization_id, pk__in=plan.action_ids)
        return ActionSerializer(actions.order_by("status", "-risk_level"), many=True).data


class AnalysisQueuedSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- input -----------------------------------------------------------------------------------

class FindingFilter(serializers.Serializer):
    analysis = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                        help_text="Only the findings of this analysis.")
    kind = serializers.ChoiceField(choices=FindingKind.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)


class AlertFilter(serializers.Serializer):
    all = serializers.BooleanField(required=False, default=False,
                                   help_text="Resolved alerts too (open ones first).")


# --- views -----------------------------------------------------------------------------------

def _analyses(request):
    return (Analysis.objects.filter(organization=organization_of(request))
            .annotate(findings_count=Count("findings", distinct=True), plan_pk=Max("plan__id")))


def _one(queryset, pk, what: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No such {what} in your organisation.")
    return found


class AnalysisList(ListAPIView):
    """The organisation's analysis runs, newest first."""

    serializer_class = AnalysisSerializer
    pagination_class = Pages

    @extend_schema(responses={(200, JSON): AnalysisSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return _analyses(self.request).order_by("-started_at", "-pk")


class AnalysisDetail(RetrieveAPIView):
    """One run: its figures, what it proposed, and its findings."""

    serializer_class = AnalysisDetailSerializer
    queryset = Analysis.objects.none()  # for the schema; get_object reads within the organisation

    @extend_schema(responses={(200, JSON): AnalysisDetailSerializer, **error_responses(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return _one(_analyses(self.request).prefetch_related("findings"), self.kwargs["pk"], "analysis")


class RunAnalysis(APIView):
    """Start an analysis now, as the dashboard's "Run analysis now" does; it runs on a worker."""

    @extend_schema(request=None, responses={(202, JSON): AnalysisQueuedSerializer, **error_responses(503)})
    def post(self, request):
        organization = organization_of(request)
        if not can_decide(request.user, organization):
            raise NotAllowed("Your role cannot start an analysis.")
        try:
            run.apply_async((organization.pk,), retry=False)
        except Exception as exc:  # noqa: BLE001 - broker down: say so; the hourly run still happens
            raise QueueUnreachable(QUEUE_DOWN) from exc
        return Response({"detail": QUEUED}, status=202)


class FindingList(ListAPIView):
    """The organisation's findings, newest analysis first."""

    serializer_class = FindingSerializer
    pagination_class = Pages

    @extend_schema(parameters=[FindingFilter], responses={(200, JSON): FindingSerializer(many=True),
                                                          **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = validated(FindingFilter, self.request.query_params)
        findings = Finding.objects.filter(organization=organization_of(self.request), **filters)
        return findings.order_by("-analysis__started_at", "-analysis_id", "kind", F("amount").desc(nulls_last=True),
                                 "id")


class AlertList(ListAPIView):
    """Open alerts, newest first; `?all=1` adds the resolved ones after them."""

    serializer_class = AlertSerializer
    pagination_class = Pages

    @extend_schema(parameters=[AlertFilter], responses={(200, JSON): AlertSerializer(many=True),
                                                        **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        organization = organization_of(self.request)
        if not validated(AlertFilter, self.request.query_params)["all"]:
            return selectors.open_alerts(organization=organization)
        return Alert.objects.filter(organization=organization).order_by(
            F("resolved_at").desc(nulls_first=True), "-opened_at", "-pk")


class PlanList(ListAPIView):
    """The action plans of the organisation's analyses, newest first."""

    serializer_class = PlanSerializer
    pagination_class = Pages

    @extend_schema(responses={(200, JSON): PlanSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (ActionPlan.objects.select_related("analysis")
                .filter(analysis__organization=organization_of(self.request))
                .order_by("-analysis__started_at", "-pk"))


class PlanDetail(RetrieveAPIView):
    """One plan: its staff tasks, its dated timeline and its actions as they stand."""

    serializer_class = PlanDetailSerializer
    queryset = ActionPlan.objects.none()  # for the schema; get_object reads within the organisation

    @extend_schema(responses={(200, JSON): PlanDetailSerializer, **error_responses(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        plan = selectors.plan_for(organization=organization_of(self.request), pk=self.kwargs["pk"])
        if plan is None:
            raise NotFound("No such plan in your organisation.")
        return plan
