"""A study's history page (read-only)."""

from django.views.decorators.http import require_GET

from grading.queries.history import study_timeline
from grading.views.common import study_or_404
from reviewapp.views import project_view, render_project, topic_area_or_404


@require_GET
@project_view("grading.view_grading")
def study_history(request, project, topic_key, study_id):
    topic_area = topic_area_or_404(project, topic_key)
    study = study_or_404(topic_area, study_id)
    return render_project(
        request,
        "grading/study_history.html",
        project,
        topic_area=topic_area,
        study=study,
        timeline=study_timeline(study),
    )
