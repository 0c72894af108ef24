"""Real moving parts for the reliability tests: `celery -A aiom worker` processes on the test
database and the test Redis db, an aiosmtpd server they send to, and the Odoo sandbox.

Workers are separate processes, so the tests use real commits (`transactional_db`) and poll
the database with a deadline. Their time limits are short (hard 20 s, soft 15 s, Odoo socket
timeout 5 s), so a claim's lease (time limit + 30 s) is short too; tests that need an expired
lease run the sweeper with a `now` past it.
"""

import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.execution.conftest import connected_org, odoo, overdue_invoice, sandbox  # noqa: F401 - fixtures
from tests.integrations.servers import SmtpTestServer

from .support import PROJECT_DIR, wait_until

CELERY = Path(sys.executable).with_name("celery")
WORKER_LIMITS = {"CELERY_TASK_TIME_LIMIT": "20", "CELERY_TASK_SOFT_TIME_LIMIT": "15", "ODOO_TIMEOUT": "5",
                 "EMAIL_TIMEOUT": "5"}


def database_url() -> str:
    """The URL of the database this test run uses (pytest-django's test database)."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One `celery worker` process group, logging to a file the test can show on failure."""

    def __init__(self, env: dict, concurrency: int):
        self.name = f"rel-{uuid.uuid4().hex[:8]}@%h"
        self.log_path = Path(tempfile.mkstemp(prefix="aiom-worker-", suffix=".log")[1])
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(CELERY), "-A", "aiom", "worker", "--pool", "prefork", "-c", str(concurrency), "-n", self.name,
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
                cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 30) -> "Worker":
        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"The worker exited with {self.process.returncode}:\n{self.log()}")
            return " ready." in self.log()

        wait_until(ready, timeout=timeout, what="the Celery worker to be ready")
        return self

    def kill(self) -> None:
        """What `kill -9` does to a worker: the parent and its pool children die at once."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log_path.unlink(missing_ok=True)


@pytest.fixture
def broker():
    """The test Redis database, emptied before and after: no task from another test arrives."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()
    yield settings.CELERY_BROKER_URL
    client.flushdb()
    client.close()


@pytest.fixture
def smtp_server():
    with SmtpTestServer() as server:
        yield server


@pytest.fixture
def process_env(transactional_db, broker, smtp_server) -> dict:
    """The environment of an AIOM process outside this one: the test database, the test
    broker, email over SMTP to `smtp_server`, short time limits."""
    env = {**os.environ, **WORKER_LIMITS, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url(),
           "CELERY_BROKER_URL": broker, "EMAIL_URL": f"smtp://{smtp_server.host}:{smtp_server.port}"}
    env.pop("EMAIL_BACKEND", None)
    return env


@pytest.fixture
def start_worker(process_env):
    """Start a worker (`start_worker(concurrency=2, SOME_SETTING="value")`, the keywords added
    to its environment); every worker is stopped at teardown."""
    workers: list[Worker] = []

    def start(concurrency: int = 2, **env: str) -> Worker:
        worker = Worker({**process_env, **env}, concurrency)
        workers.append(worker)
        return worker.wait_ready()

    yield start
    for worker in workers:
        worker.stop()
