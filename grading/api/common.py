"""What several of grading's API views share."""

from functools import cached_property

from rest_framework import exceptions
from rest_framework.views import APIView

from grading.models import Result
from reviewapp.api.permissions import ProjectScoped


class ResultScoped(ProjectScoped, APIView):
    """A view of one result: .../topic-areas/<key>/results/<result_id>/..."""

    @cached_property
    def result(self) -> Result:
        result = (
            Result.objects.select_related("study__topic_area")
            .filter(study__topic_area=self.topic_area, pk=self.kwargs["result_id"])
            .first()
        )
        if result is None:
            raise exceptions.NotFound()  # `not_found`, as every 404 (Http404 is `error`)
        return result

    def resolve_scope(self) -> None:
        super().resolve_scope()
        self.result  # noqa: B018 (a cached_property: looked up, or 404, before the body)
