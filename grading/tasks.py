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
