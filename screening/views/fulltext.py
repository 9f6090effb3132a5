"""Full-text pages: the list of a full-text stage's records, uploads (one PDF or a zip of many),
"not retrievable", removal, and the PDF itself, served inline to project members only."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from reviewapp.views import project_view, render_project, topic_area_or_404
from screening import queries
from screening.models import FullText, ScreeningItem, Stage
from screening.services import fulltext as services


class FullTextUploadForm(forms.Form):
    upload = forms.FileField(label=gettext_lazy("PDF"))


class FullTextZipForm(forms.Form):
    upload = forms.FileField(label=gettext_lazy("Zip archive of PDFs"))


class NotRetrievableForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


def _fulltext_stage(topic_area, stage_id) -> Stage:
    stage = get_object_or_404(Stage, topic_area=topic_area, pk=stage_id, kind=Stage.Kind.FULLTEXT)
    stage.topic_area = topic_area
    return stage


def _stage_item(project, topic_key, stage_id, record_id) -> tuple[Stage, ScreeningItem]:
    """The full-text stage and the record's item there: a record elsewhere in the project is
    not found here."""
    stage = _fulltext_stage(topic_area_or_404(project, topic_key), stage_id)
    return stage, get_object_or_404(
        ScreeningItem.objects.select_related("record__topic_area"),
        stage=stage,
        record_id=record_id,
        record__canonical__isnull=True,
    )


def _list_url(stage, record_id=None) -> str:
    url = reverse(
        "fulltexts",
        kwargs={
            "slug": stage.topic_area.project.slug,
            "topic_key": stage.topic_area.key,
            "stage_id": stage.pk,
        },
    )
    return f"{url}#record-{record_id}" if record_id else url


def _render_list(request, project, stage, *, zip_form=None, report=None, status=200):
    filter_status = request.GET.get("status", "")
    if filter_status not in queries.FULLTEXT_STATUSES:
        filter_status = ""
    items = queries.fulltext_items(stage, status=filter_status)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    response = render_project(
        request,
        "screening/fulltexts.html",
        project,
        topic_area=stage.topic_area,
        stage=stage,
        page=page,
        counts=queries.fulltext_counts(stage),
        filter_status=filter_status,
        can_manage=request.user.has_perm("screening.manage_fulltexts", project),
        zip_form=zip_form or FullTextZipForm(),
        report=report,
        max_bytes=settings.FULLTEXT_MAX_BYTES,
    )
    response.status_code = status
    return response


@require_GET
@project_view("reviewapp.view_project")
def fulltexts(request, project, topic_key, stage_id):
    topic_area = topic_area_or_404(project, topic_key)
    return _render_list(request, project, _fulltext_stage(topic_area, stage_id))


@require_POST
@project_view("screening.manage_fulltexts")
def fulltext_zip(request, project, topic_key, stage_id):
    topic_area = topic_area_or_404(project, topic_key)
    stage = _fulltext_stage(topic_area, stage_id)
    form = FullTextZipForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        try:
            report = services.fulltext_attach_zip(
                topic_area=topic_area,
                stage=stage,
                actor=request.user,
                upload=form.cleaned_data["upload"],
            )
        except ValidationError as error:
            form.add_error("upload", error)
    # The report is the answer to this upload: shown once, not kept.
    return _render_list(
        request, project, stage, zip_form=form, report=report, status=400 if form.errors else 200
    )


@require_POST
@project_view("screening.manage_fulltexts")
def fulltext_upload(request, project, topic_key, stage_id, record_id):
    stage, item = _stage_item(project, topic_key, stage_id, record_id)
    form = FullTextUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a PDF to upload."))
    else:
        try:
            services.fulltext_attach(
                record=item.record, actor=request.user, upload=form.cleaned_data["upload"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(name)s attached.") % {"name": form.cleaned_data["upload"].name},
            )
    return redirect(_list_url(stage, record_id))


@require_POST
@project_view("screening.manage_fulltexts")
def fulltext_not_retrievable(request, project, topic_key, stage_id, record_id):
    stage, item = _stage_item(project, topic_key, stage_id, record_id)
    form = NotRetrievableForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["note"]))
    else:
        try:
            services.fulltext_mark_not_retrievable(
                record=item.record, actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Marked not retrievable."))
    return redirect(_list_url(stage, record_id))


@require_POST
@project_view("screening.manage_fulltexts")
def fulltext_remove(request, project, topic_key, stage_id, record_id):
    stage, item = _stage_item(project, topic_key, stage_id, record_id)
    if services.fulltext_remove(record=item.record, actor=request.user):
        messages.success(request, _("Removed: the record has no full text now."))
    return redirect(_list_url(stage, record_id))


@require_GET
@xframe_options_sameorigin  # shown in an <object> beside the decision form; no other page frames
@project_view("reviewapp.view_project")
def fulltext_pdf(request, project, topic_key, stage_id, record_id):
    stage, item = _stage_item(project, topic_key, stage_id, record_id)
    text = FullText.objects.filter(record=item.record).exclude(file="").first()
    if text is None:
        raise Http404
    response = FileResponse(
        text.file.open("rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=text.original_name or f"record-{item.record_id}.pdf",
    )
    # Stored uploads are checked to start like a PDF, but a browser must never guess otherwise.
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response
