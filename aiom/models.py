"""Organisations (tenants) and who may do what in them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

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
