"""Redis redelivers an unacknowledged task after `visibility_timeout`: a delay longer than that
would run the task twice, so every delay AIOM can put on a message stays below it."""

import json
from datetime import datetime, timedelta, timezone

import redis
from django.conf import settings

from actions import dispatch, execution


def visibility_timeout() -> float:
    return settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def test_every_configured_delay_is_below_the_visibility_timeout():
    worst_backoff = max(execution.backoff_seconds(attempt) for attempt in range(1, execution.MAX_ATTEMPTS + 1)
                        for _ in range(500))
    assert worst_backoff <= settings.AIOM_RETRY_MAX_SECONDS < dispatch.max_countdown() < visibility_timeout()
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < visibility_timeout()
    assert execution.lease_seconds() < visibility_timeout()


def test_a_far_future_countdown_is_clamped_on_the_message_itself(broker):
    queue = redis.Redis.from_url(broker)
    asked = 10 * visibility_timeout()
    assert dispatch.enqueue("00000000-0000-0000-0000-000000000001", countdown=asked)
    [raw] = queue.lrange("celery", 0, -1)
    eta = datetime.fromisoformat(json.loads(raw)["headers"]["eta"])
    ahead = eta - datetime.now(timezone.utc)
    assert timedelta(0) < ahead <= timedelta(seconds=dispatch.max_countdown())
