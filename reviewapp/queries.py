"""Reusable querysets for review projects."""

from django.db.models import Count, OuterRef, QuerySet, Subquery

from reviewapp.models import AuditEntry, Membership, Project


def projects_for_user(user) -> QuerySet[Project]:
    """The user's projects with their role and sizes, in one query."""
    my_memberships = Membership.objects.filter(user=user)
    return (
        Project.objects.filter(pk__in=my_memberships.values("project"))
        .annotate(
            my_role=Subquery(my_memberships.filter(project=OuterRef("pk")).values("role")[:1]),
            topic_area_count=Count("topic_areas", distinct=True),
            member_count=Count("memberships", distinct=True),
        )
        .order_by("-created_at", "title")
    )


def memberships_for_project(project: Project) -> QuerySet[Membership]:
    return project.memberships.select_related("user").order_by("role", "user__username")


def recent_activity(project: Project, limit: int = 15) -> QuerySet[AuditEntry]:
    return project.audit_entries.select_related("actor")[:limit]
