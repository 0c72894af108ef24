"""Organisations (tenants) and who may do what in them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from knox.models import AbstractAuthToken

from .timezones import known_timezones


def validate_timezone(value: str) -> None:
    if value not in known_timezones():
        raise ValidationError(f"Unknown time zone {value!r}.")


class Organization(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    APPROVER = "approver", "Approver"
    ADMIN = "admin", "Admin"


#: Who may approve or reject an organisation's actions.
DECIDING_ROLES = (Role.APPROVER, Role.ADMIN)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    phone = models.CharField(max_length=32, blank=True, help_text="E.164 number for urgent approval SMS.")
    teams = models.JSONField(default=list, blank=True,
                             help_text="Teams this person decides for, e.g. [\"finance\"]: policy rules can ask for "
                                       "an approver from a team.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")]
        ordering = ["organization", "user"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    @property
    def can_approve(self) -> bool:
        return self.role in DECIDING_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    DECIDE = "decide", "Read and decide"


class ApiToken(AbstractAuthToken):
    """A person's key to the API: knox keeps only its SHA-512 digest, so a database dump holds
    no usable key. A revoked or expired token stays listed (what it was, when it was last used,
    from where) and authenticates nothing; `aiom.api_tokens` creates, revokes and records use."""

    # The digest is knox's primary key; an ordinary id names a token in pages and URLs instead.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=128, unique=True)
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.READ)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"

    def state(self, now) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expiry and self.expiry <= now:
            return "expired"
        return "active"

    @property
    def can_decide(self) -> bool:
        return self.scope == TokenScope.DECIDE
