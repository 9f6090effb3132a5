"""A study's history: the audit entries of the study, its results, their risk-of-bias
assessments and dual extractions, and the verdict changes of the categories its results
feed."""

from django.db.models import CharField, Count, Q
from django.db.models.functions import Cast

from grading.models import Consensus, Extraction, RobAssessment, Study, VerdictEvent
from grading.queries.consensus import REVIEWERS
from reviewapp.models import AuditEntry


def _text_ids(queryset):
    """The objects' ids as audit entries hold them (text), for a subquery."""
    return queryset.annotate(text_id=Cast("pk", CharField())).values("text_id")


def study_timeline(study: Study) -> list[dict]:
    """Every change to the study, newest first, as {"at", "entry"} or {"at", "event"}:
    two queries, however long the history."""
    # Blind dual extraction: an extraction shows once its result has both (as on the
    # consensus page), so a reviewer never reads the other's values here first.
    visible_extractions = (
        Extraction.objects.filter(result__study=study)
        .annotate(extracted=Count("result__extractions"))
        .filter(extracted__gte=REVIEWERS)
    )
    entries = (
        AuditEntry.objects.filter(project=study.topic_area.project)
        .filter(
            Q(object_type="study", object_id=str(study.pk))
            | Q(object_type="result", object_id__in=_text_ids(study.results.all()))
            | Q(
                object_type="robassessment",
                object_id__in=_text_ids(RobAssessment.objects.filter(result__study=study)),
            )
            | Q(object_type="extraction", object_id__in=_text_ids(visible_extractions))
            | Q(
                object_type="consensus",
                object_id__in=_text_ids(Consensus.objects.filter(result__study=study)),
            )
        )
        .select_related("actor")
    )
    events = (
        VerdictEvent.objects.filter(verdict__category__results__study=study)
        .distinct()
        .select_related("actor", "verdict__category")
    )
    timeline = [{"at": entry.created_at, "id": entry.pk, "entry": entry} for entry in entries]
    timeline += [{"at": event.at, "id": event.pk, "event": event} for event in events]
    return sorted(timeline, key=lambda row: (row["at"], row["id"]), reverse=True)
