from functools import wraps

import kombu
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviewapp import services
from reviewapp.accounts import services as account_services
from reviewapp.accounts.forms import InvitationForm
from reviewapp.audit import mark_values_hidden
from reviewapp.editing import save_form
from reviewapp.forms import (
    ActivityFilterForm,
    MemberAddForm,
    MemberCreateForm,
    MemberRoleForm,
    ProjectForm,
    TopicAreaForm,
)
from reviewapp.models import Invitation, Membership, Project, TopicArea
from reviewapp.outages import outage_clear
from reviewapp.queries import (
    activity_entries,
    activity_kinds,
    deleted_projects_for_lead,
    memberships_for_project,
    projects_for_user,
    recent_activity,
)
from reviewapp.rules import can_create_project, remember_role
from reviewapp.softdelete import bin_model, bin_restore, bin_rows
from reviewapp.workbench import Work, progress_for, work_for


def _project_with_role(user, slug: str) -> Project:
    """The project and the user's role in it in one query: every project page asks both."""
    role = Membership.objects.filter(project=OuterRef("pk"), user_id=user.pk)
    role = role.order_by().values("role")[:1]
    project = get_object_or_404(Project.objects.annotate(viewer_role=Subquery(role)), slug=slug)
    remember_role(user, project, project.viewer_role)
    return project


def project_view(permission: str):
    """Declare the permission a project page needs.

    Non-members get 404 (a project's existence does not leak); members without
    the permission get 403. The view receives the project instead of its slug.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            project = _project_with_role(request.user, slug)
            if not request.user.has_perm("reviewapp.view_project", project):
                raise Http404
            if not request.user.has_perm(permission, project):
                raise PermissionDenied
            return view(request, project, *args, **kwargs)

        wrapped.project_permission = permission
        return wrapped

    return decorator


def project_permissions(user, project: Project) -> dict[str, bool]:
    """What the page may offer: templates render write controls only where allowed."""
    return {
        "change_project": user.has_perm("reviewapp.change_project", project),
        "manage_members": user.has_perm("reviewapp.manage_members", project),
        "change_topicarea": user.has_perm("reviewapp.change_topicarea", project),
        "review_work": user.has_perm("reviewapp.do_review_work", project),
        "manage_bin": user.has_perm("reviewapp.manage_bin", project),
    }


def render_project(request, template: str, project: Project, **context):
    context.update(project=project, can=project_permissions(request.user, project))
    return render(request, template, context)


def page_language() -> str:
    """The interface language as the pure modules name it: "da" or "en"."""
    return "da" if (get_language() or "").startswith("da") else "en"


def _next_work(works) -> Work | None:
    """The first record waiting for the person: where "Continue" (and the N key) goes."""
    return next((work for work in works if work.kind == "screen"), None)


@require_GET
def project_list(request):
    """The home page: what waits for the person in each project, then the projects."""
    projects = list(projects_for_user(request.user))
    deleted = list(deleted_projects_for_lead(request.user))
    work = work_for(request.user, projects)
    for project in projects:
        project.work = work.get(project.pk, [])
    return render(
        request,
        "reviewapp/project_list.html",
        {
            "projects": projects,
            "deleted_projects": deleted,
            "can_create_project": can_create_project(request.user),
            "has_work": bool(work),
            "next_work": _next_work(w for project in projects for w in project.work),
        },
    )


@require_http_methods(["GET", "POST"])
def project_create(request):
    if not can_create_project(request.user):
        raise PermissionDenied
    return save_form(
        request,
        ProjectForm(request.POST or None),
        save=lambda data: services.project_create(creator=request.user, **data),
        message=_("Project created. You are its lead."),
        render=lambda form: render(request, "reviewapp/project_form.html", {"form": form}),
    )


@require_GET
@project_view("reviewapp.view_project")
def project_dashboard(request, project):
    topic_areas = project.topic_areas.all()
    project.my_role = project.viewer_role  # what the work sources read
    shared = {}  # the stages' counts, read once for the work list and the progress bars
    work = work_for(request.user, [project], shared).get(project.pk, [])
    return render_project(
        request,
        "reviewapp/project_dashboard.html",
        project,
        topic_areas=topic_areas,
        work=work,
        next_work=_next_work(work),
        progress=progress_for(request.user, [project], shared).get(project.pk, []),
        memberships=memberships_for_project(project),
        activity=recent_activity(project),
    )


@require_http_methods(["GET", "POST"])
@project_view("reviewapp.change_project")
def project_edit(request, project):
    return save_form(
        request,
        ProjectForm(request.POST or None, instance=project),
        save=lambda data: services.project_update(
            project=project,
            actor=request.user,
            expected_version=data["version"],
            **{name: data[name] for name in ProjectForm.Meta.fields},
        ),
        message=_("Project saved."),
        render=lambda form: render_project(
            request,
            "reviewapp/project_form.html",
            project,
            form=form,
            can_delete=request.user.has_perm("reviewapp.delete_project", project),
        ),
    )


@require_POST
@project_view("reviewapp.delete_project")
def project_delete(request, project):
    project = services.project_delete(project=project, actor=request.user)
    messages.success(
        request,
        _(
            "The project %(title)s is in the bin; its leads can restore it from their home "
            "page until %(date)s."
        )
        % {"title": project.title, "date": date_format(project.purge_at, "SHORT_DATE_FORMAT")},
    )
    return redirect("project_list")


@require_POST
def project_restore(request, slug):
    """A lead's Restore under "Deleted projects" (the project is in the bin, so not found
    by `project_view`); anyone else gets 404, as for a project they are not in."""
    project = get_object_or_404(deleted_projects_for_lead(request.user), slug=slug)
    if not request.user.has_perm("reviewapp.delete_project", project):
        raise Http404
    services.project_restore(project=project, actor=request.user)
    messages.success(request, _("The project %(title)s is restored.") % {"title": project.title})
    return redirect("project_dashboard", slug=project.slug)


def topic_area_or_404(project: Project, topic_key: str) -> TopicArea:
    topic_area = get_object_or_404(TopicArea, project=project, key=topic_key)
    topic_area.project = project  # already loaded; saves a query per link to the project
    return topic_area


@require_http_methods(["GET", "POST"])
@project_view("reviewapp.change_topicarea")
def topic_area_create(request, project):
    form = TopicAreaForm(request.POST or None, project=project)
    return save_form(
        request,
        form,
        save=lambda _data: services.topic_area_create(
            project=project, actor=request.user, **form.service_fields()
        ),
        message=_("Topic area created."),
        render=lambda form: render_project(
            request, "reviewapp/topic_area_form.html", project, form=form
        ),
    )


@require_http_methods(["GET", "POST"])
@project_view("reviewapp.change_topicarea")
def topic_area_edit(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    form = TopicAreaForm(request.POST or None, instance=topic_area, project=project)
    return save_form(
        request,
        form,
        save=lambda data: services.topic_area_update(
            topic_area=topic_area,
            actor=request.user,
            expected_version=data["version"],
            **form.service_fields(),
        ),
        message=_("Topic area saved."),
        render=lambda form: render_project(
            request,
            "reviewapp/topic_area_form.html",
            project,
            form=form,
            topic_area=topic_area,
            can_delete=request.user.has_perm("reviewapp.delete_topicarea", project),
        ),
    )


@require_POST
@project_view("reviewapp.delete_topicarea")
def topic_area_delete(request, project, topic_key):
    topic_area = topic_area_or_404(project, topic_key)
    topic_area = services.topic_area_delete(topic_area=topic_area, actor=request.user)
    messages.success(
        request,
        _("The topic area %(title)s is in the bin; a lead can restore it until %(date)s.")
        % {
            "title": topic_area.title,
            "date": date_format(topic_area.purge_at, "SHORT_DATE_FORMAT"),
        },
    )
    return redirect("project_dashboard", slug=project.slug)


@require_GET
@project_view("reviewapp.view_project")
def members(request, project):
    return _members_page(request, project)


def _members_page(request, project, *, add_form=None, create_form=None, invite_form=None):
    manage = request.user.has_perm("reviewapp.manage_members", project)
    return render_project(
        request,
        "reviewapp/members.html",
        project,
        memberships=memberships_for_project(project),
        add_form=add_form or MemberAddForm(),
        create_form=create_form or MemberCreateForm(),
        invite_form=invite_form or InvitationForm(initial={"language": page_language()}),
        invitations=account_services.invitations_pending(project) if manage else [],
        role_choices=MemberRoleForm.base_fields["role"].choices,
    )


@require_POST
@project_view("reviewapp.manage_members")
def invitation_create(request, project):
    return save_form(
        request,
        InvitationForm(request.POST),
        save=lambda data: account_services.invitation_create(
            project=project,
            actor=request.user,
            base_url=request.build_absolute_uri("/"),
            **data,
        ),
        message=lambda invitation: _("Invitation sent to %(email)s.") % {"email": invitation.email},
        then=reverse("members", kwargs={"slug": project.slug}),
        render=lambda form: _members_page(request, project, invite_form=form),
    )


@require_POST
@project_view("reviewapp.manage_members")
def invitation_revoke(request, project, invitation_id):
    invitation = get_object_or_404(Invitation, project=project, pk=invitation_id)
    try:
        account_services.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("members", slug=project.slug)


@require_POST
@project_view("reviewapp.manage_members")
def member_add(request, project):
    return save_form(
        request,
        MemberAddForm(request.POST),
        save=lambda data: services.membership_add(
            project=project, user=data["user"], role=data["role"], actor=request.user
        ),
        message=lambda membership: (
            _("%(user)s added as %(role)s.")
            % {"user": membership.user, "role": membership.get_role_display()}
        ),
        then=reverse("members", kwargs={"slug": project.slug}),
        render=lambda form: _members_page(request, project, add_form=form),
    )


@require_POST
@project_view("reviewapp.manage_members")
def member_create(request, project):
    form = MemberCreateForm(request.POST)
    created = {}

    def save(_data):
        fields, generated = form.service_fields()
        created.update(password=fields["password"] if generated else "")
        return services.membership_create_user(project=project, actor=request.user, **fields)

    def message(membership) -> str:
        text = _("Account %(user)s created and added as %(role)s.") % {
            "user": membership.user,
            "role": membership.get_role_display(),
        }
        if created["password"]:
            text += " " + _("Password (shown once): %(password)s") % {
                "password": created["password"]
            }
        return text

    return save_form(
        request,
        form,
        save=save,
        message=message,
        then=reverse("members", kwargs={"slug": project.slug}),
        render=lambda form: _members_page(request, project, create_form=form),
    )


def _membership(project: Project, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), project=project, pk=membership_id
    )


@require_POST
@project_view("reviewapp.manage_members")
def member_role(request, project, membership_id):
    membership = _membership(project, membership_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
        return redirect("members", slug=project.slug)
    try:
        services.membership_change_role(
            membership=membership, role=form.cleaned_data["role"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Role of %(user)s changed.") % {"user": membership.user})
    return redirect("members", slug=project.slug)


@require_POST
@project_view("reviewapp.manage_members")
def member_remove(request, project, membership_id):
    membership = _membership(project, membership_id)
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(user)s removed from the project.") % {"user": membership.user}
        )
    return redirect("members", slug=project.slug)


@require_GET
@project_view("reviewapp.view_audit")
def activity(request, project):
    topic_areas = list(project.topic_areas.all())
    form = ActivityFilterForm(
        request.GET or None,
        people=memberships_for_project(project).values_list("user__username", flat=True),
        kinds=activity_kinds(project),
        topic_areas=topic_areas,
    )
    form.is_valid()  # the valid filters apply even when another one is not
    filters = getattr(form, "cleaned_data", {})
    entries = activity_entries(
        project,
        person=filters.get("person", ""),
        kind=filters.get("kind", ""),
        topic_area=next((t for t in topic_areas if t.key == filters.get("topic")), None),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    mark_values_hidden(request.user, project, page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render_project(
        request,
        "reviewapp/activity.html",
        project,
        page=page,
        form=form,
        query=query.urlencode(),
    )


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Database, broker and cache reachability, for operators and compose health checks.

    "ok" (200): all reachable. "degraded" (200): the database answers but the broker or the
    cache does not; pages and saves still work (background work waits or runs later), so the
    container is healthy and must not be restarted for it. "fail" (503): no database."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = {"ok": False, "error": str(error)}
    if not settings.CELERY_BROKER_URL:
        checks["broker"] = {"ok": True, "mode": "eager (tasks run in the web process)"}
    else:
        try:
            # A fresh connection, not the pool: a pooled one may hide an outage.
            with kombu.Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = {"ok": True, "mode": "worker"}
            outage_clear("broker")
        except Exception as error:  # noqa: BLE001
            checks["broker"] = {"ok": False, "error": str(error)}
    checks["cache"] = _cache_check()
    if not checks["database"]["ok"]:
        status = "fail"
    elif all(check["ok"] for check in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse({"status": status, **checks}, status=503 if status == "fail" else 200)


def _cache_check() -> dict:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if backend != "TolerantRedisCache":
        return {"ok": True, "mode": "process memory"}
    client = caches["default"]._cache.get_client(write=False)
    try:
        client.ping()
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "mode": "redis", "error": str(error)}
    outage_clear("cache")
    return {"ok": True, "mode": "redis"}


@require_GET
@project_view("reviewapp.manage_bin")
def project_bin(request, project):
    rows = [(row, row._meta.verbose_name, row._meta.label_lower) for row in bin_rows(project)]
    return render_project(
        request, "reviewapp/bin.html", project, rows=rows, settings_days=settings.SOFT_DELETE_DAYS
    )


@require_POST
@project_view("reviewapp.manage_bin")
def bin_item_restore(request, project, label, pk):
    model = bin_model(label)
    if model is None:
        raise Http404
    binned = model.all_objects.in_bin().filter(**{model.project_path: project})
    obj = get_object_or_404(binned, pk=pk)
    try:
        bin_restore(obj=obj, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(what)s %(name)s is restored.")
            % {"what": capfirst(model._meta.verbose_name), "name": obj},
        )
    return redirect("project_bin", slug=project.slug)
