"""Evidence pages: the topic area's categories with their verdicts, a category's verdict
with its results and how they were screened, a lead's final level."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grading import traces
from grading.forms.verdicts import CategoryForm, FinalVerdictForm
from grading.models import Verdict
from grading.queries import studies as study_queries
from grading.queries import verdicts as queries
from grading.services import studies as study_services
from grading.services import verdicts as services
from grading.views.common import bin_message, category_or_404
from reviewapp.editing import save_form
from reviewapp.views import page_language, project_view, render_project, topic_area_or_404


@require_GET
@project_view("grading.view_grading")
def evidence(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    template = "grading/evidence.html"
    if request.htmx:
        template += "#verdicts"
    return render_project(
        request,
        template,
        project,
        topic_area=topic_area,
        categories=queries.categories_with_verdicts(topic_area),
        labels=queries.level_labels(project, page_language()),
        category_form=CategoryForm(),
        can_manage=request.user.has_perm("grading.manage_categories", project),
    )


@require_POST
@project_view("grading.manage_categories")
def category_create(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            services.category_create(topic_area=topic_area, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Category added."))
    else:
        messages.error(request, _("A category needs a title and a key (letters, digits, -)."))
    return redirect("evidence", slug=project.slug, topic_key=topic_key)


def _verdict_context(request, project, topic_area, category, form=None) -> dict:
    results = list(queries.category_results(category))
    records = [record for result in results for record in result.study.records.all()]
    trail = defaultdict(list)
    for item in study_queries.inclusion_trail(records):
        trail[item.record_id].append(item)
    verdict = getattr(category, "verdict", None)
    labels = queries.level_labels(project, page_language())
    can_decide = request.user.has_perm("grading.set_final_verdict", project)
    if verdict is not None and can_decide and form is None:
        form = FinalVerdictForm(
            initial={
                "level": verdict.level,
                "rationale": verdict.rationale,
                "version": verdict.version,
            },
            levels=list(labels.items()),
        )
    for result in results:
        result.trail = [item for record in result.study.records.all() for item in trail[record.pk]]
    return {
        "topic_area": topic_area,
        "category": category,
        "verdict": verdict,
        "results": results,
        "labels": labels,
        "form": form,
        "events": verdict.events.select_related("actor")[:50] if verdict else [],
        "explanation": (
            verdict.trace.get("explanation_da" if page_language() == "da" else "explanation_en", "")
            if verdict
            else ""
        ),
        # The framework's own trace: the weighted mode's factors, GRADE's ratings.
        "weighted": traces.weighted_trace(verdict.trace, page_language()) if verdict else None,
        "grade": traces.grade_trace(verdict.trace, page_language()) if verdict else None,
        "can_delete": request.user.has_perm("grading.delete_category", category),
    }


@require_GET
@project_view("grading.view_grading")
def verdict(request, project, topic_key, category_key):
    topic_area = topic_area_or_404(project, topic_key)
    category = category_or_404(topic_area, category_key)
    template = "grading/verdict.html"
    if request.htmx:
        template += "#computed"
    return render_project(
        request, template, project, **_verdict_context(request, project, topic_area, category)
    )


@require_POST
@project_view("grading.set_final_verdict")
def verdict_final(request, project, topic_key, category_key):
    topic_area = topic_area_or_404(project, topic_key)
    category = category_or_404(topic_area, category_key)
    verdict = get_object_or_404(Verdict, category=category)
    labels = queries.level_labels(project, page_language())
    return save_form(
        request,
        FinalVerdictForm(request.POST, levels=list(labels.items())),
        save=lambda data: services.verdict_set_final(
            verdict=verdict,
            actor=request.user,
            level=data["level"],
            rationale=data["rationale"],
            expected_version=data["version"],
        ),
        message=_("Final level saved."),
        then=reverse(
            "verdict",
            kwargs={"slug": project.slug, "topic_key": topic_key, "category_key": category_key},
        ),
        render=lambda form: render_project(
            request,
            "grading/verdict.html",
            project,
            **_verdict_context(request, project, topic_area, category, form=form),
        ),
    )


@require_POST
@project_view("grading.view_grading")
def category_delete(request, project, topic_key, category_key):
    topic_area = topic_area_or_404(project, topic_key)
    category = category_or_404(topic_area, category_key)
    if not request.user.has_perm("grading.delete_category", category):
        raise PermissionDenied
    category = study_services.category_delete(category=category, actor=request.user)
    bin_message(
        request,
        _(
            "The category %(title)s is in the bin with its results; a lead can restore it "
            "until %(date)s."
        ),
        category,
        title=category.title,
    )
    return redirect("evidence", slug=project.slug, topic_key=topic_key)
