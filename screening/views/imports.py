"""Import pages: upload, progress, column mapping, records and the duplicate review list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviewapp.views import project_view, render_project, topic_area_or_404
from screening import queries
from screening.forms import (
    CsvMappingForm,
    ImportForm,
)
from screening.models import DuplicatePair, ImportJob, Record, Source
from screening.parsers import ParseError, csv_columns, csv_guess_mapping
from screening.services import duplicates as duplicate_services
from screening.services.bin import source_delete, source_restore
from screening.services.imports import (
    ImportNotWaiting,
    import_job_confirm,
    import_job_create,
    import_job_discard,
    import_job_set_mapping,
    import_progress,
)


@require_http_methods(["GET", "POST"])
@project_view("screening.import_records")
def import_create(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(topic_area=topic_area, actor=request.user, **form.cleaned_data)
        if job.status == ImportJob.Status.NEEDS_MAPPING:
            return redirect("import_mapping", slug=project.slug, topic_key=topic_key, job_id=job.pk)
        return redirect(job)
    return render_project(
        request,
        "screening/import_form.html",
        project,
        topic_area=topic_area,
        form=form,
        imports=queries.recent_imports(topic_area),
    )


def _job(topic_area, job_id) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects.select_related("source", "created_by"), topic_area=topic_area, pk=job_id
    )


@require_GET
@project_view("reviewapp.view_project")
def import_job(request, project, topic_key, job_id):
    topic_area = topic_area_or_404(project, topic_key)
    job = _job(topic_area, job_id)
    template = "screening/import_job.html"
    if request.htmx:
        template += "#status"
    return render_project(
        request,
        template,
        project,
        topic_area=topic_area,
        job=job,
        progress=import_progress(job),
        can_settle=request.user.has_perm("screening.settle_import", job),
        can_remove=job.source is not None
        and request.user.has_perm("screening.remove_import", job.source),
    )


def _settle(request, project, topic_key, job_id, service, done_message):
    topic_area = topic_area_or_404(project, topic_key)
    job = _job(topic_area, job_id)
    if not request.user.has_perm("screening.settle_import", job):
        raise PermissionDenied
    try:
        job = service(job=job, actor=request.user)
    except ImportNotWaiting as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done_message)
    return redirect(job)


@require_POST
@project_view("screening.import_records")
def import_confirm(request, project, topic_key, job_id):
    return _settle(
        request,
        project,
        topic_key,
        job_id,
        import_job_confirm,
        _("Repairs accepted: the file is being imported."),
    )


@require_POST
@project_view("screening.import_records")
def import_discard(request, project, topic_key, job_id):
    return _settle(
        request,
        project,
        topic_key,
        job_id,
        import_job_discard,
        _("Import discarded: nothing from the file was kept."),
    )


@require_http_methods(["GET", "POST"])
@project_view("screening.import_records")
def import_mapping(request, project, topic_key, job_id):
    topic_area = topic_area_or_404(project, topic_key)
    job = _job(topic_area, job_id)
    if job.status != ImportJob.Status.NEEDS_MAPPING:
        return redirect(job)
    try:
        columns = csv_columns(job.upload.path)
    except ParseError as error:
        messages.error(request, str(error))
        return redirect(job)
    form = CsvMappingForm(
        request.POST or None, columns=columns, initial_mapping=csv_guess_mapping(columns)
    )
    if request.method == "POST" and form.is_valid():
        job = import_job_set_mapping(job=job, mapping=form.mapping())
        return redirect(job)
    return render_project(
        request,
        "screening/import_mapping.html",
        project,
        topic_area=topic_area,
        job=job,
        form=form,
        columns=columns,
    )


@require_GET
@project_view("reviewapp.view_project")
def duplicates(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    pairs = Paginator(queries.pending_pairs(topic_area), 20).get_page(request.GET.get("page"))
    merged = Paginator(queries.merged_records(topic_area), 50).get_page(request.GET.get("merged"))
    return render_project(
        request,
        "screening/duplicates.html",
        project,
        topic_area=topic_area,
        pairs=pairs,
        merged=merged,
        can_resolve=request.user.has_perm("screening.resolve_duplicates", project),
    )


def _pair(topic_area, pair_id) -> DuplicatePair:
    return get_object_or_404(DuplicatePair, topic_area=topic_area, pk=pair_id)


@require_POST
@project_view("screening.resolve_duplicates")
def duplicate_confirm(request, project, topic_key, pair_id):
    topic_area = topic_area_or_404(project, topic_key)
    duplicate_services.duplicate_pair_confirm(pair=_pair(topic_area, pair_id), actor=request.user)
    messages.success(request, _("Merged: the two records are now one."))
    return redirect("duplicates", slug=project.slug, topic_key=topic_key)


@require_POST
@project_view("screening.resolve_duplicates")
def duplicate_reject(request, project, topic_key, pair_id):
    topic_area = topic_area_or_404(project, topic_key)
    duplicate_services.duplicate_pair_reject(pair=_pair(topic_area, pair_id), actor=request.user)
    messages.success(request, _("Kept apart: the two records stay separate."))
    return redirect("duplicates", slug=project.slug, topic_key=topic_key)


@require_POST
@project_view("screening.resolve_duplicates")
def record_unmerge(request, project, topic_key, record_id):
    topic_area = topic_area_or_404(project, topic_key)
    record = get_object_or_404(Record, topic_area=topic_area, pk=record_id)
    try:
        duplicate_services.record_unmerge(record=record, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Merge undone: the record is separate again."))
    return redirect("duplicates", slug=project.slug, topic_key=topic_key)


@require_GET
@project_view("reviewapp.view_project")
def records(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    queryset = topic_area.records.select_related("source").order_by("id")
    source_id = request.GET.get("source", "")
    if source_id.isdigit():
        queryset = queryset.filter(source_id=int(source_id))
    show = request.GET.get("show", "unique")
    if show == "unique":
        queryset = queryset.filter(canonical__isnull=True)
    elif show == "duplicates":
        queryset = queryset.filter(canonical__isnull=False)
    elif show == "missing_title":
        queryset = queryset.filter(title="")
    search = request.GET.get("q", "").strip()
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(abstract__icontains=search))
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render_project(
        request,
        "screening/records.html",
        project,
        topic_area=topic_area,
        page=page,
        sources=topic_area.sources.all(),
        filters={"source": source_id, "show": show, "q": search},
    )


def _source_in_bin_or_not(request, project, topic_key, source_id, *, restore: bool):
    """Remove or restore an import (`screening.remove_import`), then back to its page."""
    topic_area = topic_area_or_404(project, topic_key)
    source = get_object_or_404(Source.all_objects, topic_area=topic_area, pk=source_id)
    source.topic_area = topic_area
    if not request.user.has_perm("screening.remove_import", source):
        raise PermissionDenied
    if restore:
        source = source_restore(source=source, actor=request.user)
        message = _("The import %(name)s is restored, with its records and decisions.")
    else:
        source = source_delete(source=source, actor=request.user)
        message = _(
            "The import %(name)s is in the bin: its records left every queue, count and "
            "duplicate list. A lead can restore it until %(date)s."
        )
    purge_at = source.purge_at
    date = date_format(purge_at, "SHORT_DATE_FORMAT") if purge_at else ""
    messages.success(request, message % {"name": source.name, "date": date})
    return redirect(ImportJob.objects.filter(source=source).first() or topic_area)


@require_POST
@project_view("reviewapp.view_project")
def source_remove(request, project, topic_key, source_id):
    return _source_in_bin_or_not(request, project, topic_key, source_id, restore=False)


@require_POST
@project_view("reviewapp.view_project")
def source_undelete(request, project, topic_key, source_id):
    return _source_in_bin_or_not(request, project, topic_key, source_id, restore=True)
