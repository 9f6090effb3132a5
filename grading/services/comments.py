"""The peer-review comments on the report: a comment on a verdict, category, study, result
or flow diagram, replies in its thread, a lead resolving it, and deleting one to the bin."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.models import Comment
from grading.queries import report as queries_report
from reviewapp.audit import audit_binned, audit_record
from reviewapp.models import Notification, Project
from reviewapp.notifications import notify
from reviewapp.softdelete import mark_deleted, mark_restored


@transaction.atomic
def comment_create(*, project: Project, author, target_kind: str, target_id: int, body: str):
    """A comment on a verdict, category, study, result or flow diagram (any member)."""
    if not author.has_perm("grading.comment", project):
        raise PermissionDenied
    if not body.strip():
        raise ValidationError({"body": _("Write a comment.")})
    if target_kind not in Comment.Target.values:
        raise ValidationError({"target_kind": _("Not something one can comment on.")})
    target = queries_report.comment_targets(project, target_kind, target_id)
    if target is None:
        raise ValidationError({"target_id": _("There is no such item in this project.")})
    topic_area, label = target
    comment = Comment.objects.create(
        project=project,
        topic_area=topic_area,
        target_kind=target_kind,
        target_id=target_id,
        target_label=label[:300],
        author=author,
        body=body.strip(),
    )
    audit_record(
        actor=author,
        project=project,
        action="comment.create",
        obj=comment,
        after={"target": f"{target_kind}:{target_id}", "body": comment.body},
    )
    return comment


@transaction.atomic
def comment_reply(*, comment: Comment, author, body: str) -> Comment:
    """A reply in a thread: by a lead, or by whoever started the thread."""
    root = comment if comment.parent_id is None else comment.parent
    if not (author.has_perm("grading.resolve_comment", root.project) or root.author == author):
        raise PermissionDenied
    if not body.strip():
        raise ValidationError({"body": _("Write a reply.")})
    reply = Comment.objects.create(
        project=root.project,
        topic_area=root.topic_area,
        target_kind=root.target_kind,
        target_id=root.target_id,
        target_label=root.target_label,
        parent=root,
        author=author,
        body=body.strip(),
    )
    audit_record(
        actor=author,
        project=root.project,
        action="comment.reply",
        obj=reply,
        after={"reply_to": root.pk, "body": reply.body},
    )
    _notify_author(root, actor=author, what="answered")
    return reply


def _notify_author(root: Comment, *, actor, what: str) -> None:
    notify(
        users=[root.author],
        kind=Notification.Kind.COMMENT,
        project=root.project,
        params={"target": root.target_label, "what": what},
        path=reverse("comments", kwargs={"slug": root.project.slug}),
        actor=actor,
    )


@transaction.atomic
def comment_resolve(*, comment: Comment, actor, resolved: bool = True) -> Comment:
    """A lead marks a thread resolved (or open again)."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if not actor.has_perm("grading.resolve_comment", locked.project):
        raise PermissionDenied
    if locked.parent_id is not None:
        raise ValidationError(_("Only a thread is resolved, not a reply."))
    before = {"resolved_at": str(locked.resolved_at) if locked.resolved_at else None}
    locked.resolved_at = timezone.now() if resolved else None
    locked.resolved_by = actor if resolved else None
    locked.save(update_fields=["resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        project=locked.project,
        action="comment.resolve" if resolved else "comment.reopen",
        obj=locked,
        before=before,
        after={"resolved_at": str(locked.resolved_at) if locked.resolved_at else None},
    )
    if resolved:
        _notify_author(locked, actor=actor, what="resolved")
    return locked


@transaction.atomic
def comment_delete(*, comment: Comment, actor) -> Comment:
    """Put a comment in the bin with its live replies (marked at the same moment): it leaves
    the threads, the open comments and the API (its author or a lead)."""
    locked = Comment.all_objects.select_for_update().select_related("project")
    locked = locked.get(pk=comment.pk)
    if not actor.has_perm("grading.delete_comment", locked):
        raise PermissionDenied
    if locked.in_bin:
        return locked
    mark_deleted(locked, by=actor)
    Comment.objects.filter(parent=locked).update(
        deleted_at=locked.deleted_at, deleted_by=locked.deleted_by
    )
    audit_binned(actor=actor, project=locked.project, action="comment.delete", obj=locked)
    return locked


@transaction.atomic
def comment_restore(*, comment: Comment, actor) -> Comment:
    """Take a comment out of the bin with the replies that went in with it; a reply whose
    thread is in the bin comes back with the thread."""
    locked = Comment.all_objects.select_for_update(of=("self",)).select_related("project", "parent")
    locked = locked.get(pk=comment.pk)
    if not actor.has_perm("grading.delete_comment", locked):
        raise PermissionDenied
    if not locked.in_bin:
        return locked
    if locked.parent is not None and locked.parent.in_bin:
        raise ValidationError(_("The reply's thread is in the bin: restore the thread."))
    Comment.all_objects.filter(parent=locked, deleted_at=locked.deleted_at).update(
        deleted_at=None, deleted_by=None
    )
    mark_restored(locked)
    audit_binned(actor=actor, project=locked.project, action="comment.restore", obj=locked)
    return locked
