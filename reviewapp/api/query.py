"""Query parameters: each API view declares the ones it reads, and any other is refused.

A misspelt filter (`?stauts=conflict`) that is silently ignored answers the whole list as if
it were the filtered one; a client acting on that list (a bulk exclusion of "the conflicts")
would act on every record. So a parameter the view does not read is a 400 naming it.

A view declares its filters as a serializer per action in `query_serializers` (a viewset's
action, `"list"`, or a plain view's HTTP method in lower case, `"get"`); the page number and
size are accepted where the view paginates, and DRF's `?format=` where DRF reads it. The
schema (reviewapp.api.schema) lists the same declaration, so what the schema documents is
what the view accepts (tests/api/test_query_parameters.py holds every operation to it).
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.viewsets import ViewSetMixin


def action_name(view, method: str) -> str:
    action = getattr(view, "action", None)
    return action or ("get" if method.upper() == "HEAD" else method.lower())


def declared_query_serializer(view, method: str) -> type[serializers.Serializer] | None:
    """The serializer of the query parameters the view reads for this action, if any."""
    return getattr(view, "query_serializers", {}).get(action_name(view, method))


def _paginated(view, method: str) -> bool:
    """Whether the view answers this request with a page of a list: a viewset's `list`, or a
    generic (non-viewset) view's GET, as drf-spectacular documents their page parameters."""
    if method.upper() not in {"GET", "HEAD"} or getattr(view, "pagination_class", None) is None:
        return False
    if isinstance(view, ViewSetMixin):
        return getattr(view, "action", None) == "list"
    return True


def format_parameter(view) -> str | None:
    """DRF's renderer choice (`?format=json`), where the view's content negotiation reads it
    (a download's `format` is its own filter instead: reviewapp.api.downloads)."""
    return view.get_content_negotiator().settings.URL_FORMAT_OVERRIDE


def accepted_query_parameters(view, method: str) -> set[str]:
    names = set()
    declared = declared_query_serializer(view, method)
    if declared is not None:
        names |= set(declared().fields)
    if _paginated(view, method):
        paginator = view.pagination_class()
        for name in ("page_query_param", "page_size_query_param"):
            if getattr(paginator, name, None):
                names.add(getattr(paginator, name))
    override = format_parameter(view)
    if override:
        names.add(override)
    return names


def refuse_unknown_query_parameters(view, request) -> None:
    unknown = sorted(set(request.query_params) - accepted_query_parameters(view, request.method))
    if unknown:
        message = _("This query parameter is not known here: check its name in the schema.")
        raise exceptions.ValidationError({name: [message] for name in unknown})
