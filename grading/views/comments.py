"""The peer-review comments: every thread of the project, a new comment, a reply, resolving
a thread."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grading.forms.comments import CommentDeleteForm, CommentForm, ReplyForm, ResolveForm
from grading.models import Comment
from grading.queries import report as queries
from grading.services import comments as services
from grading.views.common import bin_message, comment_threads, report_url
from reviewapp.views import project_view, render_project

PANEL_SIZE = 10


def _comment_error(form_errors) -> HttpResponse:
    text = " ".join(
        f"{field}: {' '.join(errors)}" if field != "__all__" else " ".join(errors)
        for field, errors in form_errors.items()
    )
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "POST"])
@project_view("grading.comment")
def comments(request, project):
    """GET: every comment thread of the project; POST: a new comment."""
    if request.method == "POST":
        form = CommentForm(request.POST)
        if not form.is_valid():
            return _comment_error(form.errors)
        try:
            comment = services.comment_create(
                project=project,
                author=request.user,
                target_kind=form.cleaned_data["target_kind"],
                target_id=form.cleaned_data["target_id"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            return _comment_error(error.message_dict)
        messages.success(request, _("Comment added."))
        return redirect(_back_to(request, project, comment.pk))
    if request.GET.get("panel") == "open":
        # The dashboard's panel of open comments (fetched by htmx after the page loads).
        found = list(queries.open_comments(project)[: PANEL_SIZE + 1])
        return render_project(
            request,
            "grading/_open_comments.html",
            project,
            comments=found[:PANEL_SIZE],
            more=len(found) > PANEL_SIZE,
        )
    threads = comment_threads(project, request.user)
    show = request.GET.get("show", "open")
    roots = [
        root
        for group in threads.values()
        for root in group
        if show == "all" or root.resolved_at is None
    ]
    roots.sort(key=lambda root: (root.created_at, root.pk))
    return render_project(
        request,
        "grading/report_comments.html",
        project,
        threads=roots,
        show=show,
        can_comment=True,
        can_resolve=request.user.has_perm("grading.resolve_comment", project),
    )


def _comment(project, pk) -> Comment:
    return get_object_or_404(Comment, project=project, pk=pk)


def _back_to(request, project, comment_id: int) -> str:
    """Where a reply or a resolution lands: the thread itself, on the page it was sent
    from (the list of comments, or the report), not the top or the foot of the report."""
    anchor = f"comment-{comment_id}"
    if request.POST.get("back") == "comments":
        return reverse("comments", kwargs={"slug": project.slug}) + f"#{anchor}"
    return report_url(project, anchor)


@require_POST
@project_view("grading.comment")
def comment_reply(request, project):
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _comment_error(form.errors)
    comment = _comment(project, form.cleaned_data["comment"])
    try:
        reply = services.comment_reply(
            comment=comment, author=request.user, body=form.cleaned_data["body"]
        )
    except ValidationError as error:
        return _comment_error(error.message_dict)
    messages.success(request, _("Reply added."))
    return redirect(_back_to(request, project, reply.parent_id))


@require_POST
@project_view("grading.resolve_comment")
def comment_resolve(request, project):
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _comment_error(form.errors)
    comment = _comment(project, form.cleaned_data["comment"])
    try:
        services.comment_resolve(
            comment=comment, actor=request.user, resolved=not form.cleaned_data["reopen"]
        )
    except ValidationError as error:
        return _comment_error({"__all__": error.messages})
    messages.success(
        request,
        _("Comment opened again.") if form.cleaned_data["reopen"] else _("Comment resolved."),
    )
    return redirect(_back_to(request, project, comment.pk))


@require_POST
@project_view("grading.comment")
def comment_delete(request, project):
    form = CommentDeleteForm(request.POST)
    if not form.is_valid():
        return _comment_error(form.errors)
    comment = _comment(project, form.cleaned_data["comment"])
    if not request.user.has_perm("grading.delete_comment", comment):
        raise PermissionDenied
    comment = services.comment_delete(comment=comment, actor=request.user)
    bin_message(
        request, _("The comment is in the bin; a lead can restore it until %(date)s."), comment
    )
    if comment.parent_id is not None:
        return redirect(_back_to(request, project, comment.parent_id))
    if request.POST.get("back") == "comments":
        return redirect("comments", slug=project.slug)
    return redirect(report_url(project))
