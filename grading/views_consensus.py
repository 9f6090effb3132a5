"""Dual extraction pages: the project's switch, a reviewer's own (blind) extraction of a
result, the consensus page, and the topic area's agreement statistics."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grading import queries, services_consensus
from grading.forms import KeyFieldsForm
from grading.models import Consensus, Extraction, Result
from reviewapp.versioning import EditConflict
from reviewapp.views import (
    add_errors,
    conflict_message,
    project_view,
    render_project,
    topic_area_or_404,
)


@require_POST
@project_view("grading.manage_extraction_form")
def extraction_settings(request, project):
    dual = request.POST.get("dual_extraction") == "on"
    services_consensus.extraction_settings_update(
        project=project, actor=request.user, dual_extraction=dual
    )
    if dual:
        messages.success(request, _("Dual extraction is on: only results with a consensus count."))
    else:
        messages.success(request, _("Dual extraction is off."))
    return redirect("extraction_form", slug=project.slug)


def _result(topic_area, study_id, result_id) -> Result:
    result = get_object_or_404(
        Result.objects.select_related("study", "category"),
        study__topic_area=topic_area,
        study_id=study_id,
        pk=result_id,
    )
    result.study.topic_area = topic_area
    return result


def _labels(value_by_field: dict) -> dict:
    """Stored codes -> the choices' labels, for showing an extraction."""
    shown = {}
    for name, (_label, choices) in services_consensus.CONSENSUS_FIELDS.items():
        value = value_by_field.get(name, "")
        shown[name] = dict(choices).get(value, value) if choices else value
    return shown


@require_http_methods(["GET", "POST"])
@project_view("grading.extract")
def result_extraction(request, project, topic_key, study_id, result_id):
    """The signed-in reviewer's own extraction of the result; nobody else's is shown."""
    topic_area = topic_area_or_404(project, topic_key)
    result = _result(topic_area, study_id, result_id)
    mine = Extraction.objects.filter(result=result, reviewer=request.user).first()
    status = 200
    if request.method == "POST":
        form = KeyFieldsForm(request.POST)
        if form.is_valid():
            try:
                services_consensus.extraction_save(
                    result=result,
                    reviewer=request.user,
                    values=form.values(),
                    expected_version=form.cleaned_data["version"],
                )
            except EditConflict:
                form.add_error(None, conflict_message())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Your extraction is saved."))
                return redirect(
                    "result_consensus",
                    slug=project.slug,
                    topic_key=topic_key,
                    study_id=study_id,
                    result_id=result_id,
                )
        status = 400
    else:
        initial = {"version": mine.version if mine else 0, **(mine.values if mine else {})}
        form = KeyFieldsForm(initial=initial)
    response = render_project(
        request,
        "grading/consensus_extraction.html",
        project,
        topic_area=topic_area,
        study=result.study,
        result=result,
        form=form,
        dual=services_consensus.dual_extraction_on(project),
    )
    response.status_code = status
    return response


@require_http_methods(["GET", "POST"])
@project_view("grading.view_grading")
def result_consensus(request, project, topic_key, study_id, result_id):
    """Both extractions side by side with the differences marked (once both exist), and the
    form for the agreed values (the lead, or one of the two extractors)."""
    topic_area = topic_area_or_404(project, topic_key)
    result = _result(topic_area, study_id, result_id)
    extractions = services_consensus.extractions_of(result)
    consensus = Consensus.objects.filter(result=result).first()
    extractors = {extraction.reviewer_id for extraction in extractions}
    can_agree = request.user.has_perm("grading.set_final_verdict", project) or (
        request.user.pk in extractors and request.user.has_perm("grading.extract", project)
    )
    if request.method == "POST" and not can_agree:
        raise PermissionDenied
    visible = services_consensus.may_see_extractions(result, extractions)
    status = 200
    form = None
    if visible and request.method == "POST":
        form = KeyFieldsForm(request.POST)
        if form.is_valid():
            try:
                services_consensus.consensus_record(
                    result=result,
                    actor=request.user,
                    values=form.values(),
                    expected_version=form.cleaned_data["version"],
                )
            except EditConflict:
                form.add_error(None, conflict_message())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Consensus saved; the verdict is being recomputed."))
                return redirect(result.study)
        status = 400
    elif request.method == "POST":
        status = 400
    elif visible and can_agree:
        agreed = consensus.values if consensus else {}
        # Where the two agree, that value is proposed; where they differ, nothing is.
        compared = services_consensus.compare(extractions, consensus)
        proposed = {f.name: f.value_a for f in compared if not f.differs}
        form = KeyFieldsForm(
            initial={"version": consensus.version if consensus else 0, **proposed, **agreed}
        )
    rows = []
    if visible:
        shown_a, shown_b = _labels(extractions[0].values), _labels(extractions[1].values)
        shown_agreed = _labels(consensus.values) if consensus else {}
        for field in services_consensus.compare(extractions, consensus):
            rows.append(
                {
                    "field": field,
                    "a": shown_a[field.name],
                    "b": shown_b[field.name],
                    "agreed": shown_agreed.get(field.name, ""),
                }
            )
    response = render_project(
        request,
        "grading/consensus.html",
        project,
        topic_area=topic_area,
        study=result.study,
        result=result,
        extractions=extractions,
        count=len(extractions),
        visible=visible,
        rows=rows,
        consensus=consensus,
        form=form if can_agree else None,
        has_mine=request.user.pk in extractors,
        can_extract=request.user.has_perm("grading.extract", project),
    )
    response.status_code = status
    return response


@require_GET
@project_view("grading.view_grading")
def extraction_agreement(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    statistics = services_consensus.extraction_agreement(topic_area)
    labels = {name: label for name, (label, _c) in services_consensus.CONSENSUS_FIELDS.items()}
    return render_project(
        request,
        "grading/consensus_agreement.html",
        project,
        topic_area=topic_area,
        rows=[(labels[name], stats) for name, stats in statistics.items()],
        dual=services_consensus.dual_extraction_on(project),
        work=queries.results_by_extraction_stage(topic_area),
    )
