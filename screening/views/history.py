"""A record's history: where it came from, its merges, every decision and resolution at
every stage, and the audit entries about it. The history itself is read-only; the page's
only forms put labels on the record and take them off (screening.views.records)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from reviewapp.views import project_view, render_project, topic_area_or_404
from screening import queries
from screening.models import DuplicatePair, FullText, Record
from screening.views.records import labels_context, record_versions


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
    items = queries.record_history_items(request.user, record, topic_area)
    entries = queries.record_history_entries(request.user, record, items)
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
