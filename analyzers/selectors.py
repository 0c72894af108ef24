"""Reading analyses for the dashboard."""

from .models import ActionPlan, Alert, Analysis, AnalysisStatus


def latest_analysis(*, organization) -> Analysis | None:
    return Analysis.objects.filter(organization=organization).order_by("-started_at").first()


def latest_successful_analysis(*, organization) -> Analysis | None:
    return (Analysis.objects.filter(organization=organization, status=AnalysisStatus.SUCCEEDED)
            .order_by("-started_at").first())


def open_alerts(*, organization):
    return Alert.objects.filter(organization=organization, resolved_at__isnull=True).order_by("-opened_at")


def plan_for(*, organization, pk) -> ActionPlan | None:
    return ActionPlan.objects.select_related("analysis").filter(analysis__organization=organization, pk=pk).first()
