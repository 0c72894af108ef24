"""Using the Django admin as staff do, shared by the tests of its bulk actions."""

from django.contrib.auth.models import Permission
from django.urls import reverse


def staff(user, *codenames):
    """`user` made staff with these permissions of the actions app."""
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="actions", codename__in=codenames))
    return user


def admin_action(client, name, *actions):
    """Run the admin action `name` on `actions` from the action list, following the redirect."""
    return client.post(reverse("admin:actions_action_changelist"),
                       {"action": name, "_selected_action": [str(action.pk) for action in actions]}, follow=True)
