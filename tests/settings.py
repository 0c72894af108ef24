"""Test settings: production settings with the few changes a test run needs."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")

from aiom.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
AXES_ENABLED = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ODOO_RETRY_BACKOFF = 0.01
AIOM_RETRY_BASE_SECONDS = 0.2
AIOM_RETRY_MAX_SECONDS = 1
# Every test client comes from 127.0.0.1 and one process runs many tests within a minute: the
# throttles are tested with their own low rates (tests/aiom/test_api_tokens.py).
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"write": "100000/min", "auth": "100000/min"}}  # noqa: F405
# Each pytest-xdist worker gets its own Redis database (15, 14, … for gw0, gw1, …), so a task one
# test queues never shows up in another test's broker running at the same moment.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER.startswith("gw") and CELERY_BROKER_URL.startswith("redis://"):  # noqa: F405
    _base, _, _db = CELERY_BROKER_URL.rpartition("/")  # noqa: F405
    if _db.isdigit():
        CELERY_BROKER_URL = f"{_base}/{(int(_db) - int(_XDIST_WORKER[2:])) % 16}"
        os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL  # Celery reads the variable before the settings
