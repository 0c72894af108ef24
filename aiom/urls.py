from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from drf_spectacular.views import SpectacularAPIView

from actions import api as action_api
from actions import approval_views
from actions import selectors as action_selectors
from actions import views as action_views
from analyzers import api as analyzer_api
from analyzers import views as analyzer_views
from assistant import api as assistant_api
from assistant import views as assistant_views
from audit import api as audit_api
from actions.policy import autonomy_urls, delegation_urls, rule_urls
from followups import urls as followup_urls
from audit import views as audit_views
from integrations import views as integration_views

from . import api_docs, token_views, views

dashboard_patterns = (
    [
        path("", views.overview, name="overview"),
        path("organization/", views.switch_organization, name="switch-organization"),
        path("approvals/", action_views.approvals, name="approvals"),
        path("approvals/preflight/", action_views.preflight, name="preflight"),
        path("approvals/bulk-approve/", action_views.bulk_approve, name="bulk-approve"),
        path("assistant/", assistant_views.assistant, name="assistant"),
        path("history/", action_views.history, name="history"),
        path("notices/", action_views.notices, name="notices"),
        path("notices/read/", action_views.read_all_notices, name="notices-read"),
        path("notices/<int:pk>/read/", action_views.read_notice, name="notice-read"),
        path("actions/<uuid:pk>/", action_views.detail, name="action"),
        path("actions/<uuid:pk>/approve/", action_views.approve, name="approve"),
        path("actions/<uuid:pk>/reject/", action_views.reject, name="reject"),
        path("actions/<uuid:pk>/edit/", action_views.edit, name="edit"),
        path("actions/<uuid:pk>/meeting-time/", action_views.pick_slot, name="pick-slot"),
        path("actions/<uuid:pk>/retry/", action_views.retry, name="retry"),
        path("actions/<uuid:pk>/resolve/", action_views.resolve, name="resolve"),
        path("actions/<uuid:pk>/cancel/", action_views.cancel, name="cancel"),
        path("actions/<uuid:pk>/undo/", action_views.undo, name="undo"),
        path("records/<str:model>/<int:record_id>/", action_views.record, name="record"),
        path("audit/", audit_views.timeline, {"search": action_selectors.matching_action_ids}, name="audit"),
        path("health/", views.health, name="health"),
        path("analysis/run/", analyzer_views.run_now, name="run-analysis"),
        path("plans/<int:pk>/", analyzer_views.plan, name="plan"),
        path("outbox/", integration_views.outbox, name="outbox"),
        path("health/check-odoo/", views.check_odoo, name="check-odoo"),
        path("api-tokens/", token_views.tokens, name="api-tokens"),
        path("api-tokens/<int:pk>/revoke/", token_views.revoke, name="api-token-revoke"),
        path("settings/guardrails/", action_views.guardrail_settings, name="guardrails"),
        path("audit/export.csv", audit_views.export_csv, {"search": action_selectors.matching_action_ids},
             name="audit-export"),
        *followup_urls.dashboard_urls,
        *rule_urls.dashboard_urls,
        *delegation_urls.dashboard_urls,
        *autonomy_urls.dashboard_urls,
    ],
    "dashboard",
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", include(dashboard_patterns)),
    path("approvals/email/", approval_views.decide, name="approval-link-decide"),
    path("approvals/email/<str:token>/", approval_views.confirm, name="approval-link"),
    path("api/actions/", action_api.ActionList.as_view(), name="api-actions"),
    path("api/actions/preflight/", action_api.Preflight.as_view(), name="api-preflight"),
    path("api/actions/bulk-approve/", action_api.BulkApprove.as_view(), name="api-bulk-approve"),
    path("api/actions/<uuid:pk>/", action_api.ActionDetail.as_view(), name="api-action"),
    path("api/actions/<uuid:pk>/approve/", action_api.ApproveAction.as_view(), name="api-approve"),
    path("api/actions/<uuid:pk>/reject/", action_api.RejectAction.as_view(), name="api-reject"),
    path("api/actions/<uuid:pk>/edit/", action_api.EditAction.as_view(), name="api-edit"),
    path("api/actions/<uuid:pk>/retry/", action_api.RetryAction.as_view(), name="api-retry"),
    path("api/actions/<uuid:pk>/resolve/", action_api.ResolveAction.as_view(), name="api-resolve"),
    path("api/actions/<uuid:pk>/cancel/", action_api.CancelAction.as_view(), name="api-cancel"),
    path("api/actions/<uuid:pk>/undo/", action_api.UndoAction.as_view(), name="api-undo"),
    path("api/audit-events/", audit_api.AuditEventList.as_view(search=action_selectors.matching_action_ids),
         name="api-audit-events"),
    path("api/queue/metrics/", action_api.QueueMetrics.as_view(), name="api-queue-metrics"),
    path("api/analyses/", analyzer_api.AnalysisList.as_view(), name="api-analyses"),
    path("api/analyses/run/", analyzer_api.RunAnalysis.as_view(), name="api-run-analysis"),
    path("api/analyses/<int:pk>/", analyzer_api.AnalysisDetail.as_view(), name="api-analysis"),
    path("api/findings/", analyzer_api.FindingList.as_view(), name="api-findings"),
    path("api/alerts/", analyzer_api.AlertList.as_view(), name="api-alerts"),
    path("api/plans/", analyzer_api.PlanList.as_view(), name="api-plans"),
    path("api/plans/<int:pk>/", analyzer_api.PlanDetail.as_view(), name="api-plan"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs.docs, name="api-docs"),
    path("api/assistant/propose/", assistant_api.Propose.as_view(), name="api-assistant-propose"),
    path("api/assistant/suggest/", assistant_api.Suggest.as_view(), name="api-assistant-suggest"),
    *followup_urls.api_urls,
    *followup_urls.webhook_urls,
    path("healthz", views.healthz, name="healthz"),
    path("", RedirectView.as_view(pattern_name="dashboard:overview", permanent=False)),
]

handler404 = "aiom.views.not_found"
