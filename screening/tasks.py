import contextlib

from celery import shared_task

from screening.models import ImportJob, Stage
from screening.parsers import ParseError
from screening.services import import_run
from screening.services.ranking import ranking_retrain


@shared_task(acks_late=True)
def import_file_task(*, job_id: int) -> None:
    # RUNNING too: a worker that died mid-import rolled its transaction back, and
    # the redelivered task starts over from the file.
    job = (
        ImportJob.objects.select_related("topic_area__project", "created_by")
        .filter(pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
        .first()
    )
    if job is None:
        return
    # import_run records the reason for a rejected file on the job, for the user.
    with contextlib.suppress(ParseError):
        import_run(job=job)


@shared_task
def ranking_retrain_task(*, stage_id: int) -> None:
    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is None:
        return
    ranking_retrain(stage=stage)
