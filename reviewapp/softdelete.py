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

from collections.abc import Callable
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
    # The relations whose row may be in the bin with this one (a result's study or
    # category): while one is, the bin lists the parent only, and the parent's restore
    # brings this row back.
    bin_parent: tuple[str, ...] = ()

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


# The services that take a row out of the bin, as each app registers them for its models
# (`restore(<argument>=row, actor=user)`, the argument the model's name unless given): the
# bin page is in the base app, which knows neither the apps' models nor their services.
_restorers: dict[str, tuple[Callable, str]] = {}
# Where the API restores a row of each model (`api_restore(row)`: the URL's path), as the
# apps register them with their services: the bin's API lists it beside each row.
_api_restorers: dict[str, Callable[[SoftDeleteModel], str]] = {}


def register_restore(
    model: type[SoftDeleteModel],
    service: Callable,
    *,
    argument: str = "",
    api_restore: Callable[[SoftDeleteModel], str] | None = None,
) -> None:
    _restorers[model._meta.label_lower] = (service, argument or model._meta.model_name)
    if api_restore is not None:
        _api_restorers[model._meta.label_lower] = api_restore


def topic_area_kwargs(topic_area) -> dict[str, str]:
    """The URL arguments that name a topic area under its project (for `api_restore`)."""
    return {"project_slug": topic_area.project.slug, "topic_key": topic_area.key}


def bin_api_restore_path(obj: SoftDeleteModel) -> str | None:
    """The API's path that restores the row (POST, no body), or None where it has none."""
    api_restore = _api_restorers.get(obj._meta.label_lower)
    return api_restore(obj) if api_restore is not None else None


def bin_model(label: str) -> type[SoftDeleteModel] | None:
    """The soft-deletable model of that label whose rows the bin page lists and restores."""
    for model in soft_delete_models(entries_only=True):
        if model._meta.label_lower == label and label in _restorers:
            return model
    return None


def bin_restore(*, obj: SoftDeleteModel, actor) -> SoftDeleteModel:
    service, argument = _restorers[obj._meta.label_lower]
    return service(**{argument: obj, "actor": actor})


def bin_rows(project) -> list[SoftDeleteModel]:
    """What is in the project's bin, newest first: one query per model, and rows that went
    in with a parent (a study's results) left to the parent."""
    rows = []
    for model in soft_delete_models(entries_only=True):
        if model._meta.label_lower not in _restorers or not model.project_path:
            continue  # a project in the bin is listed to its leads on the home page
        found = model.all_objects.in_bin().filter(**{model.project_path: project})
        # With the path to the project: the API's restore URLs name the topic area.
        found = found.select_related("deleted_by", model.project_path, *model.bin_parent)
        for row in found:
            parents = (getattr(row, name) for name in model.bin_parent)
            if any(
                parent is not None and parent.deleted_at == row.deleted_at for parent in parents
            ):
                continue
            rows.append(row)
    return sorted(rows, key=lambda row: row.deleted_at, reverse=True)
