"""Outages of the services AIOM depends on, caused without touching anyone else's.

A Redis outage uses a `redis-server` of the test's own, on a free port and without
persistence, so killing it loses every queued task exactly as a crashed broker would. A
PostgreSQL outage is caused on the test database only: ending its sessions (what a server
restart does to the processes connected to it), or pointing this process at a closed port
(what a client sees while the server is down). The shared servers keep running.
"""

import subprocess
from contextlib import contextmanager

import pytest
import redis
from django.db import connection

from tests.integrations.servers import free_port

from tests.processes import wait_until


class PrivateRedis:
    """`redis-server` on 127.0.0.1:<free port>, no RDB snapshots, no AOF. Use it as a context
    manager; `kill()` is `kill -9`, `start()` again brings it back, empty, on the same port."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_until(self._answers, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process is not None:
            self.process.stdout.close()

    def __enter__(self) -> "PrivateRedis":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.kill()

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"redis-server exited with {self.process.returncode}:\n{self.process.stdout.read().decode()}")
        with self.client() as client:
            try:
                return client.ping()
            except redis.ConnectionError:
                return False


def end_other_sessions() -> int:
    """End every other session on this test's database, as a PostgreSQL restart does: a
    worker in the middle of a statement gets an error, an idle one finds its connection gone
    on the next query. Returns how many sessions were ended."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


@contextmanager
def database_unreachable():
    """While inside, this process's database connection goes to a port nobody listens on:
    every query fails to connect, as while PostgreSQL is down. The real address is restored
    on the way out (pytest-django still needs it to clean up)."""
    settings_dict = connection.settings_dict
    address = {"HOST": settings_dict["HOST"], "PORT": settings_dict["PORT"]}
    connection.close()
    settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        yield
    finally:
        connection.close()
        settings_dict.update(address)
