"""Dashboard URLs of this part of the policy (included under /dashboard/, namespace "dashboard")."""

from django.urls import path

from . import autonomy_views

dashboard_urls = [
    path("autonomy/", autonomy_views.autonomy_page, name="autonomy"),
    path("autonomy/<int:pk>/accept/", autonomy_views.accept, name="autonomy-accept"),
    path("autonomy/<int:pk>/decline/", autonomy_views.decline, name="autonomy-decline"),
    path("autonomy/<int:pk>/stop/", autonomy_views.stop, name="autonomy-stop"),
]
