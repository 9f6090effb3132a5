"""Thin Celery tasks: re-fetch by id, return quietly if the object is gone, call one service.

Tasks are leaves: services enqueue them by name (reviewapp.tasking.enqueue_on_commit) and
never import this module, and each task imports its service inside its body, so no import
cycle runs through here.
"""

import logging

from celery import shared_task

from grading.models import InterventionCategory
from reviewapp.models import TopicArea

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def recompute_category_task(*, category_id: int) -> None:
    from grading.services.verdicts import verdict_recompute_when_quiet  # noqa: PLC0415 -- tasks are leaves: services enqueue them by name

    category = (
        InterventionCategory.objects.select_related("topic_area__project")
        .filter(pk=category_id)
        .first()
    )
    if category is None:
        return  # deleted meanwhile
    verdict_recompute_when_quiet(category=category)


@shared_task
def verdicts_sweep_task() -> None:
    from grading.services.verdicts import verdicts_sweep  # noqa: PLC0415 -- tasks are leaves: services enqueue them by name

    verdicts_sweep()


@shared_task
def verdicts_recover_task(*, everything: bool = False) -> None:
    from grading.services.verdicts import verdicts_recover  # noqa: PLC0415 -- tasks are leaves: services enqueue them by name

    count = verdicts_recover(everything=everything)
    if count:
        logger.info("recomputed %d stale verdict(s) no live request covered", count)


@shared_task(acks_late=True)
def rebuild_report_task(*, topic_area_id: int) -> None:
    from grading.services.report import report_tables_rebuild  # noqa: PLC0415 -- tasks are leaves: services enqueue them by name

    topic_area = TopicArea.objects.select_related("project").filter(pk=topic_area_id).first()
    if topic_area is None:
        return  # deleted meanwhile
    report_tables_rebuild(topic_area=topic_area)
