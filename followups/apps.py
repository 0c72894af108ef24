from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Follow-ups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from actions import describe
        from actions.policy import backtest

        from . import delivery, policy_outcomes

        if delivery.card_notes not in describe.CARD_NOTE_SOURCES:  # cards say when an address bounced
            describe.CARD_NOTE_SOURCES.append(delivery.card_notes)
        backtest.register_outcome_source(policy_outcomes.known_outcomes)  # a rule's backtest: paid, bounced …
