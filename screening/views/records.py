"""Correcting a record's bibliographic data: the form, and the earlier versions it keeps
(shown on the record's history page)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reviewapp.audit_labels import field_label
from reviewapp.editing import save_form
from reviewapp.views import project_view, render_project, topic_area_or_404
from screening.forms import RecordForm
from screening.models import Record
from screening.services.records import RECORD_EDIT_FIELDS, record_update


def record_or_404(topic_area, record_id) -> Record:
    record = get_object_or_404(
        Record.objects.select_related("source"), topic_area=topic_area, pk=record_id
    )
    record.topic_area = topic_area
    return record


def _shown(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return "" if value is None else str(value)


def record_versions(record: Record) -> list[dict]:
    """The record's earlier versions, newest first, each with the fields the next version
    changed (old and new value): what the history page shows."""
    current = {name: getattr(record, name) for name in RECORD_EDIT_FIELDS}
    shown = []
    for version in record.versions.select_related("replaced_by"):
        changes = [
            {
                "field": field_label(name),
                "old": _shown(version.fields.get(name)),
                "new": _shown(current[name]),
            }
            for name in RECORD_EDIT_FIELDS
            if version.fields.get(name) != current[name]
        ]
        shown.append({"version": version, "changes": changes})
        current = {name: version.fields.get(name) for name in RECORD_EDIT_FIELDS}
    return shown


@require_http_methods(["GET", "POST"])
@project_view("screening.change_record")
def record_edit(request, project, topic_key, record_id):
    topic_area = topic_area_or_404(project, topic_key)
    record = record_or_404(topic_area, record_id)
    # The form validates a copy: a ModelForm writes the data onto its instance.
    form = RecordForm(request.POST or None, instance=Record.objects.get(pk=record.pk))
    return save_form(
        request,
        form,
        save=lambda data: record_update(
            record=record,
            actor=request.user,
            expected_version=data["version"],
            **form.service_fields(),
        ),
        message=_("Record corrected: the earlier version is kept in its history."),
        render=lambda form: render_project(
            request,
            "screening/record_form.html",
            project,
            topic_area=topic_area,
            record=record,
            form=form,
        ),
    )
