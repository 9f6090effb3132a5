"""GRADE pages: a lead's judgements per category, and a topic area's Summary of Findings."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grading.forms.grade import GradeAssessmentForm
from grading.frameworks import grade
from grading.models import GradeAssessment
from grading.queries import grade as queries
from grading.services import grade as services
from grading.views.common import category_or_404
from reviewapp.editing import save_form
from reviewapp.views import page_language, project_view, render_project, topic_area_or_404


def _initial(assessment: GradeAssessment | None) -> dict:
    if assessment is None:
        return {"version": 0}
    initial = {
        name: getattr(assessment, name)
        for name in [*queries.DOMAIN_IDS, *services.FIGURE_FIELDS, "version"]
    }
    initial.update({f"reason_{key}": reason for key, reason in assessment.reasons.items()})
    return initial


@require_http_methods(["GET", "POST"])
@project_view("grading.view_grading")
def grade_assessment(request, project, topic_key, category_key):
    """GET: the category's GRADE judgements (a form for leads). POST: a lead saves them."""
    topic_area = topic_area_or_404(project, topic_key)
    category = category_or_404(topic_area, category_key)
    can_assess = request.user.has_perm("grading.set_final_verdict", project)
    if request.method == "POST" and not can_assess:
        raise PermissionDenied
    assessment = GradeAssessment.objects.filter(category=category).first()
    options = {"domains": grade.DOMAINS, "language": page_language()}
    if request.method == "POST":
        form = GradeAssessmentForm(request.POST, **options)
    else:
        form = GradeAssessmentForm(initial=_initial(assessment), **options)
    return save_form(
        request,
        form,
        save=lambda _data: services.grade_assessment_save(
            category=category, actor=request.user, **form.service_fields()
        ),
        message=_("GRADE judgements saved; the certainty is being recomputed."),
        then=reverse(
            "verdict",
            kwargs={"slug": project.slug, "topic_key": topic_key, "category_key": category_key},
        ),
        render=lambda form: render_project(
            request,
            "grading/grade_assessment.html",
            project,
            topic_area=topic_area,
            category=category,
            assessment=assessment,
            form=form,
            can_assess=can_assess,
            uses_grade=project.evidence_framework == grade.NAME,
        ),
    )


@require_GET
@project_view("grading.view_grading")
def summary_of_findings(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    uses_grade = project.evidence_framework == grade.NAME
    table = queries.summary_of_findings(topic_area, page_language()) if uses_grade else None
    return render_project(
        request,
        "grading/sof.html",
        project,
        topic_area=topic_area,
        table=table,
        uses_grade=uses_grade,
    )
