"""Reusable querysets for review projects."""

from django.apps import apps
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from reviewapp.models import AuditEntry, Membership, Project, Role
from reviewapp.softdelete import purge_cutoff


def projects_for_user(user) -> QuerySet[Project]:
    """The user's projects with their role and sizes, in one query."""
    my_memberships = Membership.objects.filter(user=user)
    return (
        Project.objects.filter(pk__in=my_memberships.values("project"))
        .annotate(
            my_role=Subquery(my_memberships.filter(project=OuterRef("pk")).values("role")[:1]),
            # A join, which the topic areas' manager does not filter: the bin left out.
            topic_area_count=Count(
                "topic_areas", distinct=True, filter=Q(topic_areas__deleted_at__isnull=True)
            ),
            member_count=Count("memberships", distinct=True),
        )
        .order_by("-created_at", "title")
    )


def deleted_projects_for_lead(user) -> QuerySet[Project]:
    """The projects in the bin the user leads, newest deletion first: only their leads see
    them (on the home page, with Restore), until the purge takes them."""
    led = Membership.objects.filter(user=user, role=Role.LEAD).values("project")
    return (
        Project.all_objects.in_bin()
        .filter(pk__in=led, deleted_at__gte=purge_cutoff())
        .select_related("deleted_by")
        .order_by("-deleted_at", "title")
    )


def memberships_for_project(project: Project) -> QuerySet[Membership]:
    return project.memberships.select_related("user").order_by("role", "user__username")


def recent_activity(project: Project, limit: int = 15) -> QuerySet[AuditEntry]:
    return project.audit_entries.select_related("actor")[:limit]


# An audit entry's object_type -> the lookup from that model to its topic area, for the
# activity log's topic-area filter.
TOPIC_AREA_OBJECTS = {
    "topicarea": ("reviewapp.TopicArea", "pk"),
    "source": ("screening.Source", "topic_area"),
    "record": ("screening.Record", "topic_area"),
    "duplicatepair": ("screening.DuplicatePair", "topic_area"),
    "stage": ("screening.Stage", "topic_area"),
    "interventioncategory": ("grading.InterventionCategory", "topic_area"),
    "study": ("grading.Study", "topic_area"),
    "result": ("grading.Result", "study__topic_area"),
    "robassessment": ("grading.RobAssessment", "result__study__topic_area"),
    "extraction": ("grading.Extraction", "result__study__topic_area"),
    "consensus": ("grading.Consensus", "result__study__topic_area"),
}

# The first part of an action names its kind ("decision.change": decisions).
ACTION_KINDS = {
    "project": _("Project"),
    "topic_area": _("Topic areas"),
    "membership": _("Members"),
    "user": _("Accounts"),
    "source": _("Imports"),
    "duplicate": _("Duplicates"),
    "records": _("Records"),
    "stages": _("Screening stages"),
    "stage": _("Screening stages"),
    "decision": _("Screening decisions"),
    "screening": _("Resolutions"),
    "fulltext": _("Full texts"),
    "flow": _("Flow diagram"),
    "category": _("Intervention categories"),
    "study": _("Studies"),
    "result": _("Results"),
    "extraction_field": _("Extraction form"),
    "rob_assessment": _("Risk of bias"),
    "verdict": _("Verdicts"),
    "extraction_settings": _("Extraction form"),
    "extraction": _("Dual extraction"),
    "consensus": _("Dual extraction"),
    "grade_assessment": _("GRADE assessments"),
    "report_settings": _("Report"),
    "comment": _("Comments"),
}


def activity_kinds(project: Project) -> list[tuple[str, str]]:
    """(prefix, label) of the kinds of action the project's log holds, one query."""
    actions = project.audit_entries.values_list("action", flat=True).distinct()
    prefixes = sorted({action.split(".")[0] for action in actions})
    return [(prefix, str(ACTION_KINDS.get(prefix, prefix))) for prefix in prefixes]


def activity_entries(
    project: Project, *, person="", kind="", topic_area=None, date_from=None, date_to=None
) -> QuerySet[AuditEntry]:
    """The project's audit log, newest first, filtered; one query (the topic-area filter
    is a subquery per kind of object)."""
    entries = project.audit_entries.select_related("actor")
    if person:
        entries = entries.filter(actor__username=person)
    if kind:
        entries = entries.filter(Q(action__startswith=f"{kind}.") | Q(action=kind))
    if topic_area is not None:
        about = Q()
        for object_type, (label, lookup) in TOPIC_AREA_OBJECTS.items():
            model = apps.get_model(label)
            ids = model.objects.filter(**{lookup: topic_area.pk}).annotate(
                text_id=Cast("pk", CharField())
            )
            about |= Q(object_type=object_type, object_id__in=ids.values("text_id"))
        entries = entries.filter(about)
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    return entries
