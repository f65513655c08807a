"""Race tests: run calls in real threads released at once, as an elder's double tap or a provider's retry does.

Each thread closes its own database connections at the end, so a test on PostgreSQL leaves no session open.
"""

import threading

from django.db import connections


def at_once(calls, *, timeout: float = 300) -> list:
    """Run each call in its own thread, all released together; returns their results, or the exception each raised
    (the test asserts on it: a crash under a race is a finding, not a test error)."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            start.wait(timeout=30)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
