from celery import shared_task

from grading.models import InterventionCategory
from grading.services import verdict_recompute_when_quiet, verdicts_sweep


@shared_task(acks_late=True)
def recompute_category_task(*, category_id: int) -> None:
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
    verdicts_sweep()


@shared_task(acks_late=True)
def rebuild_report_task(*, topic_area_id: int) -> None:
    from grading.services_report import report_tables_rebuild
    from reviewapp.models import TopicArea

    topic_area = TopicArea.objects.select_related("project").filter(pk=topic_area_id).first()
    if topic_area is None:
        return  # deleted meanwhile
    report_tables_rebuild(topic_area=topic_area)
