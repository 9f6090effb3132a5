"""Bulk actions of a lead on a stage's filtered list of records, and their undo."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reviewapp.views import project_view
from screening.forms import BulkActionForm, StageRecordFilterForm
from screening.models import BulkAction
from screening.services import bulk as services
from screening.views.screening import _stage, _stage_records_url


def _list_url(stage, query: str = "") -> str:
    url = _stage_records_url(stage)
    return f"{url}?{query}" if query else url


@require_POST
@project_view("screening.bulk_act")
def bulk_apply(request, project, topic_key, stage_id):
    stage = _stage(project, topic_key, stage_id)
    form = BulkActionForm(request.POST, stage=stage)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect(_list_url(stage))
    query = form.cleaned_data["filters"]
    filters = StageRecordFilterForm(QueryDict(query), stage=stage).filters()
    try:
        bulk = services.bulk_action_apply(
            stage=stage,
            actor=request.user,
            filters=filters,
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
            name=form.cleaned_data["name"],
            assignee=form.cleaned_data["assignee"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        count = len(bulk.rows)
        messages.success(
            request,
            ngettext(
                "%(count)d record changed; undo it below.",
                "%(count)d records changed; undo it below.",
                count,
            )
            % {"count": count},
        )
    return redirect(_list_url(stage, query))


@require_POST
@project_view("screening.bulk_act")
def bulk_undo(request, project, topic_key, stage_id, bulk_id):
    stage = _stage(project, topic_key, stage_id)
    bulk = get_object_or_404(BulkAction, stage=stage, pk=bulk_id)
    try:
        services.bulk_action_undo(bulk=bulk, actor=request.user)
    except services.BulkChanged as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Bulk action undone."))
    return redirect(_list_url(stage, request.POST.get("filters", "")))
