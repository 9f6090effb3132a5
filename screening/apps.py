from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        # The services enqueue tasks by name (reviewapp.tasking): the task module must be
        # loaded for Celery to know them, in the web process too.
        import screening.receivers  # noqa: F401, PLC0415 -- connects them once models load
        from reviewapp.audit import register_value_filter  # noqa: PLC0415 -- models load once the app registry is ready
        from reviewapp.workbench import register_progress_source, register_work_source  # noqa: PLC0415 -- models load once the app registry is ready
        from screening import tasks  # noqa: F401, PLC0415 -- registers the tasks once the app registry is ready
        from screening.queries import decision_entries_values_hidden  # noqa: PLC0415 -- models load once the app registry is ready
        from screening.workbench import screening_progress, screening_work  # noqa: PLC0415 -- models load once the app registry is ready

        # The activity page (in the base app) hides blind decisions by screening's rule.
        register_value_filter(decision_entries_values_hidden)
        # The home page's and the dashboard's work list (in the base app) count screening's.
        register_work_source(screening_work)
        register_progress_source(screening_progress)
        # The project's bin (in the base app) restores a removed import through its service.
        from reviewapp.softdelete import (  # noqa: PLC0415 -- models load once the app registry is ready
            register_restore,
            topic_area_kwargs,
        )
        from screening.models import Source  # noqa: PLC0415 -- models load once the app registry is ready
        from screening.services.bin import source_restore  # noqa: PLC0415 -- models load once the app registry is ready

        register_restore(
            Source,
            source_restore,
            api_restore=lambda source: reverse(
                "api-source-restore",
                kwargs={**topic_area_kwargs(source.topic_area), "pk": source.pk},
            ),
        )
