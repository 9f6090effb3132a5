"""What grading does when the apps below it send a signal (reviewapp.signals)."""

from django.dispatch import receiver

from grading.models import InterventionCategory, ReportSnapshot
from grading.services.report import report_tables_rebuild
from grading.services.verdicts import verdicts_mark_stale
from reviewapp.signals import project_framework_changed, user_erased


@receiver(project_framework_changed)
def grade_again_on_new_framework(sender, *, project, **kwargs) -> None:
    verdicts_mark_stale(categories=InterventionCategory.objects.filter(topic_area__project=project))


@receiver(user_erased)
def rebuild_report_tables_after_erasure(sender, *, user, project_ids, **kwargs) -> None:
    # The stored tables print reviewers' names (the agreement table): rebuilt from the rows,
    # which now name the pseudonym. The stored tables go first: a rebuild would otherwise
    # reuse the stored agreement rows (with the old names) while the decisions are unchanged.
    snapshots = ReportSnapshot.objects.filter(topic_area__project_id__in=project_ids)
    topic_areas = [snapshot.topic_area for snapshot in snapshots.select_related("topic_area")]
    snapshots.update(tables={}, problems=[])
    for topic_area in topic_areas:
        report_tables_rebuild(topic_area=topic_area)
