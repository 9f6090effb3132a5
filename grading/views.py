"""Grading pages: the evidence overview, a category's verdict, studies and their results."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grading import queries, services, traces
from grading.forms import (
    CategoryForm,
    ExtractionFieldForm,
    FinalVerdictForm,
    ResultForm,
    StudyForm,
)
from grading.models import ExtractionField, InterventionCategory, Result, Study, Verdict
from grading.services_consensus import dual_extraction_on
from reviewapp.versioning import EditConflict
from reviewapp.views import (
    add_errors,
    conflict_message,
    page_language,
    project_view,
    render_project,
    topic_area_or_404,
)


def _category(topic_area, category_key) -> InterventionCategory:
    category = get_object_or_404(
        InterventionCategory.objects.select_related("verdict"),
        topic_area=topic_area,
        key=category_key,
    )
    category.topic_area = topic_area
    return category


def _study(topic_area, study_id) -> Study:
    study = get_object_or_404(Study, topic_area=topic_area, pk=study_id)
    study.topic_area = topic_area
    return study


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
    for item in queries.inclusion_trail(records):
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
    }


@require_GET
@project_view("grading.view_grading")
def verdict(request, project, topic_key, category_key):
    topic_area = topic_area_or_404(project, topic_key)
    category = _category(topic_area, category_key)
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
    category = _category(topic_area, category_key)
    verdict = get_object_or_404(Verdict, category=category)
    labels = queries.level_labels(project, page_language())
    form = FinalVerdictForm(request.POST, levels=list(labels.items()))
    if form.is_valid():
        try:
            services.verdict_set_final(
                verdict=verdict,
                actor=request.user,
                level=form.cleaned_data["level"],
                rationale=form.cleaned_data["rationale"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict:
            form.add_error(None, conflict_message())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Final level saved."))
            return redirect(
                "verdict", slug=project.slug, topic_key=topic_key, category_key=category_key
            )
    response = render_project(
        request,
        "grading/verdict.html",
        project,
        **_verdict_context(request, project, topic_area, category, form=form),
    )
    response.status_code = 400
    return response


@require_GET
@project_view("grading.view_grading")
def studies(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    return render_project(
        request,
        "grading/studies.html",
        project,
        topic_area=topic_area,
        studies=queries.studies_with_counts(topic_area),
        awaiting=queries.records_awaiting_a_study(topic_area),
        can_extract=request.user.has_perm("grading.extract", project),
        dual=dual_extraction_on(project),
    )


@require_http_methods(["GET", "POST"])
@project_view("grading.extract")
def study_create(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    record = None
    record_id = request.GET.get("record") or request.POST.get("record")
    if record_id and str(record_id).isdigit():
        record = get_object_or_404(queries.records_awaiting_a_study(topic_area), pk=record_id)
    initial = {}
    if record is not None:
        initial = {
            "label": record.citation,
            "authors": record.authors,
            "year": record.year,
            "title": record.title,
            "publication_type": record.publication_type,
        }
    form = StudyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            study = services.study_create(
                topic_area=topic_area,
                actor=request.user,
                records=[record] if record else [],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Study saved. Add its results."))
            return redirect(study)
    return render_project(
        request,
        "grading/study_form.html",
        project,
        topic_area=topic_area,
        form=form,
        record=record,
    )


def _result_form(project, topic_area, **kwargs) -> ResultForm:
    form = ResultForm(topic_area=topic_area, **kwargs)
    form.add_extraction_fields(project.extraction_fields.filter(active=True))
    return form


def _shown(value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _study_page(
    request, project, topic_area, study, *, study_form=None, result_form=None, status=200
):
    can_extract = request.user.has_perm("grading.extract", project)
    if can_extract:
        study_form = study_form or StudyForm(instance=study)
        result_form = result_form or _result_form(project, topic_area)
    fields = list(project.extraction_fields.all())
    results = list(study.results.select_related("category").order_by("category__position", "id"))
    for result in results:
        result.extra_values = [
            (field.label, _shown(result.extra[field.key]))
            for field in fields
            if result.extra.get(field.key) not in (None, "", [])
        ]
    response = render_project(
        request,
        "grading/study_detail.html",
        project,
        topic_area=topic_area,
        study=study,
        results=results,
        records=study.records.select_related("source"),
        study_form=study_form,
        result_form=result_form,
        can_extract=can_extract,
        dual=dual_extraction_on(project),
    )
    response.status_code = status
    return response


@require_GET
@project_view("grading.view_grading")
def study_detail(request, project, topic_key, study_id):
    topic_area = topic_area_or_404(project, topic_key)
    return _study_page(request, project, topic_area, _study(topic_area, study_id))


@require_POST
@project_view("grading.extract")
def study_edit(request, project, topic_key, study_id):
    topic_area = topic_area_or_404(project, topic_key)
    study = _study(topic_area, study_id)
    form = StudyForm(request.POST, instance=Study.objects.get(pk=study.pk))
    if form.is_valid():
        try:
            services.study_update(
                study=study,
                actor=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                **form.service_fields(),
            )
        except EditConflict:
            form.add_error(None, conflict_message())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Study saved."))
            return redirect(study)
    return _study_page(request, project, topic_area, study, study_form=form, status=400)


@require_POST
@project_view("grading.extract")
def result_create(request, project, topic_key, study_id):
    topic_area = topic_area_or_404(project, topic_key)
    study = _study(topic_area, study_id)
    form = _result_form(project, topic_area, data=request.POST)
    if form.is_valid():
        try:
            services.result_save(study=study, actor=request.user, **form.service_fields())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Result saved; the verdict is being recomputed."))
            return redirect(study)
    return _study_page(request, project, topic_area, study, result_form=form, status=400)


@require_http_methods(["GET", "POST"])
@project_view("grading.extract")
def result_edit(request, project, topic_key, study_id, result_id):
    topic_area = topic_area_or_404(project, topic_key)
    study = _study(topic_area, study_id)
    result = get_object_or_404(Result, study=study, pk=result_id)
    form = _result_form(project, topic_area, data=request.POST or None, instance=result)
    if request.method == "POST" and form.is_valid():
        try:
            services.result_save(
                study=study,
                actor=request.user,
                result=result,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except EditConflict:
            form.add_error(None, conflict_message())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Result saved; the verdict is being recomputed."))
            return redirect(study)
    response = render_project(
        request,
        "grading/result_form.html",
        project,
        topic_area=topic_area,
        study=study,
        result=result,
        form=form,
    )
    response.status_code = 400 if request.method == "POST" else 200
    return response


@require_GET
@project_view("grading.view_grading")
def extraction_form(request, project):
    return _extraction_form_page(request, project, ExtractionFieldForm())


def _extraction_form_page(request, project, form, status=200):
    response = render_project(
        request,
        "grading/extraction_form.html",
        project,
        fields=project.extraction_fields.all(),
        form=form,
        can_manage=request.user.has_perm("grading.manage_extraction_form", project),
        dual=dual_extraction_on(project),
    )
    response.status_code = status
    return response


@require_POST
@project_view("grading.manage_extraction_form")
def extraction_field_create(request, project):
    form = ExtractionFieldForm(request.POST)
    if form.is_valid():
        try:
            services.extraction_field_create(
                project=project, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Field added to the extraction form."))
            return redirect("extraction_form", slug=project.slug)
    return _extraction_form_page(request, project, form, status=400)


@require_POST
@project_view("grading.manage_extraction_form")
def extraction_field_toggle(request, project, field_id):
    field = get_object_or_404(ExtractionField, project=project, pk=field_id)
    services.extraction_field_set_active(field=field, actor=request.user, active=not field.active)
    return redirect("extraction_form", slug=project.slug)
