"""Import jobs in the installation admin, with a way out for a job stuck in "running"."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from screening.models import ImportJob
from screening.services.imports import import_job_fail_stuck


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["original_name", "topic_area", "status", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["original_name", "source_name", "topic_area__project__slug"]
    readonly_fields = [field.name for field in ImportJob._meta.fields]
    actions = ["fail_stuck"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark stuck jobs (queued or running) as failed"))
    def fail_stuck(self, request, queryset):
        count = sum(import_job_fail_stuck(job=job) for job in queryset)
        self.message_user(
            request,
            ngettext("%(count)d job marked failed.", "%(count)d jobs marked failed.", count)
            % {"count": count},
            messages.SUCCESS,
        )
