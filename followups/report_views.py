"""The effectiveness report: per sequence, level and channel, what happened after each level
(`outcomes.report`), as a chart and a table in the dashboard and as JSON in the API."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from aiom.api import organization_of
from aiom.api_contract import JSON, error_responses
from aiom.tenancy import require_membership
from analyzers import charts

from .outcomes import WINDOWS, report


@login_required
def effectiveness(request):
    rows = report(require_membership(request).organization)
    bars = charts.rows([(f"{row['level']}. {row['level_name']} ({row['sequence']})",
                         round(100 * _success(row) / row["sent"]) if row["sent"] else 0, row["sent"])
                        for row in rows], label_width=230)
    return render(request, "dashboard/followup_report.html", {
        "rows": rows, "bars": bars, "bars_height": charts.rows_height(bars), "windows": WINDOWS,
        "example_history": any(row["example_history"] for row in rows)})


def _success(row: dict) -> int:
    """What a level is for: an invoice paid in full within 30 days, a deal that moved on."""
    return row["deal_moved"] if row["kind"] == "deals" else row["paid_within_30_days"]


class ReportRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["invoices", "deals"], help_text="What the sequence chases")
    sequence = serializers.CharField()
    level = serializers.IntegerField(help_text="1 for the first level")
    level_name = serializers.CharField()
    channel = serializers.CharField()
    template = serializers.CharField(help_text="The safe template's wording: courtesy, friendly, firm or final")
    sent = serializers.IntegerField(help_text="Levels done (executed)")
    example_history = serializers.IntegerField(help_text="Of those, example history the demo started with")
    deal_moved = serializers.IntegerField(help_text="Deals that moved on after the level")
    paid_within_1_days = serializers.IntegerField()
    paid_within_7_days = serializers.IntegerField()
    paid_within_30_days = serializers.IntegerField()
    paid_in_part = serializers.IntegerField()
    replied = serializers.IntegerField()
    bounced = serializers.IntegerField(help_text="Levels whose email bounced (hard bounce)")
    median_days_to_pay = serializers.FloatField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    results = ReportRowSerializer(many=True)


class Effectiveness(APIView):
    """What each level achieved: levels done, paid in full within 1, 7 and 30 days, paid in part,
    replies, the median days to pay — counts, not only rates."""

    @extend_schema(responses={(200, JSON): ReportSerializer, **error_responses()})
    def get(self, request):
        return Response({"results": report(organization_of(request))})
