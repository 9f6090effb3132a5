"""What grading does when the apps below it send a signal (reviewapp.signals)."""

from django.dispatch import receiver

from grading.models import InterventionCategory
from grading.services.verdicts import verdicts_mark_stale
from reviewapp.signals import project_framework_changed


@receiver(project_framework_changed)
def grade_again_on_new_framework(sender, *, project, **kwargs) -> None:
    verdicts_mark_stale(categories=InterventionCategory.objects.filter(topic_area__project=project))
