from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

dashboard_patterns = (
    [
        path("", views.overview, name="overview"),
        path("organization/", views.switch_organization, name="switch-organization"),
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
