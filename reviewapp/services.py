"""Every write to projects, topic areas and memberships, each with its audit entry."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reviewapp.audit import audit_record, snapshot
from reviewapp.models import Membership, Project, Role, TopicArea
from reviewapp.signals import project_framework_changed
from reviewapp.versioning import apply_fields, versioned_save

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
