"""Background work asked for by a service: one way to enqueue a task after the commit.

Services name the task instead of importing its module, so task modules stay leaves (they
import services inside the task body) and no import cycle runs through them. The task is
looked up on the Celery app when the transaction commits: with no broker configured it runs
eagerly in the process (the embedded default and the tests), with Redis on a worker.
"""

import logging
from collections.abc import Callable

from celery import current_app
from django.db import transaction

from reviewapp.outages import outage_report

logger = logging.getLogger(__name__)


def enqueue_on_commit(
    task_name: str,
    *,
    countdown: float = 0,
    on_failure: Callable[[], object] | None = None,
    **kwargs,
) -> None:
    """Send `task_name` with keyword arguments once the current transaction commits.

    A broker that is down must neither fail the save nor block the request: the failure is
    logged and the caller's own catch-up (a stale mark and its sweep, a queued job) stays.
    `on_failure`, if given, runs after a failed send (to undo a mark that said "asked")."""

    def send():
        try:
            current_app.tasks[task_name].apply_async(kwargs=kwargs, countdown=countdown)
        except Exception:
            outage_report("broker")
            logger.warning("could not enqueue %s(%s)", task_name, kwargs, exc_info=True)
            if on_failure is not None:
                on_failure()

    transaction.on_commit(send, robust=True)
