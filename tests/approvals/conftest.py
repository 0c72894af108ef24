import base64
import json

import pytest
import redis
from django.conf import settings as django_settings

from actions import notifications, services, tasks
from actions.tokens import make_token
from actions.models import ActionStatus, Decision
from actions.types import ActionType
from tests.actions.protocols import protocol_for
from tests.integrations.servers import HttpTestServer


@pytest.fixture(autouse=True)
def _approval_settings(settings):
    settings.APP_URL = "https://aiom.example"
    settings.APPROVAL_EMAIL = ""
    settings.APPROVAL_PHONE = ""


@pytest.fixture
def propose(org):
    """Propose an action in `org` (or `organization=`); keyword arguments override protocol fields."""

    def make(action_type=ActionType.SEND_INVOICE_REMINDER, organization=None, **overrides):
        action = services.propose(organization or org, protocol_for(action_type, **overrides), source="analyzer")
        assert action.status == ActionStatus.PENDING_APPROVAL
        return action

    return make


@pytest.fixture
def pending(propose, approver):
    """A medium-risk invoice reminder email waiting for `approver`."""
    return propose()


@pytest.fixture
def approve_token(pending, approver):
    return make_token(pending, approver, Decision.APPROVE)


@pytest.fixture
def reject_token(pending, approver):
    return make_token(pending, approver, Decision.REJECT)


class TaskQueue:
    """The test Redis broker's default queue, emptied when created. `take()` removes and returns
    the tasks waiting there; `run_notifications()` then does what a worker does with the
    notification tasks among them: it calls the task function, in this process."""

    QUEUE = "celery"

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url)
        self.client.delete(self.QUEUE)

    def take(self) -> list[tuple[str, list]]:
        raw = self.client.lrange(self.QUEUE, 0, -1)
        self.client.delete(self.QUEUE)
        messages = [json.loads(item) for item in reversed(raw)]  # LPUSHed: the oldest is last
        return [(message["headers"]["task"], json.loads(base64.b64decode(message["body"]))[0])
                for message in messages]

    def run_notifications(self) -> list[tuple[str, list]]:
        taken = self.take()
        for name, args in taken:
            if name == tasks.notify.name:
                tasks.notify(*args)
        return taken


@pytest.fixture
def task_queue():
    queue = TaskQueue(django_settings.CELERY_BROKER_URL)
    yield queue
    queue.client.delete(TaskQueue.QUEUE)
    queue.client.close()


@pytest.fixture
def notify(propose, django_capture_on_commit_callbacks, task_queue):
    """Propose an action and notify about it: the commit enqueues the task, which then runs."""

    def make(*args, **kwargs):
        action = propose(*args, **kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            notifications.notify_pending(action)
        assert task_queue.run_notifications() == [(tasks.notify.name, [notifications.APPROVAL_REQUEST, str(action.pk)])]
        return action

    return make


@pytest.fixture
def team(approver, second_approver, viewer, settings):
    settings.APPROVAL_EMAIL = "approvals@acme.example"
    return [approver, second_approver]


@pytest.fixture
def sms_server(settings):
    with HttpTestServer() as server:
        settings.SMS_SERVER_URL = server.url
        settings.SMS_SERVER_API_KEY = "sms-key"
        yield server
