"""In-app notices: how the actions a person approved ended (see notifications.notify_result).
Each person sees only their own notices in the current organisation."""

from django.utils import timezone

from .models import Notice


def notices_of(user, organization):
    return Notice.objects.filter(user=user, organization=organization)


def unread_count(user, organization) -> int:
    """One COUNT query, however many notices there are."""
    return notices_of(user, organization).filter(read_at__isnull=True).count()


def mark_read(notices) -> int:
    """Mark the unread ones among `notices` read now; how many were."""
    return notices.filter(read_at__isnull=True).update(read_at=timezone.now())
