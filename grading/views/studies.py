"""Extraction pages: a topic area's studies, a study and its results, the project's
extraction form."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grading.forms.studies import ExtractionFieldForm, ResultForm, StudyForm
from grading.models import ExtractionField, Result, Study
from grading.queries import studies as queries
from grading.queries.consensus import dual_extraction_on
from grading.services import studies as services
from grading.views.common import bin_message, result_or_404, study_or_404
from reviewapp.editing import save_form
from reviewapp.views import project_view, render_project, topic_area_or_404

RESULT_SAVED = gettext_lazy("Result saved; the verdict is being recomputed.")


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
    return save_form(
        request,
        form,
        save=lambda _data: services.study_create(
            topic_area=topic_area,
            actor=request.user,
            records=[record] if record else [],
            **form.service_fields(),
        ),
        message=_("Study saved. Add its results."),
        render=lambda form: render_project(
            request,
            "grading/study_form.html",
            project,
            topic_area=topic_area,
            form=form,
            record=record,
        ),
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


def _study_page(request, project, topic_area, study, *, study_form=None, result_form=None):
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
    return render_project(
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
        can_delete=request.user.has_perm("grading.delete_study", study),
        dual=dual_extraction_on(project),
    )


def _deletable(request, study) -> None:
    if not request.user.has_perm("grading.delete_study", study):
        raise PermissionDenied


@require_POST
@project_view("grading.view_grading")
def study_delete(request, project, topic_key, study_id):
    topic_area = topic_area_or_404(project, topic_key)
    study = study_or_404(topic_area, study_id)
    _deletable(request, study)
    study = services.study_delete(study=study, actor=request.user)
    bin_message(
        request,
        _(
            "The study %(label)s is in the bin with its results; a lead can restore it "
            "until %(date)s."
        ),
        study,
        label=study.label,
    )
    return redirect("studies", slug=project.slug, topic_key=topic_key)


@require_POST
@project_view("grading.view_grading")
def result_delete(request, project, topic_key, study_id, result_id):
    topic_area = topic_area_or_404(project, topic_key)
    result = result_or_404(topic_area, study_id, result_id)
    _deletable(request, result.study)
    result = services.result_delete(result=result, actor=request.user)
    bin_message(
        request, _("The result is in the bin; a lead can restore it until %(date)s."), result
    )
    return redirect(result.study)


@require_GET
@project_view("grading.view_grading")
def study_detail(request, project, topic_key, study_id):
    topic_area = topic_area_or_404(project, topic_key)
    return _study_page(request, project, topic_area, study_or_404(topic_area, study_id))


@require_POST
@project_view("grading.extract")
def study_edit(request, project, topic_key, study_id):
    topic_area = topic_area_or_404(project, topic_key)
    study = study_or_404(topic_area, study_id)
    form = StudyForm(request.POST, instance=Study.objects.get(pk=study.pk))
    return save_form(
        request,
        form,
        save=lambda data: services.study_update(
            study=study,
            actor=request.user,
            expected_version=data["version"] or 0,
            **form.service_fields(),
        ),
        message=_("Study saved."),
        then=study,
        render=lambda form: _study_page(request, project, topic_area, study, study_form=form),
    )


@require_POST
@project_view("grading.extract")
def result_create(request, project, topic_key, study_id):
    topic_area = topic_area_or_404(project, topic_key)
    study = study_or_404(topic_area, study_id)
    form = _result_form(project, topic_area, data=request.POST)
    return save_form(
        request,
        form,
        save=lambda _data: services.result_save(
            study=study, actor=request.user, **form.service_fields()
        ),
        message=RESULT_SAVED,
        then=study,
        render=lambda form: _study_page(request, project, topic_area, study, result_form=form),
    )


@require_http_methods(["GET", "POST"])
@project_view("grading.extract")
def result_edit(request, project, topic_key, study_id, result_id):
    topic_area = topic_area_or_404(project, topic_key)
    study = study_or_404(topic_area, study_id)
    result = get_object_or_404(Result, study=study, pk=result_id)
    form = _result_form(project, topic_area, data=request.POST or None, instance=result)
    return save_form(
        request,
        form,
        save=lambda data: services.result_save(
            study=study,
            actor=request.user,
            result=result,
            expected_version=data["version"],
            **form.service_fields(),
        ),
        message=RESULT_SAVED,
        then=study,
        render=lambda form: render_project(
            request,
            "grading/result_form.html",
            project,
            topic_area=topic_area,
            study=study,
            result=result,
            form=form,
        ),
    )


@require_GET
@project_view("grading.view_grading")
def extraction_form(request, project):
    return _extraction_form_page(request, project, ExtractionFieldForm())


def _extraction_form_page(request, project, form):
    return render_project(
        request,
        "grading/extraction_form.html",
        project,
        fields=project.extraction_fields.all(),
        form=form,
        can_manage=request.user.has_perm("grading.manage_extraction_form", project),
        dual=dual_extraction_on(project),
    )


@require_POST
@project_view("grading.manage_extraction_form")
def extraction_field_create(request, project):
    return save_form(
        request,
        ExtractionFieldForm(request.POST),
        save=lambda data: services.extraction_field_create(
            project=project, actor=request.user, **data
        ),
        message=_("Field added to the extraction form."),
        then=reverse("extraction_form", kwargs={"slug": project.slug}),
        render=lambda form: _extraction_form_page(request, project, form),
    )


@require_POST
@project_view("grading.manage_extraction_form")
def extraction_field_toggle(request, project, field_id):
    field = get_object_or_404(ExtractionField, project=project, pk=field_id)
    services.extraction_field_set_active(field=field, actor=request.user, active=not field.active)
    return redirect("extraction_form", slug=project.slug)
