"""The one-step conflict page: a lead sees one conflict with both decisions, includes or
excludes it by a key, and the next conflict follows (like the screening page)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reviewapp.editing import add_errors
from reviewapp.views import project_view, render_project
from screening import queries
from screening.forms import ResolutionForm
from screening.services import screening as services
from screening.views.screening import _highlighted, _stage, _stage_item


def _conflict_page(request, stage, item, *, form=None, status=200):
    record = item.record if item else None
    context = {
        "topic_area": stage.topic_area,
        "stage": stage,
        "item": item,
        "record": record,
        # A lead resolves: the lead sees every decision (no blinding for leads).
        "decisions": list(item.decisions.select_related("reviewer")) if item else [],
        "form": form or ResolutionForm(stage=stage),
        "left": queries.conflicts_left(stage),
        "skip_to": queries.next_conflict(stage, after=item) if item else None,
        # The keywords marked as on the screening page, inflections in the record's language.
        **_highlighted(stage, record),
    }
    template = "screening/conflict.html"
    if request.htmx:
        template += "#panel"
    response = render_project(request, template, stage.topic_area.project, **context)
    response.status_code = status
    return response


@require_GET
@project_view("screening.resolve_conflicts")
def conflicts(request, project, topic_key, stage_id):
    stage = _stage(project, topic_key, stage_id)
    after = request.GET.get("after", "")
    current = None
    if after.isdigit():
        current = queries.next_conflict(stage, after=_stage_item(stage, int(after)))
    if current is None:
        current = queries.next_conflict(stage)
    return _conflict_page(request, stage, current)


@require_POST
@project_view("screening.resolve_conflicts")
def conflict_resolve(request, project, topic_key, stage_id, item_id):
    stage = _stage(project, topic_key, stage_id)
    item = _stage_item(stage, item_id)
    form = ResolutionForm(request.POST, stage=stage)
    if form.is_valid():
        try:
            services.conflict_resolve(item=item, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        except services.ScreeningClosed as error:
            form.add_error(None, str(error))
        else:
            if not request.htmx:
                messages.success(request, _("Resolved."))
                return redirect(_conflicts_url(stage))
            return _conflict_page(request, stage, queries.next_conflict(stage))
    # htmx swaps 200 responses only: the form comes back with its errors in place.
    return _conflict_page(request, stage, item, form=form, status=200 if request.htmx else 400)


def _conflicts_url(stage) -> str:
    return reverse(
        "conflicts",
        kwargs={
            "slug": stage.topic_area.project.slug,
            "topic_key": stage.topic_area.key,
            "stage_id": stage.pk,
        },
    )
