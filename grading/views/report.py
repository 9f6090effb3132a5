"""The report page, its exports and the lead's report settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grading.forms.report import ExportForm, ReportSettingsForm
from grading.report.labels import pick
from grading.services import report as services
from grading.views.common import comment_threads, report_url
from reviewapp.editing import conflict_message
from reviewapp.versioning import EditConflict
from reviewapp.views import page_language, project_view, render_project
from screening.queries import topic_area_flow_figure


def _language(request) -> str:
    wanted = request.GET.get("language", "")
    return wanted if wanted in ("da", "en") else page_language()


def _box(threads, anchor: str, options: list[tuple[str, int, str]]) -> dict:
    """What a row's comment control shows: its threads and what one can comment on."""
    found = [thread for kind, pk, _label in options for thread in threads.get((kind, pk), [])]
    return {"anchor": anchor, "options": options, "threads": found}


def _table_view(table: dict, threads, studies: dict[int, str]) -> dict:
    rows = []
    for cells, kind, target in zip(
        table["rows"], table["row_kinds"], table["targets"], strict=True
    ):
        box = None
        if target and target[0] == "category":
            box = _box(
                threads, f"category-{target[1]}", [("category", target[1], _("the category"))]
            )
        elif target and target[0] == "result":
            box = _box(
                threads,
                f"result-{target[1]}",
                [
                    ("result", target[1], _("this result")),
                    ("study", target[2], studies.get(target[2], _("the study"))),
                ],
            )
        rows.append({"cells": cells, "kind": kind, "box": box})
    return {**table, "view_rows": rows}


@require_GET
@project_view("grading.view_report")
def report(request, project):
    language = _language(request)
    services.report_tables_refresh(project=project)
    threads = comment_threads(project, request.user)
    can_change = request.user.has_perm("grading.change_report", project)
    topics = []
    for entry in services.report_tables_for(project):
        topic_area = entry["topic_area"]
        stored = entry["tables"][language]
        studies = dict(topic_area.studies.values_list("pk", "label"))
        figure = topic_area_flow_figure(topic_area, language) if topic_area.stages.exists() else {}
        settings_form = None
        if can_change:
            current = services.report_settings_get(topic_area)
            categories = list(topic_area.categories.all())
            settings_form = ReportSettingsForm(
                categories=categories,
                initial={
                    "topic": topic_area.key,
                    "version": current.version,
                    "moderate_high_counts_as": current.moderate_high_counts_as,
                    "low_moderate_counts_as": current.low_moderate_counts_as,
                    **{f"statement_{key}": text for key, text in current.statements.items()},
                },
                prefix=f"settings-{topic_area.key}",
            )
        verdicts = []
        for verdict in stored["verdicts"]:
            options = [("category", verdict["category_id"], _("the category"))]
            if verdict["verdict_id"]:
                options.insert(0, ("verdict", verdict["verdict_id"], _("the verdict")))
            anchor = f"verdict-{verdict['verdict_id'] or verdict['category_id']}"
            verdicts.append({**verdict, "box": _box(threads, anchor, options)})
        topics.append(
            {
                "topic_area": topic_area,
                "computed_at": entry["computed_at"],
                "stale": entry["stale"],
                "tables": [_table_view(t, threads, studies) for t in stored["tables"]],
                "verdicts": verdicts,
                "problems": [pick(tuple(p["message"]), language) for p in entry["problems"]],
                "flow_svg": figure.get("flow_svg", ""),
                "flow_box": _box(
                    threads,
                    f"flow-{topic_area.pk}",
                    [("flow", topic_area.pk, _("the flow diagram"))],
                ),
                "settings_form": settings_form,
            }
        )
    with translation.override(language):
        return render_project(
            request,
            "grading/report.html",
            project,
            topics=topics,
            language=language,
            can_export=request.user.has_perm("grading.export_report", project),
            can_comment=request.user.has_perm("grading.comment", project),
            can_resolve=request.user.has_perm("grading.resolve_comment", project),
            can_change=can_change,
            export_form=ExportForm(initial={"language": language}),
        )


@require_GET
@project_view("grading.export_report")
def report_export(request, project):
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            _("Choose a format: %s.") % ", ".join(services.EXPORT_FORMATS),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    language = form.cleaned_data["language"] or page_language()
    content, filename, content_type = services.report_export(
        project, form.cleaned_data["format"], language
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@project_view("grading.change_report")
def report_settings(request, project):
    topic_area = project.topic_areas.filter(key=request.POST.get("topic", "")).first()
    if topic_area is None:
        return HttpResponse(
            _("No such topic area."), status=400, content_type="text/plain; charset=utf-8"
        )
    topic_area.project = project
    prefix = f"settings-{topic_area.key}"
    form = ReportSettingsForm(
        request.POST, categories=list(topic_area.categories.all()), prefix=prefix
    )
    if form.is_valid():
        try:
            services.report_settings_update(
                topic_area=topic_area,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                moderate_high_counts_as=form.cleaned_data["moderate_high_counts_as"],
                low_moderate_counts_as=form.cleaned_data["low_moderate_counts_as"],
                statements=form.statements(),
            )
        except EditConflict:
            messages.error(request, conflict_message())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Report settings saved; the tables are updated."))
        return redirect(report_url(project, f"topic-{topic_area.key}"))
    messages.error(request, _("The report settings were not saved: check the form."))
    return HttpResponse(
        " ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()),
        status=400,
        content_type="text/plain; charset=utf-8",
    )
