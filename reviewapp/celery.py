"""The Celery app, and what a worker does when its broker connection (re)starts.

A save made while the broker was down could not ask for its recompute; requests sent just
before an outage may have died with the broker. So each time the worker's consumer
(re)connects, `RecoverOnConnect` runs the verdict recovery sweep in a thread (it needs the
database, not the broker), and the consumer retries a lost connection every second rather
than Celery's default back-off (2, 4, 6 … 30 s between attempts), so a verdict is fresh
within seconds of the broker's return (docs/operations.md). The consumer also survives a
lost connection while it holds an unacknowledged task, which Celery 5.7 does not.
"""

import logging
import os
import threading

from celery import Celery, bootsteps
from celery.worker.consumer import Consumer
from celery.worker.state import maybe_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")

logger = logging.getLogger(__name__)

# Seconds between the worker's attempts to reach a lost broker (at most).
RECONNECT_INTERVAL_MAX = 1.0


class ResilientConsumer(Consumer):
    """Celery's consumer, retrying a lost broker every second instead of backing off to 30 s,
    and surviving the loss with a task unacknowledged."""

    def on_connection_error_after_connected(self, exc):
        try:
            super().on_connection_error_after_connected(exc)
        except AttributeError:
            # Celery 5.7 with kombu's Redis transport: collect() drops the transport's
            # client, then close() restores the unacknowledged messages through it and the
            # worker dies ("Unrecoverable error: 'NoneType' object has no attribute
            # 'hostname'"). The messages stay in Redis' unacked set (back after the
            # visibility timeout); the recovery sweeps redo their work long before that.
            logger.warning("broker lost with unacknowledged messages; reconnecting")

    def ensure_connected(self, conn):
        def _error_handler(exc, interval):
            logger.error("cannot reach the broker (%s); retrying in %.0f s", exc, interval)

        if not self.app.conf.broker_connection_retry:
            return super().ensure_connected(conn)
        # Forever: at one attempt a second Celery's 100 retries would end the worker after
        # a long outage; a worker that waits is what the restart policy would bring back.
        conn = conn.ensure_connection(
            _error_handler,
            None,
            callback=maybe_shutdown,
            interval_start=0.5,
            interval_step=0.5,
            interval_max=RECONNECT_INTERVAL_MAX,
        )
        self.first_connection_attempt = False
        self.broker_connection_retry_attempt = 0
        return conn


def _recover(app) -> None:
    from django.db import connection  # noqa: PLC0415 -- Django is set up by the time this runs

    try:
        # Run here, by name (the apps stay above this module), not through the broker.
        app.tasks["grading.tasks.verdicts_recover_task"](everything=True)
    except Exception:
        logger.exception("the verdict recovery sweep after a (re)connect failed")
    finally:
        connection.close()


class RecoverOnConnect(bootsteps.StartStopStep):
    """Started with the consumer, i.e. at start-up and after every lost connection."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, c):
        threading.Thread(
            target=_recover, args=(c.app,), name="verdicts-recover", daemon=True
        ).start()


app = Celery("reviewapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.worker_consumer = "reviewapp.celery:ResilientConsumer"
app.steps["consumer"].add(RecoverOnConnect)
app.autodiscover_tasks()
