"""Every write to projects, topic areas and memberships, each with its audit entry."""

import logging
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, Q, RestrictedError
from django.utils import translation
from django.utils.translation import gettext as _

from reviewapp.audit import audit_binned, audit_record, snapshot
from reviewapp.models import (
    SCREENING_ROLES,
    ApiToken,
    AuditEntry,
    Erasure,
    Invitation,
    Membership,
    Project,
    Role,
    TopicArea,
)
from reviewapp.personal_data import Scrubber, deleted_rows, scrubbed_fields
from reviewapp.signals import membership_ended, project_framework_changed, user_erased
from reviewapp.softdelete import (
    bin_project,
    mark_deleted,
    mark_restored,
    purge_cutoff,
    soft_delete_models,
)
from reviewapp.versioning import apply_fields, versioned_save

logger = logging.getLogger(__name__)

PROJECT_FIELDS = ["slug", "title", "description", "language", "evidence_framework"]
TOPIC_AREA_FIELDS = [
    "key",
    "position",
    "title",
    "question",
    "population",
    "population_terms",
    "intervention",
    "intervention_terms",
    "study_design",
    "study_design_terms",
    "databases",
    "year_from",
    "year_to",
    "languages",
    "regions",
    "inclusion_criteria",
    "exclusion_criteria",
]


@transaction.atomic
def project_create(
    *,
    creator,
    title: str,
    slug: str,
    description: str = "",
    language="da",
    evidence_framework="danish_count",
):
    # The short name stays taken while a project with it is in the bin (full_clean's unique
    # check reads the default manager, which hides the bin).
    if Project.all_objects.in_bin().filter(slug=slug).exists():
        raise ValidationError(
            {"slug": _("A project with this short name is in the bin: its lead can restore it.")}
        )
    project = Project(
        slug=slug,
        title=title,
        description=description,
        language=language,
        evidence_framework=evidence_framework,
    )
    project.full_clean()
    project.save()
    Membership.objects.create(project=project, user=creator, role=Role.LEAD)
    audit_record(
        actor=creator,
        project=project,
        action="project.create",
        obj=project,
        after=snapshot(project, PROJECT_FIELDS),
    )
    return project


@transaction.atomic
def project_update(*, project: Project, actor, expected_version: int, **fields) -> Project:
    locked, before = versioned_save(
        instance=project,
        actor=actor,
        project=lambda locked: locked,
        action="project.update",
        expected_version=expected_version,
        fields=fields,
        allowed=PROJECT_FIELDS,
    )
    if locked.evidence_framework != before["evidence_framework"]:
        # Every verdict is graded again on the new framework: grading acts on the signal
        # (grading.receivers), inside this transaction.
        project_framework_changed.send(sender=Project, project=locked)
    return locked


@transaction.atomic
def topic_area_create(*, project: Project, actor, **fields) -> TopicArea:
    key = fields.get("key", "")
    # The key stays taken while a topic area with it is in the bin (full_clean's unique
    # check reads the default manager, which hides the bin).
    if TopicArea.all_objects.in_bin().filter(project=project, key=key).exists():
        raise ValidationError(
            {
                "key": _(
                    "A topic area with this key is in the bin: restore it or choose another key."
                )
            }
        )
    topic_area = TopicArea(project=project)
    if "position" not in fields:
        fields["position"] = project.topic_areas.count() + 1
    apply_fields(topic_area, fields, TOPIC_AREA_FIELDS)
    topic_area.full_clean()
    topic_area.save()
    audit_record(
        actor=actor,
        project=project,
        action="topic_area.create",
        obj=topic_area,
        after=snapshot(topic_area, TOPIC_AREA_FIELDS),
    )
    return topic_area


@transaction.atomic
def topic_area_update(
    *, topic_area: TopicArea, actor, expected_version: int, **fields
) -> TopicArea:
    locked, _before = versioned_save(
        instance=topic_area,
        actor=actor,
        project=topic_area.project,
        action="topic_area.update",
        expected_version=expected_version,
        fields=fields,
        allowed=TOPIC_AREA_FIELDS,
    )
    return locked


@transaction.atomic
def project_delete(*, project: Project, actor) -> Project:
    """Put a project in the bin: it leaves every member's home page, project list and API;
    its leads see it under "Deleted projects" and may restore it until it is purged."""
    locked = Project.all_objects.select_for_update().get(pk=project.pk)
    if locked.in_bin:
        return locked
    mark_deleted(locked, by=actor)
    audit_binned(actor=actor, project=locked, action="project.delete", obj=locked)
    return locked


@transaction.atomic
def project_restore(*, project: Project, actor) -> Project:
    locked = Project.all_objects.select_for_update().get(pk=project.pk)
    if not locked.in_bin:
        return locked
    mark_restored(locked)
    audit_binned(actor=actor, project=locked, action="project.restore", obj=locked)
    return locked


@transaction.atomic
def topic_area_delete(*, topic_area: TopicArea, actor) -> TopicArea:
    """Put a topic area in the bin: its records, stages, studies, verdicts, comments and
    work leave every list, the home page, the report and the exports (each query that
    reaches them through the topic area leaves the bin out); nothing under it is changed,
    so a restore brings all of it back as it was."""
    locked = TopicArea.all_objects.select_for_update().select_related("project")
    locked = locked.get(pk=topic_area.pk)
    if locked.in_bin:
        return locked
    mark_deleted(locked, by=actor)
    audit_binned(actor=actor, project=locked.project, action="topic_area.delete", obj=locked)
    return locked


@transaction.atomic
def topic_area_restore(*, topic_area: TopicArea, actor) -> TopicArea:
    locked = TopicArea.all_objects.select_for_update().select_related("project")
    locked = locked.get(pk=topic_area.pk)
    if not locked.in_bin:
        return locked
    mark_restored(locked)
    audit_binned(actor=actor, project=locked.project, action="topic_area.restore", obj=locked)
    return locked


def _lock_memberships(project: Project) -> list[Membership]:
    # Two leads removing each other at once must not leave the project leaderless:
    # every membership change locks the project's memberships first.
    return list(Membership.objects.select_for_update().filter(project=project))


def _membership_snapshot(membership: Membership) -> dict:
    return {"user": membership.user.username, "role": membership.role}


@transaction.atomic
def membership_add(*, project: Project, user, role: str, actor) -> Membership:
    _lock_memberships(project)
    if Membership.objects.filter(project=project, user=user).exists():
        raise ValidationError(
            {"user": _("%(user)s is already a member of this project.") % {"user": user}}
        )
    membership = Membership.objects.create(project=project, user=user, role=role)
    audit_record(
        actor=actor,
        project=project,
        action="membership.add",
        obj=membership,
        after=_membership_snapshot(membership),
    )
    return membership


@transaction.atomic
def membership_create_user(
    *, project: Project, actor, username: str, email: str, password: str, role: str
) -> Membership:
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("A user named %(name)s already exists.") % {"name": username}}
        )
    user = user_model.objects.create_user(username=username, email=email, password=password)
    audit_record(
        actor=actor, project=project, action="user.create", obj=user, after={"username": username}
    )
    return membership_add(project=project, user=user, role=role, actor=actor)


def _ensure_another_lead(memberships: list[Membership], leaving: Membership) -> None:
    leads = [m for m in memberships if m.role == Role.LEAD and m.pk != leaving.pk]
    if not leads:
        raise ValidationError(
            _("%(user)s is the project's last lead; make another member lead first.")
            % {"user": leaving.user}
        )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor) -> Membership:
    memberships = _lock_memberships(membership.project)
    current = next(m for m in memberships if m.pk == membership.pk)
    if current.role == Role.LEAD and role != Role.LEAD:
        _ensure_another_lead(memberships, current)
    before = _membership_snapshot(current)
    current.role = role
    current.full_clean()
    current.save(update_fields=["role"])
    audit_record(
        actor=actor,
        project=current.project,
        action="membership.change_role",
        obj=current,
        before=before,
        after=_membership_snapshot(current),
    )
    if role not in SCREENING_ROLES:
        membership_ended.send(
            sender=Membership, project=current.project, user=current.user, actor=actor
        )
    return current


@transaction.atomic
def membership_remove(*, membership: Membership, actor) -> None:
    memberships = _lock_memberships(membership.project)
    current = next((m for m in memberships if m.pk == membership.pk), None)
    if current is None:
        return
    if current.role == Role.LEAD:
        _ensure_another_lead(memberships, current)
    audit_record(
        actor=actor,
        project=current.project,
        action="membership.remove",
        obj=current,
        before=_membership_snapshot(current),
    )
    current.delete()
    membership_ended.send(
        sender=Membership, project=current.project, user=current.user, actor=actor
    )


# --------------------------------------------------------------------------------------------
# Erasure (GDPR art. 17)

# Tables outside the apps that hold a person's username or name as text: django-axes's login
# records (by username) are deleted; the Django admin's log (if installed) is scrubbed.
_LOGIN_RECORDS = ["axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"]
_ADMIN_LOG = ("admin.LogEntry", ["object_repr", "change_message"])


def erasure_pseudonym(number: int) -> str:
    """ "Former reviewer 3": in the installation's language, fixed when the person is erased."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Former reviewer %(number)s") % {"number": number}


def erasure_blockers(user) -> list[Project]:
    """The projects of which the person is the only lead: they must get another lead first."""
    led = Project.objects.filter(memberships__user=user, memberships__role=Role.LEAD)
    return [
        project
        for project in led.order_by("title")
        if not project.memberships.filter(role=Role.LEAD).exclude(user=user).exists()
    ]


def _user_sessions(user) -> list[str]:
    keys = []
    for session in Session.objects.iterator(chunk_size=1000):
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            keys.append(session.session_key)
    return keys


def _allocate_erasure(user) -> Erasure:
    # Two erasures at once could pick the same number: the unique constraint refuses the
    # second, which takes the next one.
    for _attempt in range(5):
        number = (Erasure.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                return Erasure.objects.create(user=user, number=number)
        except IntegrityError:
            continue
    raise RuntimeError("could not number the erasure; try again")


@transaction.atomic
def user_erase(*, user, actor) -> Erasure:
    """Erase a person's personal data and keep their work under a pseudonym.

    The account is renamed "Former reviewer <n>" (no name, no e-mail address, no usable
    password, inactive); their API tokens, sessions, login records and memberships go; every
    text that names them (audit values, comments, notes: each app's `personal_data` slice)
    names the pseudonym instead; the apps rebuild what they store from names (the report
    tables). Their decisions, extractions and comments stay, attributed to the pseudonym.
    Only an installation admin (is_staff) may erase, not themselves; ``actor=None`` is the
    operator at the command line (`manage.py erase_user`).
    """
    if actor is not None and not (actor.is_authenticated and actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only an installation administrator may erase a person."))
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if actor is not None and user.pk == actor.pk:
        raise ValidationError(_("You cannot erase yourself; ask another administrator."))
    if Erasure.objects.filter(user=user).exists():
        raise ValidationError(_("%(user)s has already been erased.") % {"user": user})
    blockers = erasure_blockers(user)
    if blockers:
        raise ValidationError(
            _("%(user)s is the only lead of %(projects)s; make another member lead first.")
            % {"user": user, "projects": ", ".join(project.title for project in blockers)}
        )

    erasure = _allocate_erasure(user)
    pseudonym = erasure_pseudonym(erasure.number)
    first, last = user.first_name.strip(), user.last_name.strip()
    names = [f"{first} {last}", f"{last}, {first}", f"{last} {first}"] if first and last else []
    names += [user.get_full_name()]
    scrubber = Scrubber(username=user.username, email=user.email, names=names, pseudonym=pseudonym)
    old_username, old_email = user.username, user.email

    project_ids = set(user.memberships.values_list("project_id", flat=True))
    project_ids |= set(
        AuditEntry.objects.filter(actor=user, project__isnull=False).values_list(
            "project_id", flat=True
        )
    )

    user.username = pseudonym
    user.first_name = user.last_name = user.email = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    ApiToken.objects.filter(user=user).delete()
    # Invitations that reached the person (accepted, or still sent to their address); those
    # they sent stay, from the pseudonym.
    invited = Q(accepted_by=user) | (Q(email__iexact=old_email) if old_email else Q(pk__in=[]))
    Invitation.objects.filter(invited).delete()
    Session.objects.filter(session_key__in=_user_sessions(user)).delete()
    for label in _LOGIN_RECORDS:
        if apps.is_installed(label.split(".")[0]):
            apps.get_model(label).objects.filter(username__iexact=old_username).delete()
    for model, lookup in deleted_rows():
        model._base_manager.filter(**{lookup: user}).delete()  # the bin included

    for project in Project.objects.filter(pk__in=project_ids).order_by("pk"):
        memberships = _lock_memberships(project)
        for membership in (m for m in memberships if m.user_id == user.pk):
            audit_record(
                actor=actor,
                project=project,
                action="membership.remove",
                obj=membership,
                before=_membership_snapshot(membership),
            )
            membership.delete()

    for model, fields in scrubbed_fields():
        scrubber.scrub_model(model, fields)
    label, fields = _ADMIN_LOG
    if apps.is_installed("django.contrib.admin"):
        scrubber.scrub_model(apps.get_model(label), fields)

    audit_record(
        actor=actor, project=None, action="user.erase", obj=user, after={"user": pseudonym}
    )
    user_erased.send(sender=type(user), user=user, project_ids=sorted(project_ids))
    return erasure


def deleted_purge(*, now: datetime | None = None) -> int:
    """Delete for good what has been in the bin longer than SOFT_DELETE_DAYS; returns how
    many rows were purged (their cascades not counted).

    Each purge is audited against the row's project (against none when the row is the
    project, whose entries go with it). A row another row still needs (a snowballing source
    whose parent record is in the purged import: RESTRICT) stays in the bin and is logged,
    to be tried again on the next run. A row a purge earlier in the run took away with its
    parent is skipped.
    """
    cutoff = purge_cutoff(now)
    purged = 0
    # Higher apps and later models first, so children go before their parents: a category's
    # results (which PROTECT it) are purged before the category in the same run.
    for model in reversed(soft_delete_models(entries_only=True)):
        due = list(
            model.all_objects.filter(deleted_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in due:
            with transaction.atomic():
                obj = model.all_objects.filter(pk=pk, deleted_at__lt=cutoff).first()
                if obj is None:
                    continue
                project = None if model is Project else bin_project(obj)
                try:
                    with transaction.atomic():
                        audit_record(
                            actor=None,
                            project=project,
                            action=f"{model._meta.model_name}.purge",
                            obj=obj,
                            before={"deleted_at": obj.deleted_at.isoformat()},
                        )
                        obj.delete()
                except (ProtectedError, RestrictedError):
                    logger.warning("kept %s %s in the bin: still referenced", model.__name__, pk)
                    continue
                purged += 1
    return purged
