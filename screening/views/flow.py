"""The PRISMA 2020 flow diagram of a topic area: page, SVG, PRISMA2020 CSV, reported counts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reviewapp.editing import conflict_message
from reviewapp.spreadsheets import SafeDictWriter
from reviewapp.versioning import EditConflict
from reviewapp.views import (
    page_language,
    project_view,
    render_project,
    topic_area_or_404,
)
from screening import flow, queries
from screening.forms import ReportedFlowForm
from screening.services.flow import flow_reported_update


def flow_figure(topic_area) -> dict:
    return queries.topic_area_flow_figure(topic_area, page_language())


def _flow_page(request, project, topic_area, form=None, status=200):
    if form is None and request.user.has_perm("screening.report_flow", project):
        form = ReportedFlowForm(
            initial={**topic_area.reported_flow, "version": topic_area.version},
            stages=list(topic_area.stages.order_by("position")),
        )
    response = render_project(
        request,
        "screening/flow.html",
        project,
        topic_area=topic_area,
        form=form,
        **flow_figure(topic_area),
    )
    response.status_code = status
    return response


@require_GET
@project_view("reviewapp.view_project")
def flow_page(request, project, topic_key):
    return _flow_page(request, project, topic_area_or_404(project, topic_key))


@require_POST
@project_view("screening.report_flow")
def flow_reported(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    form = ReportedFlowForm(request.POST, stages=list(topic_area.stages.order_by("position")))
    if form.is_valid():
        try:
            flow_reported_update(
                topic_area=topic_area,
                actor=request.user,
                counts=form.counts(),
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict:
            form.add_error(None, conflict_message())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Reported counts saved."))
            return redirect("flow", slug=project.slug, topic_key=topic_key)
    return _flow_page(request, project, topic_area, form=form, status=400)


@require_GET
@project_view("reviewapp.view_project")
def flow_svg(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    response = HttpResponse(flow_figure(topic_area)["flow_svg"], content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="prisma-{topic_area.key}.svg"'
    return response


@require_GET
@project_view("reviewapp.view_project")
def flow_csv(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    counts, _undecided = queries.topic_area_flow(topic_area, page_language())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="prisma-{topic_area.key}.csv"'
    writer = SafeDictWriter(response, fieldnames=flow.PRISMA_CSV_FIELDS)
    writer.writeheader()
    writer.writerows(flow.flow_prisma_csv(counts))
    return response
