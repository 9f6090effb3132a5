"""Imports whose worker died: a heartbeat while an import runs, and the sweep that fails a
job whose heartbeat stopped.

An import runs in one transaction (nothing is stored unless all of it is), so a worker
killed mid-import leaves no records, but its job would stay "running" until the broker
redelivered the task (the visibility timeout, an hour). While the import runs, a thread
refreshes the job's `heartbeat_at` on its own database connection (the import's transaction
would hide the write until the end); beat runs `import_jobs_sweep` every 10 s, which fails
a running job whose heartbeat is older than STALE_AFTER. The import's end locks the job row
and checks it is still running (`import_job_lock_running`), so a worker that was only
stalled, not dead, rolls back instead of overwriting the sweep's verdict.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.db import DatabaseError, connection
from django.utils import timezone

from screening.models import ImportJob

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
# Six missed heartbeats: the worker is gone (killed, its machine lost), not merely busy.
STALE_AFTER = timedelta(seconds=30)


class ImportAbandoned(Exception):
    """The job is no longer running (the sweep failed it): the import must not be stored."""


@contextmanager
def import_heartbeat(job: ImportJob):
    """Refresh the running job's heartbeat every HEARTBEAT_SECONDS until the block ends."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(HEARTBEAT_SECONDS):
                ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except DatabaseError:
            logger.warning("import job %s: heartbeat write failed", job.pk, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"import-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=HEARTBEAT_SECONDS)


def import_job_lock_running(job: ImportJob) -> None:
    """Inside the import's transaction, before it commits: lock the job row, check it is
    still running, and refresh its heartbeat (committed with the import, so the sweep
    leaves it alone until the job is marked done)."""
    locked = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
    if locked is None or locked.status != ImportJob.Status.RUNNING:
        raise ImportAbandoned(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
