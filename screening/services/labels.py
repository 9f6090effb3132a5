"""Free labels on records (one vocabulary per project): put on, taken off, each audited.

A label is created by the first record it is put on, under the name as typed; a name that
differs only in case is the same label. Labels are not decisions: every member sees them,
at every stage, blind or not.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from reviewapp.audit import audit_record
from screening.models import Label, Record, RecordLabel

LABEL_MAX_LENGTH = Label._meta.get_field("name").max_length


def _tidy(name: str) -> str:
    return " ".join((name or "").split())


def label_named(*, project, name: str) -> Label | None:
    """The project's label of that name, in any case; None if it has none."""
    return (
        Label.objects.filter(project=project)
        .annotate(folded=Lower("name"))
        .filter(folded=_tidy(name).lower())
        .first()
    )


def label_for_name(*, project, name: str) -> Label:
    """The project's label of that name (in any case), created if it has none yet."""
    name = _tidy(name)
    if not name:
        raise ValidationError({"name": _("Name the label.")})
    if len(name) > LABEL_MAX_LENGTH:
        raise ValidationError(
            {"name": _("A label has at most %(n)s characters.") % {"n": LABEL_MAX_LENGTH}}
        )
    existing = label_named(project=project, name=name)
    if existing is not None:
        return existing
    # Two members naming a new label at once: the unique constraint keeps one, the other
    # reads it.
    try:
        with transaction.atomic():
            return Label.objects.create(project=project, name=name)
    except IntegrityError:
        return label_named(project=project, name=name)


def _audit(*, actor, record: Record, action: str, label: Label) -> None:
    audit_record(
        actor=actor,
        project=label.project,
        action=action,
        obj=record,
        before={"label": label.name} if action == "record.label_remove" else None,
        after={"label": label.name} if action == "record.label_add" else None,
    )


@transaction.atomic
def record_label_add(*, record: Record, actor, name: str) -> Label:
    """Put the label named `name` on the record (created in the record's project if new);
    returns it. A label already on the record stays as it was, unaudited."""
    label = label_for_name(project=record.topic_area.project, name=name)
    _link, created = RecordLabel.objects.get_or_create(
        record=record, label=label, defaults={"added_by": actor}
    )
    if created:
        _audit(actor=actor, record=record, action="record.label_add", label=label)
    return label


@transaction.atomic
def record_label_remove(*, record: Record, actor, label: Label) -> None:
    """Take the label off the record (the label stays in the project's vocabulary)."""
    if label.project_id != record.topic_area.project_id:
        raise ValidationError({"label": _("The label belongs to another project.")})
    removed, _by_model = RecordLabel.objects.filter(record=record, label=label).delete()
    if removed:
        _audit(actor=actor, record=record, action="record.label_remove", label=label)
