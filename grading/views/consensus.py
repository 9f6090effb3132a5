"""Dual extraction pages: the project's switch, a reviewer's own (blind) extraction of a
result, the consensus page, and the topic area's agreement statistics."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grading.forms.consensus import KeyFieldsForm
from grading.models import Consensus, Extraction
from grading.queries import consensus as queries
from grading.rules import can_settle_consensus
from grading.services import consensus as services
from grading.views.common import result_or_404
from reviewapp.editing import save_form
from reviewapp.views import project_view, render_project, topic_area_or_404


@require_POST
@project_view("grading.manage_extraction_form")
def extraction_settings(request, project):
    dual = request.POST.get("dual_extraction") == "on"
    services.extraction_settings_update(project=project, actor=request.user, dual_extraction=dual)
    if dual:
        messages.success(request, _("Dual extraction is on: only results with a consensus count."))
    else:
        messages.success(request, _("Dual extraction is off."))
    return redirect("extraction_form", slug=project.slug)


def _labels(value_by_field: dict) -> dict:
    """Stored codes -> the choices' labels, for showing an extraction."""
    shown = {}
    for name, (_label, choices) in queries.CONSENSUS_FIELDS.items():
        value = value_by_field.get(name, "")
        shown[name] = dict(choices).get(value, value) if choices else value
    return shown


@require_http_methods(["GET", "POST"])
@project_view("grading.extract")
def result_extraction(request, project, topic_key, study_id, result_id):
    """The signed-in reviewer's own extraction of the result; nobody else's is shown."""
    topic_area = topic_area_or_404(project, topic_key)
    result = result_or_404(topic_area, study_id, result_id)
    if request.method == "POST":
        form = KeyFieldsForm(request.POST)
    else:
        mine = Extraction.objects.filter(result=result, reviewer=request.user).first()
        initial = {"version": mine.version if mine else 0, **(mine.values if mine else {})}
        form = KeyFieldsForm(initial=initial)
    return save_form(
        request,
        form,
        save=lambda data: services.extraction_save(
            result=result,
            reviewer=request.user,
            values=form.values(),
            expected_version=data["version"],
        ),
        message=_("Your extraction is saved."),
        then=reverse(
            "result_consensus",
            kwargs={
                "slug": project.slug,
                "topic_key": topic_key,
                "study_id": study_id,
                "result_id": result_id,
            },
        ),
        render=lambda form: render_project(
            request,
            "grading/consensus_extraction.html",
            project,
            topic_area=topic_area,
            study=result.study,
            result=result,
            form=form,
            dual=queries.dual_extraction_on(project),
        ),
    )


@require_http_methods(["GET", "POST"])
@project_view("grading.view_grading")
def result_consensus(request, project, topic_key, study_id, result_id):
    """Both extractions side by side with the differences marked (once both exist), and the
    form for the agreed values (the lead, or one of the two extractors)."""
    topic_area = topic_area_or_404(project, topic_key)
    result = result_or_404(topic_area, study_id, result_id)
    extractions = queries.extractions_of(result)
    consensus = Consensus.objects.filter(result=result).first()
    can_agree = can_settle_consensus(request.user, result)
    if request.method == "POST" and not can_agree:
        raise PermissionDenied
    visible = queries.may_see_extractions(result, extractions)

    def page(form):
        rows = []
        if visible:
            shown_a, shown_b = _labels(extractions[0].values), _labels(extractions[1].values)
            shown_agreed = _labels(consensus.values) if consensus else {}
            for field in queries.compare(extractions, consensus):
                rows.append(
                    {
                        "field": field,
                        "a": shown_a[field.name],
                        "b": shown_b[field.name],
                        "agreed": shown_agreed.get(field.name, ""),
                    }
                )
        return render_project(
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
            has_mine=request.user.pk in {extraction.reviewer_id for extraction in extractions},
            can_extract=request.user.has_perm("grading.extract", project),
        )

    if request.method == "POST" and not visible:
        response = page(None)
        response.status_code = 400
        return response
    if request.method == "POST":
        form = KeyFieldsForm(request.POST)
    elif visible and can_agree:
        agreed = consensus.values if consensus else {}
        # Where the two agree, that value is proposed; where they differ, nothing is.
        compared = queries.compare(extractions, consensus)
        proposed = {f.name: f.value_a for f in compared if not f.differs}
        form = KeyFieldsForm(
            initial={"version": consensus.version if consensus else 0, **proposed, **agreed}
        )
    else:
        form = None
    return save_form(
        request,
        form,
        save=lambda data: services.consensus_record(
            result=result,
            actor=request.user,
            values=form.values(),
            expected_version=data["version"],
        ),
        message=_("Consensus saved; the verdict is being recomputed."),
        then=result.study,
        render=page,
    )


@require_GET
@project_view("grading.view_grading")
def extraction_agreement(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    statistics = queries.extraction_agreement(topic_area)
    labels = {name: label for name, (label, _c) in queries.CONSENSUS_FIELDS.items()}
    return render_project(
        request,
        "grading/consensus_agreement.html",
        project,
        topic_area=topic_area,
        rows=[(labels[name], stats) for name, stats in statistics.items()],
        dual=queries.dual_extraction_on(project),
        work=queries.results_by_extraction_stage(topic_area),
    )
