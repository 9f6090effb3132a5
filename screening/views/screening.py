"""Screening pages: stages, the screening page, records and decisions, conflicts, agreement."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviewapp.editing import add_errors, conflict_message
from reviewapp.spreadsheets import SafeDictWriter
from reviewapp.versioning import EditConflict
from reviewapp.views import (
    project_view,
    render_project,
    topic_area_or_404,
)
from screening import agreement, queries, ranking, stopping_evidence
from screening.forms import (
    BulkActionForm,
    DecisionForm,
    ResolutionForm,
    StageForm,
    StageRecordFilterForm,
    StagesSetUpForm,
)
from screening.highlight import INFLECTION_CLASS, highlight
from screening.languages import record_language
from screening.models import Decision, ScreeningItem, Stage
from screening.services import ranking as ranking_services
from screening.services import screening as services
from screening.views.records import labels_context


def _stage(project, topic_key, stage_id, *, reviewer=None) -> Stage:
    """The stage with its topic area, in one query; with `reviewer`, also whether they
    may screen it and whether records are assigned there (`services.stage_has_reviewer`
    and `services.stage_assignments` then answer without a query)."""
    stages = Stage.objects.select_related("topic_area")
    if reviewer is not None:
        stages = stages.annotate(
            **services.stage_reviewer_check(reviewer), **services.stage_assignment_check(reviewer)
        )
    stage = get_object_or_404(
        stages, topic_area__project=project, topic_area__key=topic_key, pk=stage_id
    )
    stage.topic_area.project = project
    return stage


def _stage_item(stage, item_id) -> ScreeningItem:
    item = get_object_or_404(
        ScreeningItem.objects.select_related("record__source"), stage=stage, pk=item_id
    )
    item.stage = stage
    return item


@require_GET
@project_view("reviewapp.view_project")
def screening_overview(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    stages = list(queries.stages_with_progress(topic_area))
    names = queries.reviewer_names(project)
    for stage in stages:
        stage.agreement = queries.agreement_rows([stage], names)
    return render_project(
        request,
        "screening/overview.html",
        project,
        topic_area=topic_area,
        stages=stages,
        setup_form=StagesSetUpForm(),
        can_manage=request.user.has_perm("screening.manage_stages", project),
        can_screen=request.user.has_perm("screening.screen", project),
        can_resolve=request.user.has_perm("screening.resolve_conflicts", project),
    )


@require_POST
@project_view("screening.manage_stages")
def stages_set_up(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    form = StagesSetUpForm(request.POST)
    if form.is_valid():
        try:
            services.stages_set_up(
                topic_area=topic_area, actor=request.user, preset=form.cleaned_data["preset"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Stages set up: screening can start."))
    return redirect("screening_overview", slug=project.slug, topic_key=topic_key)


@require_http_methods(["GET", "POST"])
@project_view("screening.manage_stages")
def stage_edit(request, project, topic_key, stage_id):
    stage = _stage(project, topic_key, stage_id)
    started = services.stage_has_decisions(stage)
    candidates = queries.project_screeners(project.pk)
    form = StageForm(request.POST or None, instance=stage, candidates=candidates, started=started)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        reviewers = data.pop("reviewers")
        try:
            services.stage_update(
                stage=stage,
                actor=request.user,
                expected_version=version,
                reviewer_ids=[user.pk for user in reviewers],
                **data,
            )
        except EditConflict:
            form.add_error(None, conflict_message())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Stage saved."))
            return redirect("screening_overview", slug=project.slug, topic_key=topic_key)
    return render_project(
        request,
        "screening/stage_form.html",
        project,
        topic_area=stage.topic_area,
        stage=stage,
        form=form,
    )


def _highlighted(stage, record) -> dict:
    """The record's title and abstract with the stage's keywords marked, inflections in
    the record's language (its own field, else detected) included."""
    if record is None:
        return {"title_html": "", "abstract_html": "", "record_language": "", "inflections": False}
    language = record_language(record.language, record.title, record.abstract)
    marked = {
        name: highlight(
            getattr(record, name),
            stage.include_keywords,
            stage.exclude_keywords,
            language=language,
            inflection_title=_("a form of the keyword “%(keyword)s”"),
        )
        for name in ("title", "abstract")
    }
    return {
        "title_html": marked["title"],
        "abstract_html": marked["abstract"],
        "record_language": language,
        "inflections": any(INFLECTION_CLASS in text for text in marked.values()),
    }


def _screen_context(request, stage, item, *, form=None, status=200, undecided=False, previous=None):
    """The screening page for one item: the record, the form, progress and history.

    `undecided`: the queue (or an undo) has just handed the item to the reviewer, so
    they have no decision on it, and at a blind stage nothing of the others' shows:
    its decisions are not read. `previous`: the item of the reviewer's latest decision,
    when the caller knows it (it has just been made).
    """
    reviewer = request.user
    mine = None
    others = []
    if item is not None and not undecided:
        decisions = list(item.decisions.select_related("reviewer"))
        mine = next((d for d in decisions if d.reviewer_id == reviewer.pk), None)
        # Blinding: the others' decisions show where `can_see_others_decisions` lets them.
        others = [d for d in queries.decisions_shown(reviewer, item, decisions) if d is not mine]
    if form is None:
        initial = {"value": mine.value, "reason": mine.reason, "note": mine.note} if mine else {}
        form = DecisionForm(stage=stage, initial=initial)
    history = queries.my_decisions(stage, reviewer)
    if mine is not None:
        previous = (
            history.filter(
                Q(decided_at__lt=mine.decided_at) | Q(decided_at=mine.decided_at, id__lt=mine.pk)
            )
            .values_list("item_id", flat=True)
            .first()
        )
        later = (
            history.filter(
                Q(decided_at__gt=mine.decided_at) | Q(decided_at=mine.decided_at, id__gt=mine.pk)
            )
            .order_by("decided_at", "id")
            .values_list("item_id", flat=True)
            .first()
        )
    else:
        if previous is None:
            previous = history.values_list("item_id", flat=True).first()
        later = None
    record = item.record if item else None
    context = {
        "topic_area": stage.topic_area,
        "stage": stage,
        "item": item,
        "record": record,
        "mine": mine,
        "others": others,
        "form": form,
        "previous_item": previous,
        "next_item": later,
        "progress": queries.stage_progress(stage, reviewer),
        **_highlighted(stage, record),
        "show_abstract": stage.kind != Stage.Kind.TITLE,
        "can_correct": request.user.has_perm("screening.change_record", stage.topic_area.project),
        **labels_context(request.user, stage.topic_area.project, record),
        "relevance_band": ranking.relevance_band(item.score)
        if item is not None and stage.queue_order == Stage.Order.PRIORITISED
        else None,
    }
    template = "screening/screen.html"
    if request.htmx:
        template += "#panel"
    response = render_project(request, template, stage.topic_area.project, **context)
    response.status_code = status
    return response


def _may_screen(request, stage) -> None:
    if not services.stage_has_reviewer(stage, request.user):
        raise PermissionDenied(_("You are not a reviewer at this stage."))


@require_GET
@project_view("screening.screen")
def screen(request, project, topic_key, stage_id):
    stage = _stage(project, topic_key, stage_id, reviewer=request.user)
    _may_screen(request, stage)
    item_id = request.GET.get("item")
    if item_id and item_id.isdigit():
        return _screen_context(request, stage, _stage_item(stage, int(item_id)))
    # Opening the page holds nothing for others: the claim comes with the first action.
    item = services.screening_next(stage=stage, reviewer=request.user, claim=False)
    return _screen_context(request, stage, item, undecided=True)


@require_POST
@project_view("screening.screen")
def decide(request, project, topic_key, stage_id, item_id):
    stage = _stage(project, topic_key, stage_id, reviewer=request.user)
    form = DecisionForm(request.POST, stage=stage)
    if form.is_valid():
        data = form.cleaned_data
        try:
            # The service reads the item once, under its lock: not here as well.
            if data["value"] == Decision.Value.MAYBE:
                # Not a decision: onto the reviewer's private pile, at every stage.
                next_item = services.screening_maybe(
                    stage=stage, item_id=item_id, reviewer=request.user, note=data["note"]
                )
            else:
                next_item = services.screening_decide(
                    stage=stage, item_id=item_id, reviewer=request.user, **data
                )
        except ScreeningItem.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            add_errors(form, error)
        except services.ScreeningTaken as error:
            # Decided by others while this reviewer read it (nothing was held for them
            # before they acted): say so, and go on with the next record.
            messages.info(request, str(error))
            next_item = services.screening_next(stage=stage, reviewer=request.user)
            return _screen_context(request, stage, next_item, undecided=True)
        except services.ScreeningClosed as error:
            form.add_error(None, str(error))
        else:
            return _screen_context(request, stage, next_item, undecided=True, previous=item_id)
    item = _stage_item(stage, item_id)
    # htmx swaps 200 responses only: the form comes back with its errors in place.
    return _screen_context(request, stage, item, form=form, status=200 if request.htmx else 400)


@require_POST
@project_view("screening.screen")
def undo(request, project, topic_key, stage_id):
    stage = _stage(project, topic_key, stage_id, reviewer=request.user)
    _may_screen(request, stage)
    try:
        item = services.decision_undo(stage=stage, reviewer=request.user)
    except services.ScreeningClosed as error:
        messages.error(request, str(error))
        item = None
    if item is None:
        item = services.screening_next(stage=stage, reviewer=request.user)
    return _screen_context(request, stage, item, undecided=True)


@require_GET
@project_view("reviewapp.view_project")
def stage_records(request, project, topic_key, stage_id):
    stage = _stage(project, topic_key, stage_id)
    filter_form = StageRecordFilterForm(request.GET, stage=stage)
    filters = filter_form.filters()
    items = queries.stage_items_filtered(stage, viewer=request.user, filters=filters)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    # The decisions read are those the user may see: mark where the others' are hidden.
    queries.items_mark_blinding(request.user, page)
    can_resolve = request.user.has_perm("screening.resolve_conflicts", project)
    return render_project(
        request,
        "screening/stage_records.html",
        project,
        topic_area=stage.topic_area,
        stage=stage,
        page=page,
        filter_form=filter_form,
        filters={"maybe": bool(filters.get("maybe"))},
        can_resolve=can_resolve,
        can_snowball=request.user.has_perm("screening.import_records", project),
        last_stage=not stage.topic_area.stages.filter(position__gt=stage.position).exists(),
        resolution_form=ResolutionForm(stage=stage) if can_resolve else None,
        **_bulk_context(request, stage),
    )


def _bulk_context(request, stage) -> dict:
    """The lead's bulk form over the list as filtered, and the stage's recent bulk actions
    still to undo."""
    if not request.user.has_perm("screening.bulk_act", stage.topic_area.project):
        return {}
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "can_bulk": True,
        "bulk_form": BulkActionForm(initial={"filters": query.urlencode()}, stage=stage),
        "bulk_actions": list(
            stage.bulk_actions.filter(undone_at__isnull=True).select_related(
                "actor", "label", "assignee"
            )[:5]
        ),
    }


@require_POST
@project_view("screening.resolve_conflicts")
def resolve(request, project, topic_key, stage_id, item_id):
    stage = _stage(project, topic_key, stage_id)
    item = _stage_item(stage, item_id)
    form = ResolutionForm(request.POST, stage=stage)
    if form.is_valid():
        try:
            services.conflict_resolve(item=item, actor=request.user, **form.cleaned_data)
        except (ValidationError, services.ScreeningClosed) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Resolved."))
    else:
        messages.error(request, _("Choose include or exclude."))
    return redirect(f"{_stage_records_url(stage)}?status=conflict")


@require_POST
@project_view("screening.resolve_conflicts")
def reopen(request, project, topic_key, stage_id, item_id):
    stage = _stage(project, topic_key, stage_id)
    item = _stage_item(stage, item_id)
    try:
        services.screening_item_reopen(item=item, actor=request.user)
    except services.ScreeningClosed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Reopened: the record can be decided again."))
    return redirect(_stage_records_url(stage))


def _stage_records_url(stage) -> str:
    return reverse(
        "stage_records",
        kwargs={
            "slug": stage.topic_area.project.slug,
            "topic_key": stage.topic_area.key,
            "stage_id": stage.pk,
        },
    )


@require_GET
@project_view("reviewapp.view_project")
def agreement_csv(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    rows = queries.agreement_rows(
        topic_area.stages.order_by("position"), queries.reviewer_names(project)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="agreement-{topic_area.key}.csv"'
    writer = SafeDictWriter(response, fieldnames=agreement.AGREEMENT_CSV_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return response


# ---------------------------------------------------------------------------------------------
# Prioritised screening: the stage's dashboard, the lead's order switch, stopping rule and stop.


# Class attributes are read once, at import: lazy, or they stay in the language of
# whichever request imported the module first.
class QueueOrderForm(forms.Form):
    queue_order = forms.ChoiceField(
        label=gettext_lazy("Queue order"),
        choices=Stage.Order.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class StoppingRuleForm(forms.Form):
    stopping_rule = forms.ChoiceField(
        label=gettext_lazy("Stopping rule"),
        choices=Stage.StoppingRule.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    stopping_threshold = forms.FloatField(
        label=gettext_lazy("Threshold"),
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
        help_text=gettext_lazy(
            "Irrelevant records in a row; the estimated relevant records left to fall below; "
            "the recall target (e.g. 0.95) for the statistical test; or, for the knee method, "
            "how many times slower finds must have become (e.g. 20)."
        ),
    )


def _prioritisation_url(stage) -> str:
    return reverse(
        "stage_prioritisation",
        kwargs={
            "slug": stage.topic_area.project.slug,
            "topic_key": stage.topic_area.key,
            "stage_id": stage.pk,
        },
    )


@require_GET
@project_view("reviewapp.view_project")
def stage_prioritisation(request, project, topic_key, stage_id):
    stage = _stage(project, topic_key, stage_id)
    figures = queries.stage_prioritisation(stage)
    chart_svg = ranking.found_chart_svg(
        figures["in_order"],
        figures["unscreened"],
        x_label=_("Records screened"),
        y_label=_("Relevant records found"),
        random_label=_("Expected in random order"),
    )
    return render_project(
        request,
        "screening/prioritisation.html",
        project,
        topic_area=stage.topic_area,
        stage=stage,
        figures=figures,
        chart_svg=chart_svg,
        latest=ranking_services.latest_ranking(stage),
        last_run=stage.rankings.order_by("-id").first(),
        can_manage=request.user.has_perm("screening.manage_stages", project),
        order_form=QueueOrderForm(initial={"queue_order": stage.queue_order}),
        stopping_form=StoppingRuleForm(
            initial={
                "stopping_rule": stage.stopping_rule,
                "stopping_threshold": stage.stopping_threshold,
            }
        ),
        rule_label=stage.stopping_rule_label(),
        evidence=_stopping_evidence(stage),
    )


def _stopping_evidence(stage) -> list[dict]:
    """The simulated figures of each rule at its suggested thresholds, named in the reader's
    language, the stage's own setting marked."""
    return [
        {
            "label": Stage(
                stopping_rule=item.rule, stopping_threshold=item.threshold
            ).stopping_rule_label(),
            "item": item,
            "keeps_promise": stopping_evidence.keeps_its_promise(item),
            "current": (item.rule, item.threshold)
            == (stage.stopping_rule, stage.stopping_threshold),
        }
        for item in stopping_evidence.EVIDENCE
    ]


@require_POST
@project_view("screening.manage_stages")
def stage_order(request, project, topic_key, stage_id):
    stage = _stage(project, topic_key, stage_id)
    form = QueueOrderForm(request.POST)
    if form.is_valid():
        ranking_services.stage_order_set(
            stage=stage, actor=request.user, order=form.cleaned_data["queue_order"]
        )
        messages.success(request, _("Queue order saved."))
    else:
        messages.error(request, _("Choose random or prioritised order."))
    return redirect(_prioritisation_url(stage))


@require_POST
@project_view("screening.manage_stages")
def stage_stopping(request, project, topic_key, stage_id):
    stage = _stage(project, topic_key, stage_id)
    form = StoppingRuleForm(request.POST)
    if form.is_valid():
        try:
            ranking_services.stage_stopping_set(
                stage=stage,
                actor=request.user,
                rule=form.cleaned_data["stopping_rule"],
                threshold=form.cleaned_data["stopping_threshold"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Stopping rule saved."))
    else:
        messages.error(request, _("Choose a stopping rule and a threshold."))
    return redirect(_prioritisation_url(stage))


@require_POST
@project_view("screening.manage_stages")
def stage_stop(request, project, topic_key, stage_id):
    stage = _stage(project, topic_key, stage_id)
    try:
        if request.POST.get("action") == "resume":
            ranking_services.stage_resume(stage=stage, actor=request.user)
            messages.success(request, _("Screening resumed: the records left are in the queue."))
        else:
            advice = queries.stage_prioritisation(stage)["advice"]
            ranking_services.stage_stop(stage=stage, actor=request.user, advice=advice)
            messages.success(
                request,
                _("Screening stopped: the records left are excluded by the stopping rule."),
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_prioritisation_url(stage))
