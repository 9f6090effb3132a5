"""A whole project as one JSON document, and back: `export_project` and `import_project`.

The format (FORMAT, VERSION) does not depend on database ids: every object gets an
archive-local id, its rank by primary key among its model's objects in the project, and
references between objects use those ids; users are referred to by username. Exporting,
importing and exporting again therefore gives the same document (bar the slug, when the
copy was imported under another one, and the names of copied files).

What is archived is explicit and ordered: each app declares its slice (its models in
import order, the models it leaves out and why, its id-bearing fields and audit values) in
its own `archiving` module, and the engine here collects them in INSTALLED_APPS order. A
model that belongs to a project is either archived or left out with a reason
(tests/reviewapp/test_archive.py fails otherwise). The order is the import order: an
object's references to earlier models are set as it is created, references to its own or
later models (a record's canonical record, a snowballed source's parent record) once
every object exists.

Files (uploaded import files, full-text PDFs) are carried as references (the stored name;
full texts also keep their size and sha256), not their bytes. An import copies each file it
finds under that name in this installation's storage, so a copy beside the original never
shares (and so never deletes) the original's files, and reports the files it did not find.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils.module_loading import autodiscover_modules

from reviewapp.models import Project

FORMAT = "reviewapp-project"
VERSION = 2
# Version 1 lacked a decision's stage (kept on the decision since; it is its item's stage),
# which the import fills in: see screening.archiving.decision_stages.
READS = (1, 2)

AUDIT_LABEL = "reviewapp.auditentry"


@dataclass(frozen=True)
class ArchiveSlice:
    """What one app puts in the archive, declared in its `archiving` module.

    models: (model label, the lookup from the model to its project), in import order.
    derived: project-owned models left out on purpose -> the reason.
    kind_id_fields: fields that name an object by a kind and a database id instead of a
        foreign key: label -> (kind field, id field, kind -> the archived label); archived as
        archive ids.
    audit_id_values: (audit action, key) -> label: audit entries that name objects by
        database id in a before/after value; translated to archive ids and back.
    upgrade: (objects, version) -> objects, for archives of an older version: fills in or
        checks what that version lacked, without changing the caller's data.
    """

    models: list[tuple[str, str]]
    derived: dict[str, str] = field(default_factory=dict)
    kind_id_fields: dict[str, tuple[str, str, dict[str, str]]] = field(default_factory=dict)
    audit_id_values: dict[tuple[str, str], str] = field(default_factory=dict)
    upgrade: Any = None


_slices: list[ArchiveSlice] = []


def register(archive_slice: ArchiveSlice) -> ArchiveSlice:
    """Called by each app's `archiving` module; apps register in INSTALLED_APPS order."""
    _slices.append(archive_slice)
    return archive_slice


@cache
def _collected() -> tuple[ArchiveSlice, ...]:
    autodiscover_modules("archiving")
    return tuple(_slices)


def registry() -> list[tuple[str, str]]:
    """Every archived model, in import order; the audit log last: an entry may name any
    archived object."""
    labels = [pair for piece in _collected() for pair in piece.models]
    return [*labels, (AUDIT_LABEL, "project")]


def derived() -> dict[str, str]:
    return {label: reason for piece in _collected() for label, reason in piece.derived.items()}


def _kind_id_fields() -> dict[str, tuple[str, str, dict[str, str]]]:
    return {k: v for piece in _collected() for k, v in piece.kind_id_fields.items()}


def _audit_id_values() -> dict[tuple[str, str], str]:
    return {k: v for piece in _collected() for k, v in piece.audit_id_values.items()}


PROJECT_FIELDS = [
    "slug",
    "title",
    "description",
    "language",
    "evidence_framework",
    "created_at",
    "version",
]
USER_FIELDS = ["username", "first_name", "last_name", "email"]


class ArchiveError(Exception):
    """The archive cannot be imported (or the project exported); the message says where."""


@dataclass
class ImportOutcome:
    project: Project
    counts: dict[str, int]
    created_users: list[str] = field(default_factory=list)
    files_copied: int = 0
    files_missing: list[str] = field(default_factory=list)


# --- the model plan ---------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A foreign key or many-to-many field: to the project, a user, or an archived model."""

    field: models.Field
    target: str  # "project", "user" or an archived label


def _label(model) -> str:
    return model._meta.label_lower


def registry_models() -> list[tuple[str, type[models.Model], str]]:
    return [(label, apps.get_model(label), path) for label, path in registry()]


def _target(model, field_: models.Field) -> str:
    related = field_.related_model
    if related is Project:
        return "project"
    if related is get_user_model():
        return "user"
    label = _label(related)
    if label not in dict(registry()):
        raise ImproperlyConfigured(
            f"{_label(model)}.{field_.name} refers to {label}, which the archive does not carry"
        )
    return label


@cache
def _plan(model) -> tuple[list[models.Field], list[Link], list[Link]]:
    """The model's plain fields, foreign keys and many-to-many fields, in field order."""
    plain, links, many = [], [], []
    for field_ in model._meta.concrete_fields:
        if field_.primary_key:
            continue
        if field_.is_relation:
            links.append(Link(field_, _target(model, field_)))
        else:
            plain.append(field_)
    for field_ in model._meta.many_to_many:
        many.append(Link(field_, _target(model, field_)))
    return plain, links, many


def _plain_out(field_: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field_, (models.DateTimeField, models.DateField, models.TimeField)):
        return value.isoformat()
    if isinstance(field_, models.DecimalField):
        return str(value)
    return value


# --- export -----------------------------------------------------------------------------


def project_export(*, project: Project) -> dict:
    """The project as a JSON-serialisable document; one query per model and per
    many-to-many field, and one for the users."""
    rows: dict[str, list[dict]] = {}
    ids: dict[str, dict[int, int]] = {}
    for label, model, path in registry_models():
        # The base manager: rows in the bin travel too (reviewapp.softdelete).
        rows[label] = list(model._base_manager.filter(**{path: project}).order_by("pk").values())
        ids[label] = {row["id"]: number for number, row in enumerate(rows[label], start=1)}
    ids["project"] = {project.pk: 1}

    many_values: dict[tuple[str, str], dict[int, list[int]]] = {}
    user_ids: set[int] = set()
    for label, model, path in registry_models():
        _plain, links, many = _plan(model)
        for link in links:
            if link.target == "user":
                user_ids.update(row[link.field.attname] for row in rows[label])
        for link in many:
            through = link.field.remote_field.through
            source, target = link.field.m2m_field_name(), link.field.m2m_reverse_field_name()
            pairs = through._default_manager.filter(**{f"{source}__{path}": project}).values_list(
                f"{source}_id", f"{target}_id"
            )
            by_object: dict[int, list[int]] = {}
            for source_id, target_id in pairs:
                by_object.setdefault(source_id, []).append(target_id)
            many_values[(label, link.field.name)] = by_object
            if link.target == "user":
                user_ids.update(target_id for values in by_object.values() for target_id in values)
    user_ids.update(
        int(row["object_id"])
        for row in rows[AUDIT_LABEL]
        if row["object_type"] == "user" and row["object_id"].isdigit()
    )
    users = {
        user["id"]: user
        for user in get_user_model()
        .objects.filter(pk__in=user_ids - {None})
        .values("id", *USER_FIELDS)
    }
    usernames = {pk: user["username"] for pk, user in users.items()}

    def ref(target: str, pk, where: str):
        if pk is None:
            return None
        if target == "user":
            return usernames[pk]
        if pk not in ids[target]:
            raise ArchiveError(f"{where} refers to {target} {pk}, which is not in the project")
        return ids[target][pk]

    objects: dict[str, list[dict]] = {}
    for label, model, _path in registry_models():
        plain, links, many = _plan(model)
        out = []
        for row in rows[label]:
            where = f"{label} {row['id']}"
            item = {"id": ids[label][row["id"]]}
            for field_ in plain:
                item[field_.name] = _plain_out(field_, row[field_.attname])
            for link in links:
                if link.target != "project":
                    item[link.field.name] = ref(
                        link.target, row[link.field.attname], f"{where}.{link.field.name}"
                    )
            for link in many:
                values = many_values[(label, link.field.name)].get(row["id"], [])
                item[link.field.name] = sorted(
                    ref(link.target, pk, f"{where}.{link.field.name}") for pk in values
                )
            if label in _kind_id_fields():
                kind_field, id_field, kinds = _kind_id_fields()[label]
                target = kinds.get(row[kind_field])
                # None: the object is gone (the import keeps the entry, naming no object).
                item[id_field] = ids[target].get(row[id_field]) if target else None
            out.append(item)
        objects[label] = out
    for item, row in zip(objects.get(AUDIT_LABEL, []), rows.get(AUDIT_LABEL, []), strict=True):
        _audit_ids_out(item, row, ids, usernames)

    return {
        "format": FORMAT,
        "version": VERSION,
        "project": {
            name: _plain_out(Project._meta.get_field(name), getattr(project, name))
            for name in PROJECT_FIELDS
        },
        "users": sorted(
            ({name: user[name] for name in USER_FIELDS} for user in users.values()),
            key=lambda user: user["username"],
        ),
        "objects": objects,
    }


@cache
def _model_name_labels() -> dict[str, str]:
    """An audit entry's object_type (a model name) -> the archive's label for it."""
    return {label.split(".")[1]: label for label, _path in registry()}


def _audit_ids_out(item: dict, row: dict, ids: dict, usernames: dict) -> None:
    """The entry's object id and the ids in its values, as archive ids (None if the object
    is gone or outside the project)."""
    object_type, object_id = row["object_type"], row["object_id"]
    label = "project" if object_type == "project" else _model_name_labels().get(object_type)
    value = None
    if object_id.isdigit():
        if object_type == "user":
            value = usernames.get(int(object_id))  # None: the account is gone
        elif label is not None:
            value = ids[label].get(int(object_id))
    item["object_id"] = value
    for part in ("before", "after"):
        item[part] = _audit_values(row["action"], item[part], lambda lbl, pk: ids[lbl].get(pk))


def _audit_values(action: str, values, translate):
    if not isinstance(values, dict):
        return values
    values = dict(values)
    for (audited_action, key), label in _audit_id_values().items():
        if action == audited_action and isinstance(values.get(key), int):
            values[key] = translate(label, values[key])
    return values


def project_export_json(*, project: Project) -> str:
    return json.dumps(project_export(project=project), ensure_ascii=False, indent=1) + "\n"


# --- import -----------------------------------------------------------------------------


def _require(mapping, key: str, where: str, kind: type | tuple = object):
    if not isinstance(mapping, dict):
        raise ArchiveError(f"{where}: expected an object, found {type(mapping).__name__}")
    if key not in mapping:
        raise ArchiveError(f"{where}: the key {key!r} is missing")
    value = mapping[key]
    if not isinstance(value, kind):
        raise ArchiveError(f"{where}.{key}: expected {_kind_name(kind)}")
    return value


def _kind_name(kind) -> str:
    names = {dict: "an object", list: "a list", str: "a text", int: "a whole number"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _plain_in(field_: models.Field, value: Any, where: str) -> Any:
    if value is None:
        if not field_.null:
            raise ArchiveError(f"{where}: a value is required")
        return None
    try:
        value = field_.to_python(value)
    except ValidationError as error:
        raise ArchiveError(f"{where}: {' '.join(error.messages)}") from error
    allowed = {choice for choice, _label in field_.flatchoices} if field_.choices else None
    if allowed is not None and value not in allowed and not (field_.blank and value == ""):
        raise ArchiveError(f"{where}: {value!r} is not one of the allowed values")
    return value


def _check_header(data) -> None:
    if not isinstance(data, dict):
        raise ArchiveError("The archive is not a JSON object.")
    if data.get("format") != FORMAT:
        raise ArchiveError(f"This is not a project archive (format {data.get('format')!r}).")
    if data.get("version") not in READS:
        raise ArchiveError(
            f"Unknown archive format version {data.get('version')!r}; "
            f"this installation reads versions {', '.join(map(str, READS))}."
        )
    unknown = set(data) - {"format", "version", "project", "users", "objects"}
    if unknown:
        raise ArchiveError(f"Unknown top-level keys: {', '.join(sorted(unknown))}.")
    objects = _require(data, "objects", "archive", dict)
    unknown = set(objects) - {label for label, _path in registry()}
    if unknown:
        raise ArchiveError(f"objects: unknown kinds {', '.join(sorted(unknown))}.")
    for label, _path in registry():
        _require(objects, label, "objects", list)


def _upgraded(objects: dict, *, version: int) -> dict:
    """The objects as this version archives them: each app's upgrade for older versions."""
    for piece in _collected():
        if piece.upgrade is not None:
            objects = piece.upgrade(objects, version)
    return objects


def _archive_ids(objects: dict) -> dict[str, set[int]]:
    """Every kind's archive ids, checked to be whole numbers, each once."""
    ids: dict[str, set[int]] = {"project": {1}}
    for label, _path in registry():
        seen: set[int] = set()
        for position, item in enumerate(objects[label], start=1):
            number = _require(item, "id", f"{label} (entry {position})", int)
            if number in seen:
                raise ArchiveError(f"{label} {number}: the id appears twice")
            seen.add(number)
        ids[label] = seen
    return ids


def _users_in(data: dict, outcome: ImportOutcome) -> dict[str, Any]:
    """Archive usernames -> this installation's users; missing ones are created inactive."""
    user_model = get_user_model()
    entries = _require(data, "users", "archive", list)
    wanted = {}
    for position, entry in enumerate(entries, start=1):
        where = f"users (entry {position})"
        username = _require(entry, "username", where, str)
        if not username:
            raise ArchiveError(f"{where}.username: empty")
        wanted[username] = {name: _require(entry, name, where, str) for name in USER_FIELDS}
    users = {user.username: user for user in user_model.objects.filter(username__in=wanted)}
    for username in sorted(set(wanted) - set(users)):
        user = user_model(**wanted[username], is_active=False)
        user.set_unusable_password()
        user.save()
        users[username] = user
        outcome.created_users.append(username)
    return users


def project_import(*, data, slug: str | None = None, files=None) -> ImportOutcome:
    """Create the archived project (under `slug` if given); all or nothing: on any error
    the database is rolled back and the files copied so far are deleted again. `files`: the
    zip's file bytes by stored name (see project_import_zip), if any."""
    copied: list[tuple[Any, str]] = []
    try:
        return _project_import(data=data, slug=slug, copied=copied, files=files)
    except BaseException:
        for storage, name in copied:
            storage.delete(name)
        raise


@transaction.atomic
def _project_import(*, data, slug: str | None, copied: list, files) -> ImportOutcome:
    _check_header(data)
    objects = _upgraded(data["objects"], version=data["version"])
    archive_ids = _archive_ids(objects)
    project = _project_in(_require(data, "project", "archive", dict), slug)
    outcome = ImportOutcome(project=project, counts={})
    users = _users_in(data, outcome)
    pks: dict[str, dict[int, int]] = {"project": {1: project.pk}}
    deferred: list[tuple[str, models.Model, Link, int]] = []
    created: set[str] = {"project"}
    context = _Context(project, users, archive_ids, pks, created, deferred)
    try:
        for label, model, _path in registry_models():
            plain, links, many = _plan(model)
            expected = (
                {"id"}
                | {f.name for f in plain}
                | {link.field.name for link in links + many if link.target != "project"}
            )
            built = {}
            for item in objects[label]:
                built[item["id"]] = _instance_in(label, model, item, expected, context)
            _files_in(model, built, label, outcome, copied, files)
            with _archived_times(plain):
                model._default_manager.bulk_create(built.values(), batch_size=1000)
            pks[label] = {number: instance.pk for number, instance in built.items()}
            created.add(label)
            outcome.counts[label] = len(built)
            for link in many:
                _many_in(label, link, built, objects[label], archive_ids, pks, users)
        _deferred_in(deferred, pks)
    except IntegrityError as error:
        raise ArchiveError(f"The archive contradicts itself: {error}") from error
    return outcome


@dataclass
class _Context:
    """What building one object needs to know of the import so far."""

    project: Project
    users: dict
    archive_ids: dict[str, set[int]]
    pks: dict[str, dict[int, int]]  # label -> archive id -> this database's pk
    created: set[str]  # the labels whose objects exist already
    deferred: list  # (label, instance, link, archive id): references set once all exist


def _instance_in(label: str, model, item: dict, expected: set[str], context: _Context):
    """One archived object as an unsaved instance, its references translated."""
    where = f"{label} {item['id']}"
    missing = expected - set(item)
    if missing:
        raise ArchiveError(f"{where}: the key {sorted(missing)[0]!r} is missing")
    unknown = set(item) - expected
    if unknown:
        raise ArchiveError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    plain, links, _many = _plan(model)
    instance = model()
    for field_ in plain:
        if label == AUDIT_LABEL and field_.name == "object_id":
            continue  # an archive id; see _audit_ids_in
        if label in _kind_id_fields() and field_.name == _kind_id_fields()[label][1]:
            continue  # an archive id; see _kind_id_in
        value = _plain_in(field_, item[field_.name], f"{where}.{field_.name}")
        setattr(instance, field_.attname, value)
    for link in links:
        if link.target == "project":
            setattr(instance, link.field.name, context.project)
            continue
        value = item[link.field.name]
        field_where = f"{where}.{link.field.name}"
        if value is None:
            if not link.field.null:
                raise ArchiveError(f"{field_where}: a reference is required")
            continue
        if link.target == "user":
            setattr(instance, link.field.attname, _user(context.users, value, field_where).pk)
            continue
        _check_ref(context.archive_ids, link.target, value, field_where)
        if link.target in context.created:
            setattr(instance, link.field.attname, context.pks[link.target][value])
        elif link.field.null:
            context.deferred.append((label, instance, link, value))
        else:
            raise ImproperlyConfigured(f"{field_where}: registry() order")
    if label == AUDIT_LABEL:
        _audit_ids_in(instance, item, where, context.archive_ids, context.pks, context.users)
    if label in _kind_id_fields():
        _kind_id_in(label, instance, item, where, context.archive_ids, context.pks)
    return instance


def _project_in(entry: dict, slug: str | None) -> Project:
    values = {
        name: _plain_in(Project._meta.get_field(name), _require(entry, name, "project"), name)
        for name in PROJECT_FIELDS
    }
    if slug:
        values["slug"] = slug
    if Project.all_objects.filter(slug=values["slug"]).exists():  # the bin's too
        raise ArchiveError(
            f"A project with the short name {values['slug']!r} exists already; "
            "import with --slug NEW to import a copy beside it."
        )
    project = Project(**values)
    try:
        project.full_clean(exclude=["created_at"])
    except ValidationError as error:
        raise ArchiveError(f"project: {'; '.join(error.messages)}") from error
    with _archived_times([Project._meta.get_field("created_at")]):
        project.save()
    return project


def _user(users: dict, username, where: str):
    if not isinstance(username, str) or username not in users:
        raise ArchiveError(f"{where}: the user {username!r} is not in the archive's users")
    return users[username]


def _check_ref(archive_ids: dict, target: str, value, where: str) -> None:
    if not isinstance(value, int) or value not in archive_ids[target]:
        raise ArchiveError(f"{where}: there is no {target} {value!r} in the archive")


@contextmanager
def _archived_times(plain: list[models.Field]):
    """Switch auto_now(_add) off on the model's fields while the import inserts, so that
    bulk_create writes the archive's times, not the time of the import (putting them back
    with bulk_update afterwards costs most of a large import). The switch is process-wide:
    the import runs in its own management command process, never in a threaded web worker."""
    stamped = [
        f for f in plain if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]
    try:
        for field_ in stamped:
            field_.auto_now = field_.auto_now_add = False
        yield
    finally:
        for field_, auto_now, auto_now_add in saved:
            field_.auto_now, field_.auto_now_add = auto_now, auto_now_add


def _many_in(label, link: Link, built: dict, items: list[dict], archive_ids, pks, users):
    through = link.field.remote_field.through
    source, target = link.field.m2m_field_name(), link.field.m2m_reverse_field_name()
    rows = []
    for item in items:
        where = f"{label} {item['id']}.{link.field.name}"
        values = item[link.field.name]
        if not isinstance(values, list):
            raise ArchiveError(f"{where}: expected a list")
        for value in values:
            if link.target == "user":
                target_pk = _user(users, value, where).pk
            else:
                _check_ref(archive_ids, link.target, value, where)
                target_pk = pks[link.target][value]
            rows.append(
                through(**{f"{source}_id": built[item["id"]].pk, f"{target}_id": target_pk})
            )
    through._default_manager.bulk_create(rows, batch_size=1000)


def _deferred_in(deferred: list, pks: dict) -> None:
    """References to objects created after the referring one, set now that all exist."""
    by_model: dict[tuple[type, str], list[models.Model]] = {}
    for _label, instance, link, value in deferred:
        setattr(instance, link.field.attname, pks[link.target][value])
        by_model.setdefault((type(instance), link.field.attname), []).append(instance)
    for (model, attname), changed in by_model.items():
        model._default_manager.bulk_update(changed, [attname], batch_size=1000)


def _audit_ids_in(instance, item: dict, where: str, archive_ids, pks, users) -> None:
    """The entry's object and the ids in its values, from archive ids to this database's."""
    value = item["object_id"]
    object_type = instance.object_type
    label = "project" if object_type == "project" else _model_name_labels().get(object_type)
    instance.object_id = ""
    if value is not None:
        if object_type == "user":
            instance.object_id = str(_user(users, value, f"{where}.object_id").pk)
        elif label is not None:
            _check_ref(archive_ids, label, value, f"{where}.object_id")
            # Audited objects of later kinds are created already: entries come last.
            instance.object_id = str(pks[label][value])
        else:
            raise ArchiveError(f"{where}.object_id: {object_type!r} objects are not archived")
    for part in ("before", "after"):

        def translate(target, number, part=part):
            _check_ref(archive_ids, target, number, f"{where}.{part}")
            return pks[target][number]

        setattr(instance, part, _audit_values(instance.action, getattr(instance, part), translate))


def _kind_id_in(label, instance, item: dict, where: str, archive_ids, pks) -> None:
    kind_field, id_field, kinds = _kind_id_fields()[label]
    target = kinds.get(getattr(instance, kind_field))
    value = item[id_field]
    if value is None or target is None:
        setattr(instance, id_field, 0)  # the object was gone when exported
        return
    _check_ref(archive_ids, target, value, f"{where}.{id_field}")
    if target not in pks:
        raise ImproperlyConfigured(f"{where}.{id_field}: registry() order")
    setattr(instance, id_field, pks[target][value])


def _files_in(model, built: dict, label: str, outcome: ImportOutcome, copied: list, files) -> None:
    """Give every imported file reference a file of its own: from the zip (`files`, the
    archive's bytes by stored name) or, failing that, a copy of the file of that name in
    this installation's storage; note the ones found in neither."""
    file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    for field_ in file_fields:
        storage = field_.storage
        for number, instance in built.items():
            name = getattr(instance, field_.attname).name  # the descriptor gives a FieldFile
            if not name:
                continue
            try:
                if files is not None and name in files:
                    new_name = storage.save(name, ContentFile(files[name]))
                elif storage.exists(name):
                    with storage.open(name, "rb") as source:
                        new_name = storage.save(name, source)
                else:
                    outcome.files_missing.append(name)
                    continue
            except SuspiciousFileOperation as error:
                raise ArchiveError(
                    f"{label} {number}.{field_.name}: the file name {name!r} is not allowed"
                ) from error
            copied.append((storage, new_name))
            setattr(instance, field_.attname, new_name)
            outcome.files_copied += 1


def _file_names(document: dict) -> dict[str, Any]:
    """The stored name of every file the document refers to -> its storage."""
    names = {}
    for label, model, _path in registry_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for item in document["objects"][label] if fields else ():
            names.update({item[f.name]: f.storage for f in fields if item[f.name]})
    return names


ZIP_DOCUMENT = "project.json"
ZIP_FILES = "files/"


def project_export_zip(*, project: Project, target) -> list[str]:
    """The archive with the files' bytes: project.json and files/<stored name>, written to
    `target` (a path or a binary file). Returns the names not found in storage."""
    document = project_export(project=project)
    missing = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(ZIP_DOCUMENT, json.dumps(document, ensure_ascii=False, indent=1))
        for name, storage in sorted(_file_names(document).items()):
            if not storage.exists(name):
                missing.append(name)
                continue
            with storage.open(name, "rb") as source, bundle.open(ZIP_FILES + name, "w") as out:
                shutil.copyfileobj(source, out)
    return missing


def project_import_zip(*, source, slug: str | None = None) -> ImportOutcome:
    """Import a zip written by `project_export_zip` (a path or a binary file)."""
    try:
        bundle = zipfile.ZipFile(source)
    except zipfile.BadZipFile as error:
        raise ArchiveError(f"Not a zip file: {error}.") from error
    with bundle:
        try:
            text = bundle.read(ZIP_DOCUMENT).decode("utf-8")
        except KeyError as error:
            raise ArchiveError(f"The zip holds no {ZIP_DOCUMENT}.") from error
        data = _parse(text)
        files = _ZipFiles(bundle)
        return project_import(data=data, slug=slug, files=files)


class _ZipFiles:
    """The zip's files by stored name, read only when asked for."""

    def __init__(self, bundle: zipfile.ZipFile):
        self.bundle = bundle
        self.names = {
            info.filename[len(ZIP_FILES) :]
            for info in bundle.infolist()
            if info.filename.startswith(ZIP_FILES) and not info.is_dir()
        }

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> bytes:
        return self.bundle.read(ZIP_FILES + name)


def _parse(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ArchiveError(
            f"Not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}."
        ) from error


def project_import_json(*, text: str, slug: str | None = None) -> ImportOutcome:
    return project_import(data=_parse(text), slug=slug)
