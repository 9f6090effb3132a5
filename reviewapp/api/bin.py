"""The project's bin: /api/projects/<slug>/bin/.

The bin page's rows (reviewapp.views.project_bin: `bin_rows`, newest first, what went in
with a parent left to it) under its permission (reviewapp.manage_bin: leads), each with
where the API restores it (registered by each app with its restore service).
"""

from django.utils.text import capfirst
from rest_framework import generics, serializers

from reviewapp.api.permissions import ProjectScoped
from reviewapp.softdelete import bin_api_restore_path, bin_rows


class BinRowSerializer(serializers.Serializer):
    kind = serializers.SerializerMethodField(
        help_text="What it is, as app and model (`screening.source`, `grading.study`)."
    )
    kind_label = serializers.SerializerMethodField(help_text="What it is, in your language.")
    id = serializers.CharField(source="pk", help_text="Its id within its kind.")
    label = serializers.CharField(source="__str__", help_text="Its name, as the bin page shows it.")
    deleted_at = serializers.DateTimeField()
    deleted_by = serializers.CharField(
        source="deleted_by.username", allow_null=True, default=None, help_text="Who binned it."
    )
    purge_at = serializers.DateTimeField(help_text="When it is deleted for good.")
    restore = serializers.SerializerMethodField(
        help_text="Where to POST (no body, with the token) to restore it; null where the API "
        "has no restore for it."
    )

    def get_kind(self, row) -> str:
        return row._meta.label_lower

    def get_kind_label(self, row) -> str:
        return capfirst(row._meta.verbose_name)

    def get_restore(self, row) -> str | None:
        path = bin_api_restore_path(row)
        return self.context["request"].build_absolute_uri(path) if path else None


class BinView(ProjectScoped, generics.ListAPIView):
    """What is in the project's bin, newest first, as on the bin page (leads)."""

    serializer_class = BinRowSerializer
    action_permissions = {"get": "reviewapp.manage_bin"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return []
        return bin_rows(self.project)
