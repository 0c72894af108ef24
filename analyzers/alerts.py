"""Alerts: open while a condition holds, resolved when a later run sees it clear.

One open alert per key and organisation (a partial unique constraint); raising an alert that
is already open refreshes its text instead of opening a second one.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Alert


def raise_alert(organization, *, key: str, severity: str, title: str, message: str) -> Alert:
    fields = {"severity": severity, "title": title[:255], "message": message}
    updated = Alert.objects.filter(organization=organization, key=key, resolved_at__isnull=True).update(
        **fields, updated_at=timezone.now())
    if not updated:
        try:
            with transaction.atomic():
                return Alert.objects.create(organization=organization, key=key, **fields)
        except IntegrityError:
            pass  # raised concurrently: the open one stands
    return Alert.objects.get(organization=organization, key=key, resolved_at__isnull=True)


def resolve_alert(organization, *, key: str) -> int:
    return Alert.objects.filter(organization=organization, key=key, resolved_at__isnull=True).update(
        resolved_at=timezone.now())


def resolve_alerts_except(organization, *, prefix: str, keep) -> int:
    """Resolve the open alerts whose key starts with `prefix`, except those in `keep`: the
    conditions a run no longer sees."""
    return (Alert.objects.filter(organization=organization, key__startswith=prefix, resolved_at__isnull=True)
            .exclude(key__in=list(keep)).update(resolved_at=timezone.now()))
