"""Snowballing: adding the references of an included record."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from reviewapp.views import project_view, render_project, topic_area_or_404
from screening.forms import SnowballForm
from screening.models import ImportJob, Record
from screening.services.snowballing import record_finally_included, snowball_references_add


@require_http_methods(["GET", "POST"])
@project_view("screening.import_records")
def snowball(request, project, topic_key, record_id):
    topic_area = topic_area_or_404(project, topic_key)
    record = get_object_or_404(
        Record.objects.select_related("source"),
        topic_area=topic_area,
        pk=record_id,
        canonical__isnull=True,
    )
    record.topic_area = topic_area
    form = SnowballForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                job = snowball_references_add(
                    record=record, actor=request.user, **form.service_arguments()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if job.status == ImportJob.Status.NEEDS_MAPPING:
                    return redirect(
                        "import_mapping", slug=project.slug, topic_key=topic_key, job_id=job.pk
                    )
                return redirect(job)
    response = render_project(
        request,
        "screening/snowball.html",
        project,
        topic_area=topic_area,
        record=record,
        form=form,
        included=record_finally_included(record),
        sources=record.snowballed_sources.order_by("created_at"),
    )
    response.status_code = status
    return response
