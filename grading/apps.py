from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    name = "grading"
    verbose_name = _("Grading")

    def ready(self) -> None:
        # Services enqueue tasks by name (reviewapp.tasking): register them in every process,
        # not only in a worker, whose autodiscovery would find them.
        from grading import (
            receivers,  # noqa: F401, PLC0415 -- connects the receivers once the app registry is ready
            tasks,  # noqa: F401, PLC0415 -- registers the tasks once the app registry is ready
        )
