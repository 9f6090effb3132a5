"""Correcting a record's bibliographic data (the form, and the earlier versions it keeps,
shown on the record's history page), and putting labels on records and taking them off."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.audit_labels import field_label
from reviewapp.editing import save_form
from reviewapp.views import project_view, render_project, topic_area_or_404
from screening.forms import RecordForm
from screening.models import Label, Record, RecordLabel
from screening.services.labels import record_label_add, record_label_remove
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


def labels_context(user, project, record: Record | None) -> dict:
    """What the labels partial needs for one record (None: no record on the page): its
    labels (set as `shown_labels`), the project's vocabulary for the suggestions, whether
    the user may change them. One query: the vocabulary, each marked whether it is on the
    record."""
    if record is None:
        return {}
    on_record = RecordLabel.objects.filter(label=OuterRef("pk"), record=record)
    vocabulary = list(Label.objects.filter(project=project).annotate(on_record=Exists(on_record)))
    record.shown_labels = [label for label in vocabulary if label.on_record]
    return {
        "project_labels": [label.name for label in vocabulary],
        "can_label": user.has_perm("screening.label_records", project),
    }


def _back(request, record) -> str:
    """Where the form came from (the screening page, a stage's list), else the record's
    history."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return record.get_absolute_url()


@require_POST
@project_view("screening.label_records")
def label_add(request, project, topic_key, record_id):
    record = record_or_404(topic_area_or_404(project, topic_key), record_id)
    try:
        label = record_label_add(
            record=record, actor=request.user, name=request.POST.get("name", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Label “%(label)s” added.") % {"label": label.name})
    return redirect(_back(request, record))


@require_POST
@project_view("screening.label_records")
def label_remove(request, project, topic_key, record_id, label_id):
    record = record_or_404(topic_area_or_404(project, topic_key), record_id)
    label = get_object_or_404(Label, project=project, pk=label_id)
    record_label_remove(record=record, actor=request.user, label=label)
    messages.success(request, _("Label “%(label)s” taken off.") % {"label": label.name})
    return redirect(_back(request, record))
