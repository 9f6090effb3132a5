from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    name = "grading"
    verbose_name = _("Grading")

    def ready(self) -> None:
        # Services enqueue tasks by name (reviewapp.tasking): register them in every process,
        # not only in a worker, whose autodiscovery would find them.
        import grading.receivers  # noqa: F401, PLC0415 -- connects them once models load
        import grading.tasks  # noqa: F401, PLC0415 -- registers them once models load
        from grading.workbench import grading_work  # noqa: PLC0415 -- models load once the app registry is ready
        from reviewapp.workbench import register_work_source  # noqa: PLC0415 -- models load once the app registry is ready

        # The home page's and the dashboard's work list (in the base app) count grading's.
        register_work_source(grading_work)
        # The project's bin (in the base app) restores studies and results through their services.
        from grading.models import Comment, InterventionCategory, Result, Study  # noqa: PLC0415 -- models load once the app registry is ready
        from grading.services.comments import comment_restore  # noqa: PLC0415 -- models load once the app registry is ready
        from grading.services.studies import (  # noqa: PLC0415 -- models load once the app registry is ready
            category_restore,
            result_restore,
            study_restore,
        )
        from reviewapp.softdelete import (  # noqa: PLC0415 -- models load once the app registry is ready
            register_restore,
            topic_area_kwargs,
        )

        register_restore(
            Study,
            study_restore,
            api_restore=lambda study: reverse(
                "api-study-restore", kwargs={**topic_area_kwargs(study.topic_area), "pk": study.pk}
            ),
        )
        register_restore(
            Result,
            result_restore,
            api_restore=lambda result: reverse(
                "api-result-restore",
                kwargs={**topic_area_kwargs(result.study.topic_area), "pk": result.pk},
            ),
        )
        register_restore(
            InterventionCategory,
            category_restore,
            argument="category",
            api_restore=lambda category: reverse(
                "api-category-restore",
                kwargs={**topic_area_kwargs(category.topic_area), "category_key": category.key},
            ),
        )
        register_restore(
            Comment,
            comment_restore,
            api_restore=lambda comment: reverse(
                "api-comment-restore",
                kwargs={"project_slug": comment.project.slug, "pk": comment.pk},
            ),
        )
