from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from actions import views as action_views
from audit import views as audit_views

from . import views

dashboard_patterns = (
    [
        path("", views.overview, name="overview"),
        path("organization/", views.switch_organization, name="switch-organization"),
        path("approvals/", action_views.approvals, name="approvals"),
        path("history/", action_views.history, name="history"),
        path("actions/<uuid:pk>/", action_views.detail, name="action"),
        path("actions/<uuid:pk>/approve/", action_views.approve, name="approve"),
        path("actions/<uuid:pk>/reject/", action_views.reject, name="reject"),
        path("audit/", audit_views.timeline, name="audit"),
        path("audit/export.csv", audit_views.export_csv, name="audit-export"),
    ],
    "dashboard",
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", include(dashboard_patterns)),
    path("healthz", views.healthz, name="healthz"),
    path("", RedirectView.as_view(pattern_name="dashboard:overview", permanent=False)),
]
