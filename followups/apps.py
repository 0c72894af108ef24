from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Follow-ups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from actions import presentation

        from . import delivery

        if delivery.card_notes not in presentation.CARD_NOTE_SOURCES:  # cards say when an address bounced
            presentation.CARD_NOTE_SOURCES.append(delivery.card_notes)
