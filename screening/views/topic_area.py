"""A topic area's home page: its sources and imports, its records, duplicates waiting and
its flow so far. A screening page: everything on it is screening's."""

from django.views.decorators.http import require_GET

from reviewapp.views import page_language, project_view, render_project, topic_area_or_404
from screening import queries as screening_queries


@require_GET
@project_view("reviewapp.view_project")
def topic_area_detail(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    return render_project(
        request,
        "screening/topic_area_detail.html",
        project,
        topic_area=topic_area,
        sources=screening_queries.sources_with_counts(topic_area),
        record_counts=screening_queries.record_counts(topic_area),
        pending_pairs=screening_queries.pending_pairs(topic_area).count(),
        **screening_queries.topic_area_flow_figure(topic_area, page_language()),
        can_import=request.user.has_perm("screening.import_records", project),
    )
