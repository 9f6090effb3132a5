"""The installation admin (Django's admin, for is_staff users): people, projects and their
memberships. Project work itself is done on the site's pages, where the audit log sees it."""

from django.contrib import admin

from reviewapp.models import Invitation, Membership, Project, UserProfile


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "language", "evidence_framework", "created_at"]
    search_fields = ["title", "slug"]
    inlines = [MembershipInline]
    readonly_fields = ["version"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "project__title", "project__slug"]
    autocomplete_fields = ["user", "project"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "project", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "project__title"]
    readonly_fields = ["accepted_at", "accepted_by", "invited_by", "created_at"]


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    search_fields = ["user__username"]
