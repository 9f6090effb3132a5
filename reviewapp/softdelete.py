"""Soft deletion: a row in the bin is hidden, kept for SOFT_DELETE_DAYS, then purged.

A soft-deletable model inherits `SoftDeleteModel` (and its `Meta`): `deleted_at` and
`deleted_by` say who put it in the bin and when; `objects` sees the live rows only and
`all_objects` every row.

Why the managers are declared this way:

- `objects` comes first, so it is the default manager: every `Model.objects` query and every
  reverse related manager (`topic_area.sources`, which Django builds from the default
  manager's class) hides the bin without each caller remembering to.
- `base_manager_name = "all_objects"`: forward relations (`record.source`) and the deletion
  collector go through the base manager, so a live row still reaches a parent in the bin,
  and a hard delete of a parent (a topic area) cascades to its children in the bin too.
- Machinery that must see every row whatever its state (the archive, erasure of personal
  data) reads `_base_manager`, never `_default_manager`.

Which service sets the fields is said on each model (`<entity>_delete`, `<entity>_restore`);
`deleted_purge` (reviewapp.services) hard-deletes what has been in the bin too long.
"""

from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SoftDeleteQuerySet(models.QuerySet):
    def live(self) -> "SoftDeleteQuerySet":
        return self.filter(deleted_at__isnull=True)

    def in_bin(self) -> "SoftDeleteQuerySet":
        return self.filter(deleted_at__isnull=False)


class LiveManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    """Rows not in the bin."""

    def get_queryset(self) -> SoftDeleteQuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    """Every row, in the bin or not."""


class SoftDeleteModel(models.Model):
    """Mixin for a model whose rows go to the bin before they are deleted.

    A subclass names `project_path`, the lookup from the model to its project (the bin page
    lists a project's rows through it, the purge audits against it). Do not set the fields
    directly; see the entity's `_delete` and `_restore` services.
    """

    project_path: str = ""
    # False for rows that go to the bin only with a parent (an import's records): the bin
    # page lists the parent, the purge deletes the parent and the cascade takes them.
    bin_entry: bool = True

    deleted_at = models.DateTimeField(
        _("deleted"), null=True, blank=True, editable=False, db_index=True
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("deleted by"),
    )

    objects = LiveManager()
    all_objects = AllManager()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def in_bin(self) -> bool:
        return self.deleted_at is not None

    @property
    def purge_at(self) -> datetime | None:
        """When `deleted_purge` will delete the row for good (None while it is live)."""
        if self.deleted_at is None:
            return None
        return self.deleted_at + timedelta(days=settings.SOFT_DELETE_DAYS)


def soft_delete_models(*, entries_only: bool = False) -> list[type[SoftDeleteModel]]:
    """Every installed concrete soft-deletable model, in app and model order; with
    `entries_only`, those whose rows are put in the bin on their own (`bin_entry`)."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, SoftDeleteModel)
        and not model._meta.abstract
        and (model.bin_entry or not entries_only)
    ]


def purge_cutoff(now: datetime | None = None) -> datetime:
    """Rows put in the bin before this moment are due for purging."""
    return (now or timezone.now()) - timedelta(days=settings.SOFT_DELETE_DAYS)


def bin_project(obj: SoftDeleteModel):
    """The project a row belongs to, followed along its `project_path` (bin rows included)."""
    target = obj
    if not obj.project_path:
        return target  # the project itself
    for name in obj.project_path.split("__"):
        target = getattr(target, name)
    return target


def mark_deleted(obj: SoftDeleteModel, *, by, at: datetime | None = None) -> None:
    """Put one row in the bin (for services; they audit and recompute around it)."""
    obj.deleted_at = at or timezone.now()
    obj.deleted_by = by if by is not None and by.is_authenticated else None
    type(obj).all_objects.filter(pk=obj.pk).update(
        deleted_at=obj.deleted_at, deleted_by=obj.deleted_by
    )


def mark_restored(obj: SoftDeleteModel) -> None:
    """Take one row out of the bin (for services)."""
    obj.deleted_at = None
    obj.deleted_by = None
    type(obj).all_objects.filter(pk=obj.pk).update(deleted_at=None, deleted_by=None)
