"""Imports whose worker dies (issue 15): failed with a message within a minute, never
"running" until the broker's visibility timeout (an hour).

Real worker and beat on the test's own Redis; the worker is killed (SIGKILL, then started
again as a restart policy would) or stalled (SIGSTOP) in the middle of a large generated RIS
import.
"""

import signal
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from screening.models import ImportJob, Record, Source
from screening.services.imports import import_job_create, import_jobs_sweep
from tests.worker import wait_for

ABANDONED = "The worker stopped while importing this file"


def _large_ris(records: int) -> SimpleUploadedFile:
    lines = []
    for n in range(records):
        lines += [
            "TY  - JOUR",
            f"TI  - Caseworker caseloads and unemployment duration, study {n}",
            f"AU  - Author{n % 997}, A.",
            f"PY  - {1990 + n % 30}",
            f"JO  - Journal of Labour Studies {n % 50}",
            f"AB  - An abstract about job seekers and their caseworkers, number {n}.",
            f"DO  - 10.1000/test.{n}",
            "ER  - ",
        ]
    return SimpleUploadedFile(
        "large.ris", "\n".join(lines).encode(), "application/x-research-info-systems"
    )


def _start_import(topic_area, lead, records=60_000):
    job = import_job_create(
        topic_area=topic_area, actor=lead, upload=_large_ris(records), source_name="Large"
    )
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.RUNNING, timeout=30
    )
    time.sleep(2)  # well into the file
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING, "the import finished before the fault"
    return job


def test_the_sweep_fails_only_running_jobs_whose_heartbeat_stopped(topic_area, lead):
    now = timezone.now()

    def job(status, heartbeat, started=now):
        return ImportJob.objects.create(
            topic_area=topic_area,
            original_name="x.ris",
            source_name="X",
            status=status,
            started_at=started,
            heartbeat_at=heartbeat,
        )

    dead = job(ImportJob.Status.RUNNING, now - timedelta(seconds=31))
    legacy = job(ImportJob.Status.RUNNING, None, started=now - timedelta(minutes=5))
    alive = job(ImportJob.Status.RUNNING, now - timedelta(seconds=3))
    queued = job(ImportJob.Status.QUEUED, None, started=None)
    done = job(ImportJob.Status.DONE, now - timedelta(hours=1))

    assert import_jobs_sweep() == 2
    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses == {
        dead.pk: "failed",
        legacy.pk: "failed",
        alive.pk: "running",
        queued.pk: "queued",
        done.pk: "done",
    }
    dead.refresh_from_db()
    assert dead.error.startswith(ABANDONED) and "Import the file again" in dead.error
    assert dead.summary["errors"][0]["message"] == dead.error


@pytest.mark.worker
@pytest.mark.postgres
def test_a_worker_killed_mid_import_leaves_a_failed_job_within_a_minute(
    own_celery, topic_area, lead
):
    job = _start_import(topic_area, lead)
    own_celery.kill_worker()
    killed = time.monotonic()
    # As the restart policy does (docker-compose's `restart: unless-stopped`): the task's
    # message is held by the broker for its visibility timeout, so only the sweep helps.
    own_celery.start_worker()

    try:
        wait_for(
            lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.FAILED,
            timeout=60,
            interval=0.5,
        )
    except AssertionError:
        pytest.fail(f"job still {ImportJob.objects.get(pk=job.pk).status}\n{own_celery.logs()}")
    print(f"failed {time.monotonic() - killed:.0f} s after the worker's death")
    job.refresh_from_db()
    assert job.error.startswith(ABANDONED)
    assert job.finished_at is not None
    # One transaction: nothing of the file was stored.
    assert not Record.objects.filter(topic_area=topic_area).exists()
    assert not Source.objects.filter(topic_area=topic_area).exists()


@pytest.mark.worker
@pytest.mark.postgres
def test_a_stalled_worker_that_wakes_after_the_sweep_cannot_overwrite_its_verdict(
    own_celery, topic_area, lead
):
    job = _start_import(topic_area, lead)
    stalled = own_celery.worker
    stalled.send_signal(signal.SIGSTOP)
    own_celery.start_worker()  # another worker, to run the sweep
    try:
        wait_for(
            lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.FAILED,
            timeout=60,
            interval=0.5,
        )
    finally:
        stalled.send_signal(signal.SIGCONT)
    # The worker finishes reading the file, then finds the job failed and rolls back.
    wait_for(lambda: "was failed meanwhile" in own_celery.worker_log.read_text(), timeout=120)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.error.startswith(ABANDONED)
    assert job.source is None
    assert not Record.objects.filter(topic_area=topic_area).exists()
    assert not Source.objects.filter(topic_area=topic_area).exists()
