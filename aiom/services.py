"""Organisation and membership writes (used by seed_demo and admin tooling)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Membership, Organization


@transaction.atomic
def organization_ensure(*, slug: str, name: str, timezone: str = "UTC") -> Organization:
    organization, _ = Organization.objects.get_or_create(slug=slug, defaults={"name": name, "timezone": timezone})
    return organization


@transaction.atomic
def member_ensure(*, organization: Organization, username: str, password: str, role: str,
                  email: str = "", staff: bool = False, superuser: bool = False) -> Membership:
    """Create the user and membership if missing; existing passwords are left alone."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": email, "is_staff": staff or superuser, "is_superuser": superuser})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.update_or_create(user=user, organization=organization, defaults={"role": role})
    return membership
