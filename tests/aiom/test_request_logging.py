"""What the request log says: a refused or missing page is one warning line, a crash an error
with its traceback."""

import logging
import uuid

import pytest
from django.test import Client
from django.urls import reverse

import aiom.views


@pytest.fixture
def request_log(caplog):
    """The records of `django.request` (which does not propagate to the root logger), after its
    filters have run."""
    logger = logging.getLogger("django.request")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def _only_record(log, status):
    [record] = [record for record in log.records if record.name == "django.request"]
    assert record.status_code == status
    return record


def test_a_missing_page_is_a_warning_without_traceback(client, viewer, request_log):
    client.force_login(viewer)
    assert client.get(reverse("dashboard:action", args=[uuid.uuid4()])).status_code == 404

    record = _only_record(request_log, 404)
    assert record.levelno == logging.WARNING and record.getMessage().startswith("Not Found: /dashboard/actions/")
    assert record.exc_info is None and "Traceback" not in request_log.text


def test_a_refused_page_is_a_warning_without_traceback(client, viewer, request_log):
    client.force_login(viewer)
    assert client.get(reverse("dashboard:guardrails")).status_code == 403

    record = _only_record(request_log, 403)
    assert record.levelno == logging.WARNING and record.getMessage().startswith("Forbidden")
    assert record.exc_info is None and "Traceback" not in request_log.text


def test_a_crash_stays_an_error_with_its_traceback(viewer, request_log, monkeypatch):
    def broken(organization):
        raise RuntimeError("the health figures could not be read")

    monkeypatch.setattr(aiom.views, "health_for", broken)
    client = Client(raise_request_exception=False)
    client.force_login(viewer)
    assert client.get(reverse("dashboard:health")).status_code == 500

    record = _only_record(request_log, 500)
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "RuntimeError: the health figures could not be read" in request_log.text
