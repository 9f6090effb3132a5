from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    name = "grading"
    verbose_name = _("Grading")

    def ready(self) -> None:
        from grading import receivers  # noqa: F401, PLC0415 -- connects the receivers once the app registry is ready
