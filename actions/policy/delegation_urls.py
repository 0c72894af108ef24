"""Dashboard URLs of this part of the policy (included under /dashboard/, namespace "dashboard")."""

from django.urls import path

from . import delegation_views

dashboard_urls = [
    path("delegations/", delegation_views.delegations, name="delegations"),
    path("delegations/<int:pk>/revoke/", delegation_views.revoke, name="delegation-revoke"),
]
