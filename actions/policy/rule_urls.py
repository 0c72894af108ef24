"""Dashboard URLs of this part of the policy (included under /dashboard/, namespace "dashboard")."""

from django.urls import path

from . import rule_views

dashboard_urls = [
    path("policy/rules/", rule_views.rules_page, name="policy-rules"),
    path("policy/rules/new/", rule_views.rule_new, name="policy-rule-new"),
    path("policy/rules/<int:pk>/edit/", rule_views.rule_edit, name="policy-rule-edit"),
    path("policy/rules/<int:pk>/archive/", rule_views.rule_archive, name="policy-rule-archive"),
    path("policy/rules/<int:pk>/mode/", rule_views.rule_mode, name="policy-rule-mode"),
    path("policy/rules/<int:pk>/move/", rule_views.rule_move, name="policy-rule-move"),
    path("policy/changes/", rule_views.changes_page, name="policy-changes"),
    path("policy/changes/<int:pk>/confirm/", rule_views.change_confirm, name="policy-change-confirm"),
    path("policy/changes/<int:pk>/decline/", rule_views.change_decline, name="policy-change-decline"),
    path("policy/changes/<int:pk>/withdraw/", rule_views.change_withdraw, name="policy-change-withdraw"),
]
