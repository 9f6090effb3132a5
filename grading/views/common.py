"""What several grading pages share: a topic area's category, study or result by its
address (or 404), the report's address, and the comment threads the report and the
comments page show."""

from collections import defaultdict

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.formats import date_format

from grading.models import Comment, InterventionCategory, Result, Study
from grading.queries import report as report_queries


def category_or_404(topic_area, category_key) -> InterventionCategory:
    category = get_object_or_404(
        InterventionCategory.objects.select_related("verdict"),
        topic_area=topic_area,
        key=category_key,
    )
    category.topic_area = topic_area
    return category


def study_or_404(topic_area, study_id) -> Study:
    study = get_object_or_404(Study, topic_area=topic_area, pk=study_id)
    study.topic_area = topic_area
    return study


def result_or_404(topic_area, study_id, result_id) -> Result:
    result = get_object_or_404(
        Result.objects.select_related("study", "category"),
        study__topic_area=topic_area,
        study_id=study_id,
        pk=result_id,
    )
    result.study.topic_area = topic_area
    return result


def bin_message(request, message: str, obj, **names) -> None:
    """After a delete: what went to the bin, and until when (`%(date)s`) a lead can restore it."""
    date = date_format(obj.purge_at, "SHORT_DATE_FORMAT")
    messages.success(request, message % {**names, "date": date})


def report_url(project, anchor: str = "", language: str = "") -> str:
    url = reverse("report", kwargs={"slug": project.slug})
    if language in ("da", "en"):
        url += f"?language={language}"
    return url + (f"#{anchor}" if anchor else "")


def comment_threads(project, user) -> dict[tuple[str, int], list[Comment]]:
    """Comment threads by target: each root with `.thread_replies` and `.can_reply`, each
    comment with `.can_delete`."""
    roots, replies = [], defaultdict(list)
    for comment in report_queries.comments_for(project):
        comment.project = project  # the predicate reads it: no query per comment
        comment.can_delete = user.has_perm("grading.delete_comment", comment)
        if comment.parent_id is None:
            roots.append(comment)
        else:
            replies[comment.parent_id].append(comment)
    is_lead = user.has_perm("grading.resolve_comment", project)
    by_target = defaultdict(list)
    for root in roots:
        root.thread_replies = replies[root.pk]
        root.can_reply = is_lead or root.author_id == user.pk
        by_target[(root.target_kind, root.target_id)].append(root)
    return by_target
