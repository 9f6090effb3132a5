"""The tasks: thin, re-fetching, quiet when the object is gone; the sweep is scheduled."""

import pytest
from django.conf import settings

from grading.models import Verdict
from grading.services import verdicts as verdict_services
from grading.tasks import recompute_category_task, verdicts_sweep_task


def test_recompute_task_is_quiet_for_a_deleted_category(db):
    assert recompute_category_task.run(category_id=999_999) is None


def test_recompute_task_recomputes(topic_area, lead):
    category = verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="c", title="C"
    )
    Verdict.objects.filter(category=category).update(computed_level="", inputs_hash="")
    recompute_category_task.run(category_id=category.pk)
    assert Verdict.objects.get(category=category).computed_level == "no_knowledge"


@pytest.mark.django_db
def test_the_sweep_is_scheduled_and_runs():
    assert settings.CELERY_BEAT_SCHEDULE["verdicts-sweep"]["task"] == verdicts_sweep_task.name
    assert verdicts_sweep_task.run() is None
