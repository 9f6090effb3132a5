"""Snowballing: the references of an included record become a source of their own.

They go through the ordinary import, so they are de-duplicated against everything already
in the topic area (a reference that is already there merges into it and is not screened
again) and the new ones join the first stage; the flow diagram counts them in PRISMA's
"other methods" column.
"""

import rispy
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from screening.models import ImportJob, Record, ScreeningItem, Source
from screening.services.imports import import_job_create


def record_finally_included(record: Record) -> bool:
    """Included at the topic area's last stage."""
    last = record.topic_area.stages.order_by("-position").first()
    return (
        last is not None
        and ScreeningItem.objects.filter(
            stage=last, record=record, status=ScreeningItem.Status.INCLUDED
        ).exists()
    )


def reference_ris(
    *, title: str, authors: list[str], year: int | None, journal: str, doi: str
) -> str:
    """One reference typed into the small form, as RIS (so it takes the import's path)."""
    entry = {"type_of_reference": "JOUR", "title": title, "authors": authors}
    if year:
        entry["year"] = str(year)
    if journal:
        entry["secondary_title"] = journal
    if doi:
        entry["doi"] = doi
    return rispy.dumps([entry])


def snowball_references_add(
    *, record: Record, actor, upload=None, text: str = "", reference: dict | None = None
) -> ImportJob:
    """Import the references of an included record: a file, pasted text (any format the
    importer reads) or one reference typed in."""
    if not record_finally_included(record):
        raise ValidationError(
            _("Only a record included at the last stage can have its references added.")
        )
    given = [way for way in (upload, text.strip(), reference) if way]
    if len(given) != 1:
        raise ValidationError(
            _("Upload a file, paste references or type one reference: one of the three.")
        )
    requested_format = "auto"
    if text.strip():
        upload = ContentFile(text.encode("utf-8"), name="pasted-references.txt")
    elif reference:
        upload = ContentFile(reference_ris(**reference).encode("utf-8"), name="reference.ris")
        requested_format = "ris"
    return import_job_create(
        topic_area=record.topic_area,
        actor=actor,
        upload=upload,
        source_name=_("Snowballing: %(record)s") % {"record": record.citation or record.pk},
        source_kind=Source.Kind.SNOWBALLING,
        requested_format=requested_format,
        parent_record=record,
    )
