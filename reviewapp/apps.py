from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ReviewappConfig(AppConfig):
    name = "reviewapp"
    verbose_name = _("Review projects")

    def ready(self):
        from reviewapp import tasks  # noqa: F401, PLC0415 -- registers the tasks once the app registry is ready
        from reviewapp.accounts import receivers  # noqa: F401, PLC0415 -- connects the login receiver once the apps are loaded
        from reviewapp.models import TopicArea  # noqa: PLC0415 -- models load once the app registry is ready
        from reviewapp.services import topic_area_restore  # noqa: PLC0415 -- models load once the app registry is ready
        from reviewapp.softdelete import register_restore  # noqa: PLC0415 -- models load once the app registry is ready

        # The bin page restores topic areas through their service, as it does the apps' rows.
        register_restore(
            TopicArea,
            topic_area_restore,
            argument="topic_area",
            api_restore=lambda topic_area: reverse(
                "api-topic-area-restore",
                kwargs={"project_slug": topic_area.project.slug, "topic_key": topic_area.key},
            ),
        )
