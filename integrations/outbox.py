"""Messages the local demo "sent": stored instead of delivered, so the dashboard can show them."""

from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class OutboxMessage(models.Model):
    # Whose message it is, so each organisation's people see only their own (and its links).
    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="+", help_text="Empty when the sender named none.")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    sender = models.CharField(max_length=255, blank=True)
    recipients = models.JSONField(default=list, help_text="Email addresses or E.164 numbers.")
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=255, blank=True, help_text="Empty for SMS.")
    body = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(
        max_length=255, blank=True, db_index=True, help_text="Email Message-ID, or the SMS idempotency key."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "integrations"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {', '.join(self.recipients)}: {self.subject or self.body[:40]}"
