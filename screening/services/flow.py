"""Counts of the flow diagram entered by hand, for work done outside the application."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reviewapp.audit import audit_record
from reviewapp.models import TopicArea
from reviewapp.versioning import check_version
from screening import flow


@transaction.atomic
def flow_reported_update(
    *, topic_area: TopicArea, actor, counts: dict[str, int | None], expected_version: int
) -> TopicArea:
    """Replace the reported counts (None or a missing key: count it from the records)."""
    locked = TopicArea.objects.select_for_update().get(pk=topic_area.pk)
    check_version(locked, expected_version)
    allowed = set(flow.reported_keys(locked.stages.exclude(kind="fulltext").count()))
    unknown = sorted(set(counts) - allowed)
    if unknown:
        raise ValidationError(_("Unknown flow boxes: %(keys)s") % {"keys": ", ".join(unknown)})
    cleaned = {}
    for key, value in counts.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError({key: _("A count is a whole number, 0 or more.")})
        cleaned[key] = value
    before = locked.reported_flow
    locked.reported_flow = cleaned
    locked.version += 1
    locked.save(update_fields=["reported_flow", "version"])
    audit_record(
        actor=actor,
        project=locked.project,
        action="flow.reported",
        obj=locked,
        before=before,
        after=cleaned,
    )
    return locked
