"""Who may do what in a project (django-rules predicates and permissions).

Every object-level permission takes the Project. Non-members are denied
everything; the views turn that into 404 so a project's existence never leaks.
"""

import rules

from reviewapp.models import Membership, Role


def _role(user, project) -> str | None:
    if not user.is_authenticated or project is None:
        return None
    # Cache per request: a page asks several permissions of the same project.
    cache = user.__dict__.setdefault("_project_roles", {})
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


rules.add_perm("reviewapp.view_project", is_member)
rules.add_perm("reviewapp.change_project", is_lead)
rules.add_perm("reviewapp.manage_members", is_lead)
rules.add_perm("reviewapp.change_topicarea", is_lead)
rules.add_perm("reviewapp.view_audit", is_member)
# Screening and extraction work: reviewers and leads, never peer reviewers.
rules.add_perm("reviewapp.do_review_work", is_lead | is_reviewer)
