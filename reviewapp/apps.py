from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewappConfig(AppConfig):
    name = "reviewapp"
    verbose_name = _("Review projects")

    def ready(self):
        from reviewapp import tasks  # noqa: F401, PLC0415 -- registers the tasks once the app registry is ready
        from reviewapp.accounts import receivers  # noqa: F401, PLC0415 -- connects the login receiver once the apps are loaded
