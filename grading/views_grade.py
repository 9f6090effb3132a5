"""GRADE pages: a lead's judgements per category, and a topic area's Summary of Findings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grading import services_grade
from grading.forms import GradeAssessmentForm
from grading.frameworks import grade
from grading.models import GradeAssessment
from grading.views import _category
from reviewapp.versioning import EditConflict
from reviewapp.views import (
    add_errors,
    conflict_message,
    page_language,
    project_view,
    render_project,
    topic_area_or_404,
)


def _initial(assessment: GradeAssessment | None) -> dict:
    if assessment is None:
        return {"version": 0}
    initial = {
        name: getattr(assessment, name)
        for name in [*services_grade.DOMAIN_IDS, *services_grade.FIGURE_FIELDS, "version"]
    }
    initial.update({f"reason_{key}": reason for key, reason in assessment.reasons.items()})
    return initial


@require_http_methods(["GET", "POST"])
@project_view("grading.view_grading")
def grade_assessment(request, project, topic_key, category_key):
    """GET: the category's GRADE judgements (a form for leads). POST: a lead saves them."""
    topic_area = topic_area_or_404(project, topic_key)
    category = _category(topic_area, category_key)
    can_assess = request.user.has_perm("grading.set_final_verdict", project)
    if request.method == "POST" and not can_assess:
        raise PermissionDenied
    assessment = GradeAssessment.objects.filter(category=category).first()
    options = {"domains": grade.DOMAINS, "language": page_language()}
    status = 200
    if request.method == "POST":
        form = GradeAssessmentForm(request.POST, **options)
        if form.is_valid():
            try:
                services_grade.grade_assessment_save(
                    category=category, actor=request.user, **form.service_fields()
                )
            except EditConflict:
                form.add_error(None, conflict_message())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request, _("GRADE judgements saved; the certainty is being recomputed.")
                )
                return redirect(
                    "verdict", slug=project.slug, topic_key=topic_key, category_key=category_key
                )
        status = 400
    else:
        form = GradeAssessmentForm(initial=_initial(assessment), **options)
    response = render_project(
        request,
        "grading/grade_assessment.html",
        project,
        topic_area=topic_area,
        category=category,
        assessment=assessment,
        form=form,
        can_assess=can_assess,
        uses_grade=project.evidence_framework == grade.NAME,
    )
    response.status_code = status
    return response


@require_GET
@project_view("grading.view_grading")
def summary_of_findings(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    uses_grade = project.evidence_framework == grade.NAME
    table = services_grade.summary_of_findings(topic_area, page_language()) if uses_grade else None
    return render_project(
        request,
        "grading/sof.html",
        project,
        topic_area=topic_area,
        table=table,
        uses_grade=uses_grade,
    )
