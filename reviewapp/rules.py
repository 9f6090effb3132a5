"""Who may do what in a project (django-rules predicates and permissions).

Every object-level permission takes the Project. Non-members are denied
everything; the views turn that into 404 so a project's existence never leaks.
"""

import rules
from django.conf import settings

from reviewapp.models import Membership, Role


def _role_cache(user) -> dict:
    # Per request: a page asks several permissions of the same project. Attribute
    # access, not __dict__, so that request.user's lazy wrapper reaches the user.
    cache = getattr(user, "_project_roles", None)
    if cache is None:
        cache = user._project_roles = {}
    return cache


def remember_role(user, project, role: str | None) -> None:
    """Record the user's role, read along with the project, so the predicates ask no more."""
    if user.is_authenticated:
        _role_cache(user)[project.pk] = role


def _role(user, project) -> str | None:
    if not user.is_authenticated or project is None:
        return None
    cache = _role_cache(user)
    if project.pk not in cache:
        cache[project.pk] = (
            Membership.objects.filter(project=project, user=user)
            .values_list("role", flat=True)
            .first()
        )
    return cache[project.pk]


@rules.predicate
def is_member(user, project) -> bool:
    return _role(user, project) is not None


@rules.predicate
def is_lead(user, project) -> bool:
    return _role(user, project) == Role.LEAD


@rules.predicate
def is_reviewer(user, project) -> bool:
    return _role(user, project) == Role.REVIEWER


@rules.predicate
def is_peer_reviewer(user, project) -> bool:
    return _role(user, project) == Role.PEER_REVIEWER


@rules.predicate
def can_create_project(user) -> bool:
    """PROJECT_CREATION: "everyone" logged in, or "staff" (installation admins) only. The
    project page, the project list's button and the API's create ask this one predicate."""
    if not user.is_authenticated or not user.is_active:
        return False
    return settings.PROJECT_CREATION == "everyone" or user.is_staff


rules.add_perm("reviewapp.view_project", is_member)
rules.add_perm("reviewapp.change_project", is_lead)
rules.add_perm("reviewapp.manage_members", is_lead)
rules.add_perm("reviewapp.change_topicarea", is_lead)
# Who may put the project in the bin and take it out again: a lead (the project's edit page,
# the home page's Restore and the API ask this one permission).
rules.add_perm("reviewapp.delete_project", is_lead)
# Who may put a topic area in the bin (with everything under it) and take it out: a lead.
# The topic area's page, the bin and the API ask this one permission.
rules.add_perm("reviewapp.delete_topicarea", is_lead)
rules.add_perm("reviewapp.view_audit", is_member)
# The project's bin: what was deleted, and restoring it.
rules.add_perm("reviewapp.manage_bin", is_lead)
# Screening and extraction work: reviewers and leads, never peer reviewers.
rules.add_perm("reviewapp.do_review_work", is_lead | is_reviewer)
