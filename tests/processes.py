"""Helpers for tests that work with other processes (Celery workers, web servers, a private
Redis): the directory those processes start in, and waiting for what they do."""

import time
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]


def wait_until(predicate, *, timeout: float = 30, what: str = "the condition", interval: float = 0.1):
    """Poll `predicate` until it returns something truthy (and return that), or fail the test."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout}s waiting for {what}.")
        time.sleep(interval)
