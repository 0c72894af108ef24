"""The follow-ups' pages and API routes; aiom/urls.py mounts them (the pages under /dashboard/)."""

from django.urls import path

from . import api, customer_views, delivery_views, report_views, views

dashboard_urls: list = [
    path("follow-ups/", views.follow_ups, name="followups"),
    path("follow-ups/<int:pk>/", views.follow_up, name="followup"),
    path("follow-ups/<int:pk>/pause/", views.pause, name="followup-pause"),
    path("follow-ups/<int:pk>/resume/", views.resume, name="followup-resume"),
    path("follow-ups/<int:pk>/stop/", views.stop, name="followup-stop"),
    path("follow-ups/<int:pk>/promise/", views.promise, name="followup-promise"),
    path("follow-ups/<int:pk>/dispute/", views.dispute, name="followup-dispute"),
    path("follow-ups/<int:pk>/disputes/<int:hold_pk>/resolve/", views.resolve_dispute, name="followup-resolve-dispute"),
    path("follow-ups/sequences/<int:pk>/", views.sequence, name="sequence"),
    path("follow-ups/sequences/<int:pk>/preview/", views.sequence_preview, name="sequence-preview"),
    path("follow-ups/sequences/<int:pk>/levels/<int:level_pk>/move/", views.sequence_move, name="sequence-move"),
    path("follow-ups/customers/", customer_views.customers, name="followup-customers"),
    path("follow-ups/customers/<int:pk>/", customer_views.customer, name="followup-customer"),
    path("follow-ups/customers/<int:pk>/remove/", customer_views.remove, name="followup-customer-remove"),
    path("follow-ups/<int:pk>/pause-customer/", customer_views.pause_customer, name="followup-pause-customer"),
    path("follow-ups/holds/<int:pk>/end/", customer_views.end_hold, name="followup-hold-end"),
    path("follow-ups/report/", report_views.effectiveness, name="followup-report"),
    path("follow-ups/delivery/", delivery_views.problems, name="delivery-problems"),
    path("follow-ups/delivery/<int:pk>/allow/", delivery_views.allow_again, name="delivery-allow"),
]
#: SMTP2GO's delivery events, outside /dashboard/ and /api/ (it signs with the organisation's secret).
webhook_urls: list = [path("webhooks/smtp2go/<slug:slug>/", delivery_views.smtp2go_webhook, name="smtp2go-webhook")]
api_urls: list = [
    path("api/follow-ups/", api.FollowUpList.as_view(), name="api-follow-ups"),
    path("api/follow-ups/<int:pk>/", api.FollowUpDetail.as_view(), name="api-follow-up"),
    path("api/follow-ups/<int:pk>/pause/", api.PauseFollowUp.as_view(), name="api-follow-up-pause"),
    path("api/follow-ups/<int:pk>/resume/", api.ResumeFollowUp.as_view(), name="api-follow-up-resume"),
    path("api/follow-ups/<int:pk>/stop/", api.StopFollowUp.as_view(), name="api-follow-up-stop"),
    path("api/follow-ups/<int:pk>/promise/", api.PromiseFollowUp.as_view(), name="api-follow-up-promise"),
    path("api/follow-ups/<int:pk>/dispute/", api.DisputeFollowUp.as_view(), name="api-follow-up-dispute"),
    path("api/follow-ups/<int:pk>/disputes/<int:hold_pk>/resolve/", api.ResolveDispute.as_view(),
         name="api-follow-up-resolve-dispute"),
    path("api/follow-ups/report/", report_views.Effectiveness.as_view(), name="api-follow-up-report"),
    path("api/sequences/", api.SequenceList.as_view(), name="api-sequences"),
    path("api/sequences/<int:pk>/", api.SequenceDetail.as_view(), name="api-sequence"),
]
