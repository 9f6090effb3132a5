"""A record's history: where it came from, its merges, every decision and resolution at
every stage, and the audit entries about it. The history itself is read-only; the page's
only forms put labels on the record and take them off (screening.views.records)."""

from django.db.models import CharField, Prefetch, Q
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from reviewapp.models import AuditEntry
from reviewapp.views import project_view, render_project, topic_area_or_404
from screening import queries
from screening.models import Decision, DuplicatePair, FullText, Record, ScreeningItem
from screening.views.records import labels_context, record_versions

DECISION_ACTIONS = ("decision.change", "decision.undo")


def _blind_stage_names(user, items) -> set[str]:
    """Mark what the page shows of each item's decisions (blinding:
    `can_see_others_decisions`); returns the stages where the others' decisions are hidden
    from the user, whose decision entries in the log are left out too."""
    queries.items_mark_blinding(user, items)
    for item in items:
        item.shown_decisions = queries.decisions_shown(user, item, item.decisions.all())
    return {item.stage.name for item in items if item.others_hidden}


def record_audit_entries(record: Record):
    """The audit entries about the record: its own, its source's import, its merges
    (including those that kept it), and its duplicate pairs."""
    pair_ids = (
        DuplicatePair.objects.filter(Q(record_a=record) | Q(record_b=record))
        .annotate(text_id=Cast("pk", CharField()))
        .values("text_id")
    )
    return (
        AuditEntry.objects.filter(project=record.topic_area.project)
        .filter(
            Q(object_type="record", object_id=str(record.pk))
            | Q(object_type="source", object_id=str(record.source_id), action="source.import")
            | Q(action="duplicate.confirm", after__kept=record.pk)
            | Q(object_type="duplicatepair", object_id__in=pair_ids)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


@require_GET
@project_view("reviewapp.view_project")
def record_history(request, project, topic_key, record_id):
    topic_area = topic_area_or_404(project, topic_key)
    record = get_object_or_404(
        Record.objects.select_related(
            "source__created_by", "source__import_job__created_by", "canonical", "merged_by"
        ),
        topic_area=topic_area,
        pk=record_id,
    )
    items = list(
        ScreeningItem.objects.filter(record=record)
        .select_related("stage", "resolved_by")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("reviewer").order_by("decided_at", "id"),
            )
        )
        .order_by("stage__position")
    )
    for item in items:
        item.stage.topic_area = topic_area
    hidden = _blind_stage_names(request.user, items)
    entries = [
        entry
        for entry in record_audit_entries(record)
        if not (
            entry.action in DECISION_ACTIONS
            and entry.actor_id != request.user.pk
            and (entry.before or {}).get("stage") in hidden
        )
    ]
    pairs = (
        DuplicatePair.objects.filter(Q(record_a=record) | Q(record_b=record))
        .select_related("record_a", "record_b", "decided_by")
        .order_by("created_at", "id")
    )
    return render_project(
        request,
        "screening/record_history.html",
        project,
        topic_area=topic_area,
        record=record,
        import_job=getattr(record.source, "import_job", None),
        duplicates=record.duplicates.select_related("merged_by", "source").order_by("pk"),
        pairs=pairs,
        items=items,
        fulltext=FullText.objects.filter(record=record).select_related("uploaded_by").first(),
        entries=entries,
        versions=record_versions(record),
        can_correct=request.user.has_perm("screening.change_record", project),
        **labels_context(request.user, project, record),
    )
