"""Thin Celery tasks. Tasks are leaves: each imports its service inside the body, and the
services enqueue them by name (`reviewapp.tasking.enqueue_on_commit`), so no import cycle
runs through this module."""

import contextlib

from celery import shared_task

from screening.models import ImportJob, Stage
from screening.parsers import ParseError


@shared_task(acks_late=True)
def import_file_task(*, job_id: int) -> None:
    from screening.services.import_watch import ImportAbandoned  # noqa: PLC0415 -- tasks are leaves: services enqueue them by name
    from screening.services.imports import import_run  # noqa: PLC0415 -- tasks are leaves: services enqueue them by name

    # RUNNING too: a worker that died mid-import rolled its transaction back, and
    # the redelivered task starts over from the file.
    job = (
        ImportJob.objects.select_related("topic_area__project", "created_by")
        .filter(pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
        .first()
    )
    if job is None:
        return
    # import_run records the reason for a rejected file on the job, for the user; an
    # abandoned job already says why (the sweep failed it).
    with contextlib.suppress(ParseError, ImportAbandoned):
        import_run(job=job)


@shared_task
def imports_sweep_task() -> None:
    from screening.services.imports import import_jobs_sweep  # noqa: PLC0415 -- tasks are leaves: services enqueue them by name

    import_jobs_sweep()


@shared_task
def ranking_retrain_task(*, stage_id: int) -> None:
    from screening.services.ranking import ranking_retrain  # noqa: PLC0415 -- tasks are leaves: services enqueue them by name

    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is None:
        return
    ranking_retrain(stage=stage)


@shared_task
def ranking_features_prepare_task(*, stage_id: int) -> None:
    from screening.services.ranking import ranking_features_prepare  # noqa: PLC0415 -- tasks are leaves: services enqueue them by name

    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is None:
        return
    ranking_features_prepare(stage=stage)
