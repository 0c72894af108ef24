"""Running calls at the same moment in real threads, as concurrent requests or workers would."""

import threading

from django.db import connection


def run_together(*calls):
    """Run each call in its own thread, released together by a barrier; returns results or exceptions.

    Each thread has its own database connection and commits for real, so the database's locks
    and constraints, not the test, decide who wins.
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes
